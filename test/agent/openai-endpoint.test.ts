// End to end over real HTTP: the OpenAI-compatible provider package talks to a local fixture server.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAgent } from "../../src/agent/index.ts";
import { resolveModel } from "../../src/agent/model.ts";
import type { Tool } from "../../src/index.ts";
import { type ScriptedReply, startOpenAiFixture, toolMessages } from "../fixtures/openai-server.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const CLI = join(ROOT, "bin/code-mode.js");

// A port nothing listens on: bind one, then let it go.
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function counterTools(): Tool[] {
  let value = 0;
  return [
    {
      name: "increment",
      description: "Adds `by` to the counter and returns the new value.",
      inputSchema: {
        type: "object",
        properties: { by: { type: "integer" } },
        required: ["by"],
        additionalProperties: false,
      },
      execute: ({ by }: { by: number }) => (value += by),
    },
  ];
}

describe("runAgent over HTTP with @ai-sdk/openai-compatible", () => {
  it("classic mode: tools go out as functions, results come back as tool messages", async () => {
    const fixture = await startOpenAiFixture({
      apiKey: "sk-fixture",
      replies: [
        { toolCalls: [{ name: "increment", arguments: { by: 2 } }] },
        { toolCalls: [{ name: "increment", arguments: { by: 3 } }] },
        (request) => ({ text: `counter is ${toolMessages(request).at(-1)}` }),
      ],
    });
    try {
      const { model } = resolveModel("openai:fixture-model", {
        OPENAI_BASE_URL: fixture.baseURL,
        OPENAI_API_KEY: "sk-fixture",
      });
      const run = await runAgent({ model, tools: counterTools(), mode: "classic", prompt: "Add 2 then 3." });
      expect(run.text).toBe("counter is 5");
      expect(run.modelCalls).toBe(3);
      expect(fixture.requests).toHaveLength(3);
      const first = fixture.requests[0]!;
      expect(first.authorization).toBe("Bearer sk-fixture");
      expect(first.body.model).toBe("fixture-model");
      expect(first.body.tools!.map((t) => t.function.name)).toEqual(["increment"]);
      expect(toolMessages(fixture.requests[2]!.body)).toEqual(["2", "5"]);
      expect(run.usage.inputTokens).toBeGreaterThan(0);
    } finally {
      await fixture.close();
    }
  });

  it("code mode: one program on the vm runtime, its text read back, then the answer", async () => {
    const code = "let v = 0;\nfor (const by of [2, 3, 4]) v = await api.increment({ by });\nreturn v;";
    const fixture = await startOpenAiFixture({
      replies: [
        { toolCalls: [{ name: "execute_code", arguments: { code } }] },
        (request) => ({ text: toolMessages(request)[0]! }),
      ],
    });
    try {
      const { model } = resolveModel("fixture-model", { OPENAI_BASE_URL: fixture.baseURL });
      const run = await runAgent({
        model,
        tools: counterTools(),
        mode: "code",
        prompt: "Add 2, 3, 4.",
        // Patient: a cold type check skipped on a loaded machine would add a warning to the text.
        codeMode: { runtime: "vm", typecheckTimeout: 120 },
      });
      expect(fixture.requests[0]!.body.tools!.map((t) => t.function.name)).toEqual(["execute_code"]);
      expect(fixture.requests[0]!.body.tools![0]!.function.description).toContain("increment(input:");
      expect(fixture.requests[0]!.authorization).toBeUndefined();
      expect(run.text).toBe("Result:\n9\n\nTool calls: 3");
      expect(run.modelCalls).toBe(2);
      expect(run.toolCalls.map((c) => c.tool)).toEqual(["increment", "increment", "increment"]);
    } finally {
      await fixture.close();
    }
  });
});

describe("code-mode agent (CLI) against the fixture", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "code-mode-agent-"));
    writeFileSync(
      join(dir, "code-mode.json5"),
      `{ codeMode: { runtime: "vm" }, tools: [${JSON.stringify(join(ROOT, "examples/tools.ts"))}], model: "openai:fixture-model" }`,
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function cli(args: string[], env: Record<string, string>) {
    return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const clean = Object.fromEntries(
        Object.entries(process.env).filter(([k]) => !/^(OPENAI|ANTHROPIC|CODE_MODE)_/.test(k)),
      );
      execFile(
        process.execPath,
        [CLI, "agent", ...args],
        { cwd: dir, env: { ...clean, ...env }, timeout: 60_000 },
        (error, stdout, stderr) =>
          resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr }),
      );
    });
  }

  it("code mode --json: progress on stderr, the whole run on stdout", async () => {
    const code =
      'const notes = await api.memory_read({ tag: "ada" });\nawait api.memory_write({ text: "Ada has " + notes.length + " notes", tags: ["ada"] });\nreturn notes.length;';
    const replies: ScriptedReply[] = [
      { toolCalls: [{ name: "execute_code", arguments: { code } }] },
      { text: "Ada has 2 notes." },
    ];
    const fixture = await startOpenAiFixture({ replies });
    try {
      const {
        code: exit,
        stdout,
        stderr,
      } = await cli(["How many notes about Ada?", "--json"], { OPENAI_BASE_URL: fixture.baseURL });
      expect(exit, stderr).toBe(0);
      const run = JSON.parse(stdout);
      expect(run).toMatchObject({
        mode: "code",
        text: "Ada has 2 notes.",
        modelCalls: 2,
        model: { id: "fixture-model" },
      });
      expect(run.programs[0].result).toMatchObject({ ok: true, result: 2, runtime: "vm" });
      expect(run.toolCalls.map((c: { tool: string }) => c.tool)).toEqual(["memory_read", "memory_write"]);
      expect(stderr).toContain("step 1: asking the model");
      expect(stderr).toContain("→ memory_read");
      expect(stderr).toContain("program ok (2 calls");
    } finally {
      await fixture.close();
    }
  });

  it("decides the calls that need approval by --approve and --deny, in programs", async () => {
    const code =
      'const notes = await api.memory_read({ tag: "ada" });\nawait api.memory_write({ text: "x", tags: [] });\nreturn notes.length;';
    const fixture = await startOpenAiFixture({
      replies: [{ toolCalls: [{ name: "execute_code", arguments: { code } }] }, { text: "Could not write." }],
    });
    try {
      const flags = ["--require-approval", "memory_*", "--approve", "memory_read", "--deny", "*_write"];
      const {
        code: exit,
        stdout,
        stderr,
      } = await cli(["Note it.", "--json", ...flags], {
        OPENAI_BASE_URL: fixture.baseURL,
      });
      expect(exit, stderr).toBe(0);
      const run = JSON.parse(stdout);
      expect(run.programs[0].result.error.message).toMatch(
        /^api\.memory_write was not approved \(--deny \*_write\)\. It did not run/,
      );
      expect(run.toolCalls.map((c: { tool: string; ok: boolean }) => [c.tool, c.ok])).toEqual([
        ["memory_read", true],
        ["memory_write", false],
      ]);
      const bad = await cli(["x", "--deny", "memory write"], { OPENAI_BASE_URL: fixture.baseURL });
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('--deny "memory write" is not a tool pattern');
    } finally {
      await fixture.close();
    }
  });

  it("classic mode prints the answer alone on stdout", async () => {
    const fixture = await startOpenAiFixture({
      replies: [{ toolCalls: [{ name: "list_events", arguments: {} }] }, { text: "No events yet." }],
    });
    try {
      const result = await cli(["What is on the calendar?", "--mode", "classic", "--model", "openai:other"], {
        OPENAI_BASE_URL: fixture.baseURL,
      });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toBe("No events yet.\n");
      expect(result.stderr).toContain("→ list_events {}");
      expect(fixture.requests[0]!.body.model).toBe("other");
      expect(fixture.requests[0]!.body.tools).toHaveLength(4);
    } finally {
      await fixture.close();
    }
  });

  it("says which variable or URL to set when the key is missing, refused, or the endpoint is down", async () => {
    const noKey = await cli(["task"], {});
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toMatch(/needs OPENAI_API_KEY.*OPENAI_BASE_URL/);

    const anthropic = await cli(["task", "--model", "anthropic:claude-sonnet-4-5"], {});
    expect(anthropic.code).toBe(2);
    expect(anthropic.stderr).toContain("needs ANTHROPIC_API_KEY");

    const port = await closedPort();
    const down = await cli(["task"], { OPENAI_BASE_URL: `http://127.0.0.1:${port}/v1` });
    expect(down.code).toBe(2);
    expect(down.stderr).toContain(`Cannot reach the model endpoint http://127.0.0.1:${port}/v1 (ECONNREFUSED`);
    expect(down.stderr).toContain("set OPENAI_BASE_URL");

    const fixture = await startOpenAiFixture({ apiKey: "right", replies: [] });
    try {
      const refused = await cli(["task"], { OPENAI_BASE_URL: fixture.baseURL, OPENAI_API_KEY: "wrong" });
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain("refused the request (HTTP 401): set OPENAI_API_KEY");
    } finally {
      await fixture.close();
    }
  });
});
