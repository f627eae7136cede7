// Shared set-up for the MCP suites: real reference servers, fixture servers, temp folders, pids.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const ROOT = resolve(import.meta.dirname, "../..");
export const CLI = join(ROOT, "bin/code-mode.js");
export const FIXTURE = join(ROOT, "test/fixtures/mcp/fixture-server.ts");
export const FILESYSTEM = join(ROOT, "node_modules/@modelcontextprotocol/server-filesystem/dist/index.js");
export const MEMORY = join(ROOT, "node_modules/@modelcontextprotocol/server-memory/dist/index.js");
export const INSPECTOR = join(ROOT, "node_modules/@modelcontextprotocol/inspector/clients/launcher/build/index.js");

/** A temp folder with `files/` (two small files) for the filesystem server and a memory file path. */
export function makeWorkspace(): { dir: string; files: string; memoryFile: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), "code-mode-mcp-"));
  const files = join(dir, "files");
  mkdirSync(files);
  writeFileSync(
    join(files, "team.md"),
    "- Ada: analytics lead\n- Grace: compiler engineer\n- Linus: kernel maintainer\n",
  );
  writeFileSync(join(files, "links.json"), JSON.stringify([{ from: "Ada", to: "Grace", relationType: "works_with" }]));
  return {
    dir,
    files,
    memoryFile: join(dir, "memory.jsonl"),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The reference servers, configured as a user would. */
export function referenceServers(files: string, memoryFile: string) {
  return {
    files: { command: "node", args: [FILESYSTEM, files] },
    memory: { command: "node", args: [MEMORY], env: { MEMORY_FILE_PATH: memoryFile } },
  };
}

export function fixtureServer(mode = "normal") {
  return { command: "node", args: [FIXTURE, mode] };
}

/** Writes a config file into `dir` and returns its path. */
export function writeConfig(dir: string, config: unknown, name = "code-mode.json5"): string {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Every process below `pid` (children, grandchildren...), by asking `ps`. */
export function descendants(pid: number): number[] {
  const table = execFileSync("ps", ["-A", "-o", "pid=,ppid="], { encoding: "utf8" })
    .trim()
    .split("\n")
    .map((line) => line.trim().split(/\s+/).map(Number) as [number, number]);
  const found: number[] = [];
  const walk = (parent: number) => {
    for (const [child, ppid] of table) {
      if (ppid === parent) {
        found.push(child);
        walk(child);
      }
    }
  };
  walk(pid);
  return found;
}

export async function waitFor(check: () => boolean, ms = 5000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return check();
}

/** `code-mode serve --http ADDRESS ...args` as a real process; resolves once it says where it listens. */
export async function startHttpServe(
  address: string,
  args: string[] = [],
  onStart: (child: ChildProcess) => void = () => {},
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [CLI, "serve", "--http", address, ...args], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  onStart(child);
  const url = await new Promise<string>((resolve, reject) => {
    let text = "";
    child.stderr!.on("data", (chunk) => {
      text += String(chunk);
      const found = /at (http:\/\/\S+)/.exec(text);
      if (found) resolve(found[1]!);
    });
    child.once("exit", () => reject(new Error(`serve exited: ${text}`)));
  });
  return { child, url };
}
