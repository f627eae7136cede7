// `code-mode serve --http` takes its session cap and idle limit from flags or the config, and
// refuses bad values with the flag or field named.
import { type ChildProcess, execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LATEST_PROTOCOL_VERSION } from "@modelcontextprotocol/sdk/types.js";
import { afterEach, describe, expect, it } from "vitest";
import { startHttpServe } from "../mcp/helpers.ts";

const ROOT = new URL("../..", import.meta.url).pathname;
const BIN = join(ROOT, "bin/code-mode.js");
const started: ChildProcess[] = [];

afterEach(() => {
  for (const child of started.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
});

function config(settings: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), "code-mode-serve-"));
  const file = join(dir, "code-mode.json5");
  writeFileSync(file, JSON.stringify({ codeMode: { runtime: "vm" }, ...(settings as object) }));
  return file;
}

function cli(args: string[]) {
  return new Promise<{ code: number; stderr: string }>((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: ROOT, timeout: 60_000 }, (error, _stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stderr }),
    );
  });
}

async function serve(args: string[]): Promise<string> {
  const { url } = await startHttpServe("127.0.0.1:0", args, (child) => started.push(child));
  return url;
}

async function initialize(url: string): Promise<string> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: "raw", version: "1" } },
    }),
  });
  expect(response.status).toBe(200);
  await response.text();
  return response.headers.get("mcp-session-id")!;
}

async function listTools(url: string, session: string): Promise<number> {
  const response = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-session-id": session,
      "mcp-protocol-version": LATEST_PROTOCOL_VERSION,
    },
    body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" }),
  });
  await response.text();
  return response.status;
}

describe("code-mode serve session settings", () => {
  it("holds at most --max-sessions, making room by closing the least recently used idle one", async () => {
    const url = await serve(["--config", config({}), "--max-sessions", "2"]);
    const [first, second, third] = [await initialize(url), await initialize(url), await initialize(url)];
    expect(await listTools(url, first!)).toBe(404);
    expect(await listTools(url, second!)).toBe(200);
    expect(await listTools(url, third!)).toBe(200);
  });

  it("ends sessions idle for --session-idle seconds; the flag wins over the config", async () => {
    const url = await serve(["--config", config({ serve: { sessionIdleTimeout: 3600 } }), "--session-idle", "1"]);
    const session = await initialize(url);
    expect(await listTools(url, session)).toBe(200);
    await new Promise((r) => setTimeout(r, 1600));
    expect(await listTools(url, session)).toBe(404);
  });

  it("takes the cap from the config's serve section", async () => {
    const url = await serve(["--config", config({ serve: { maxSessions: 1 } })]);
    const [first, second] = [await initialize(url), await initialize(url)];
    expect(await listTools(url, first!)).toBe(404);
    expect(await listTools(url, second!)).toBe(200);
  });

  it.each([
    [["--max-sessions", "0"], /--max-sessions is 0; expected a whole number from 1 to 100000/],
    [["--max-sessions", "2.5"], /--max-sessions is 2.5; expected a whole number from 1 to 100000/],
    [["--session-idle", "soon"], /--session-idle is "soon"; expected a number of seconds from 1 to 86400/],
    [["--session-idle", "0.5"], /--session-idle is 0.5; expected a number of seconds from 1 to 86400/],
  ])("refuses %j with the flag named (exit 2)", async (flags, message) => {
    const { code, stderr } = await cli(["serve", "--http", "127.0.0.1:0", ...flags]);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });

  it("refuses session flags without --http", async () => {
    const { code, stderr } = await cli(["serve", "--max-sessions", "5"]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--max-sessions and --session-idle apply to --http HOST:PORT only/);
  });

  it("refuses bad serve fields in the config, naming each", async () => {
    const file = config({ serve: { maxSessions: 0, sessionIdle: 5 } });
    const { code, stderr } = await cli(["serve", "--http", "127.0.0.1:0", "--config", file]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/serve\.maxSessions is 0: /);
    expect(stderr).toMatch(/serve\.sessionIdle is not a known field/);
  });
});
