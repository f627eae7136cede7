// The CLI contract of DESIGN.md, driven as other programs drive it: a real process, real exit codes.
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = new URL("../..", import.meta.url).pathname;
const BIN = join(ROOT, "bin/code-mode.js");
const TOOLS = join(ROOT, "examples/tools.ts");

function cli(args: string[], options: { input?: string; cwd?: string; nodeArgs?: string[] } = {}) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const child = execFile(
      process.execPath,
      [...(options.nodeArgs ?? []), BIN, ...args],
      { cwd: options.cwd ?? ROOT, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
    if (options.input !== undefined) child.stdin!.end(options.input);
    else child.stdin!.end();
  });
}

function programs(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "code-mode-cli-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

describe("code-mode run", () => {
  it("runs several files in order in one process and prints one JSON object per file", async () => {
    const dir = programs({
      "a.ts": "await api.memory_write({ text: 'from a', tags: ['cli'] });\nreturn 'a';",
      "b.ts":
        "const notes = await api.memory_read({ tag: 'cli' });\nconsole.log('found', notes.length);\nreturn notes.map((n) => n.text);",
    });
    const { code, stdout } = await cli([
      "run",
      join(dir, "a.ts"),
      join(dir, "b.ts"),
      "--tools",
      TOOLS,
      "--json",
      "--runtime",
      "vm",
    ]);
    expect(code).toBe(0);
    const lines = stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      ok: true,
      result: "a",
      runtime: "vm",
      logs: [],
      toolCalls: [{ tool: "memory_write", ok: true }],
    });
    // The second program sees the first one's write: same host process, same tools.
    expect(lines[1]).toMatchObject({ ok: true, result: ["from a"], logs: [{ level: "log", message: "found 1" }] });
    expect(typeof lines[1].ms).toBe("number");
  });

  it("exits 1 when any program fails, with the error kind, line and column", async () => {
    const dir = programs({ "ok.ts": "return 1;", "bad.ts": "const x = 1;\nx();" });
    const { code, stdout } = await cli(["run", join(dir, "ok.ts"), join(dir, "bad.ts"), "--json", "--runtime", "vm"]);
    expect(code).toBe(1);
    const [first, second] = stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(first.ok).toBe(true);
    expect(second).toMatchObject({ ok: false, error: { kind: "runtime", line: 2 } });
    expect(second.error.message).toMatch(/TypeError: x is not a function/);
  });

  it("reads a program from standard input with -", async () => {
    const { code, stdout } = await cli(["run", "-", "--json", "--runtime", "vm"], {
      input: "return [1, 2].map((n: number) => n * 2);",
    });
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ ok: true, result: [2, 4] });
  });

  it("applies --timeout and --memory-limit", async () => {
    const { stdout } = await cli(["run", "-", "--json", "--runtime", "vm", "--timeout", "0.5"], {
      input: "while (true) {}",
    });
    expect(JSON.parse(stdout).error).toMatchObject({ kind: "timeout", message: expect.stringMatching(/within 0.5 s/) });
  });

  it("prints logs, calls and the result readably without --json", async () => {
    const { code, stdout } = await cli(["run", "examples/programs/demo.ts", "--tools", TOOLS, "--runtime", "vm"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/ada: .*Ada prefers meetings after 14:00/);
    expect(stdout).toMatch(/-- 6 tool calls:/);
    expect(stdout).toMatch(/FAIL schedule/);
    expect(stdout).toMatch(/"Review follow-up @ 2026-12-01T16:00:00Z"/);
  });

  it.each([
    [["run"], /needs at least one FILE/],
    [["run", "x.ts", "--runtime", "wasm"], /--runtime is "wasm"/],
    [["run", "x.ts", "--timeout", "soon"], /--timeout is "soon"; expected a number of seconds from 0.01 to 3600/],
    [["run", "x.ts", "--memory-limit", "4"], /--memory-limit is 4; expected a number of MB from 8 to 65536/],
    [["run", "x.ts", "--bogus"], /Unknown option '--bogus'/],
    [["run", "/no/such/program.ts"], /cannot read the program \/no\/such\/program\.ts: ENOENT/],
    [["run", "-", "--tools", "/no/such/tools.ts"], /tools module \/no\/such\/tools\.ts does not exist/],
    [["frobnicate"], /unknown command "frobnicate"/],
  ])("exits 2 on usage errors: %j", async (args, message) => {
    const { code, stderr } = await cli(args, { input: "return 1" });
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });

  it("exits 2 on a bad config, naming the field", async () => {
    const dir = programs({ "code-mode.json5": "{ codeMode: { runtime: 'fast' } }", "p.ts": "return 1" });
    const { code, stderr } = await cli(["run", "p.ts"], { cwd: dir });
    expect(code).toBe(2);
    expect(stderr).toMatch(/codeMode\.runtime is "fast"/);
  });

  it("refuses Node older than 24 plainly, with exit 2", async () => {
    const pretend20 = "data:text/javascript,Object.defineProperty(process.versions,'node',{value:'20.11.0'})";
    const { code, stderr } = await cli(["run", "-"], { nodeArgs: ["--import", pretend20], input: "return 1" });
    expect(code).toBe(2);
    expect(stderr).toMatch(/code-mode needs Node.js 24 or newer/);
  });
});

describe("code-mode types", () => {
  it("prints the declarations of the tools modules", async () => {
    const { code, stdout } = await cli(["types", "--tools", TOOLS]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/declare const api: \{/);
    expect(stdout).toMatch(/memory_read\(input\?: MemoryReadInput\): Promise<MemoryReadItem\[\]>;/);
  });
});
