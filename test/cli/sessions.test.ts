// Each command starts only what it uses: `types` no runtime at all, `agent` exactly one.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOpenAiFixture } from "../fixtures/openai-server.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const BIN = join(ROOT, "bin/code-mode.js");
const WATCH = join(ROOT, "test/fixtures/watch-processes.mjs");
// What one vm runtime starts: its pool of child processes (VmExecutor's default size).
const VM_CHILDREN = Math.min(2, availableParallelism());

function cli(args: string[], cwd: string, env: Record<string, string> = {}) {
  return new Promise<{ code: number; stdout: string; stderr: string; children: string[] }>((resolve) => {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(OPENAI|ANTHROPIC)_/.test(k)));
    const child = execFile(
      process.execPath,
      ["--import", WATCH, BIN, ...args],
      { cwd, env: { ...clean, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const children = stderr.split("\n").filter((line) => line.startsWith("[child-process] "));
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr, children });
      },
    );
    child.stdin!.end();
  });
}

const vmChildren = (children: string[]) => children.filter((line) => /runtimes\/vm\/child\.(ts|js)/.test(line));

describe("what each command starts", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "code-mode-sessions-"));
    writeFileSync(
      join(dir, "code-mode.json5"),
      `{ codeMode: { runtime: "vm" }, tools: [${JSON.stringify(join(ROOT, "examples/tools.ts"))}], model: "openai:fixture-model" }`,
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("types prints the declarations without starting any process", async () => {
    const { code, stdout, children } = await cli(["types"], dir);
    expect(code).toBe(0);
    expect(stdout).toMatch(/declare const api: \{/);
    expect(children).toEqual([]);
  });

  it("run starts one vm runtime", async () => {
    writeFileSync(join(dir, "one.ts"), "return 1 + 1;");
    const { code, stdout, children } = await cli(["run", "one.ts", "--json"], dir);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ ok: true, result: 2 });
    expect(vmChildren(children)).toHaveLength(VM_CHILDREN);
    expect(children).toHaveLength(VM_CHILDREN);
  });

  it("agent in code mode starts exactly one runtime, the one its execute_code tool runs on", async () => {
    const fixture = await startOpenAiFixture({
      replies: [
        { toolCalls: [{ name: "execute_code", arguments: { code: "return (await api.list_events({})).length;" } }] },
        { text: "done" },
      ],
    });
    try {
      const { code, stderr, children } = await cli(["agent", "Count the events."], dir, {
        OPENAI_BASE_URL: fixture.baseURL,
      });
      expect(code, stderr).toBe(0);
      expect(stderr).toContain("program ok");
      expect(vmChildren(children)).toHaveLength(VM_CHILDREN);
      expect(children).toHaveLength(VM_CHILDREN);
    } finally {
      await fixture.close();
    }
  });

  it("agent in classic mode starts no runtime", async () => {
    const fixture = await startOpenAiFixture({ replies: [{ text: "nothing to do" }] });
    try {
      const { code, stderr, children } = await cli(["agent", "Say hi.", "--mode", "classic"], dir, {
        OPENAI_BASE_URL: fixture.baseURL,
      });
      expect(code, stderr).toBe(0);
      expect(children).toEqual([]);
    } finally {
      await fixture.close();
    }
  });
});
