import { generateText, jsonSchema, stepCountIs, streamText, tool } from "ai";
import { afterAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { type CodeModeProgress, fromAiSdkTools, toAiSdkTool } from "../../src/agent/index.ts";
import {
  type CodeModeTool,
  type CodeModeToolOutput,
  createCodeModeTool,
  ToolRegistry,
  VmExecutor,
} from "../../src/index.ts";
import { mockModel, toolResults } from "./mock-model.ts";

const executor = new VmExecutor({ processes: 1 });
afterAll(() => executor.close());

const sdkTools = {
  add: tool({
    description: "Add two numbers.",
    inputSchema: z.object({ a: z.number(), b: z.number().default(10) }),
    outputSchema: z.object({ sum: z.number() }),
    execute: async ({ a, b }) => ({ sum: a + b }),
  }),
  shout: tool({
    description: "Upper-case a word.",
    inputSchema: jsonSchema<{ word: string }>({
      type: "object",
      properties: { word: { type: "string" } },
      required: ["word"],
    }),
    execute: ({ word }) => word.toUpperCase(),
  }),
  count: tool({
    description: "Counts to n, streaming.",
    inputSchema: z.object({ n: z.number().int() }),
    async *execute({ n }) {
      for (let i = 1; i <= n; i++) yield i;
    },
  }),
};

describe("fromAiSdkTools", () => {
  it("makes registry tools from zod and JSON Schema inputs, typed from outputSchema", async () => {
    const tools = await fromAiSdkTools(sdkTools);
    expect(tools.map((t) => t.name)).toEqual(["add", "shout", "count"]);
    expect(tools[0]!.inputSchema).toMatchObject({
      type: "object",
      properties: { a: { type: "number" } },
      required: ["a"],
    });
    const codeTool = createCodeModeTool(new ToolRegistry(tools), { runtime: executor });
    // The input is typed from zod's schema (with its default), the result from its outputSchema.
    expect(codeTool.declarations).toMatch(/add\(input: \{[\s\S]*?b\?: number;[\s\S]*?\}\): Promise<\{ sum: number \}>/);
    const { result } = await codeTool.execute({
      code: "const s = await api.add({ a: 1 });\nreturn [s.sum, await api.shout({ word: 'hi' }), await api.count({ n: 3 })];",
    });
    // zod's default applied, the streamed tool's last value kept.
    expect(result).toMatchObject({ ok: true, result: [11, "HI", 3] });
  });

  it("puts tools under a namespace and refuses tools without execute", async () => {
    const [added] = await fromAiSdkTools({ add: sdkTools.add }, { namespace: "math" });
    expect(added).toMatchObject({ name: "add", namespace: "math" });
    const clientSide = tool({ description: "asks the user", inputSchema: z.object({}) });
    await expect(fromAiSdkTools({ ask: clientSide })).rejects.toThrow(/"ask" has no execute function/);
  });
});

describe("toAiSdkTool", () => {
  it("adds Code Mode to a generateText app: the model reads the text, the app keeps the result", async () => {
    const registry = new ToolRegistry(await fromAiSdkTools(sdkTools));
    // Patient: a cold type check skipped on a loaded machine would add a warning to the text.
    const codeTool = createCodeModeTool(registry, { runtime: executor, typecheckTimeout: 120 });
    const model = mockModel((options, call) =>
      call === 0
        ? { calls: [{ tool: "execute_code", input: { code: "return (await api.add({ a: 2, b: 3 })).sum" } }] }
        : { text: toolResults(options)[0]!.text },
    );
    const result = await generateText({
      model,
      tools: { execute_code: toAiSdkTool(codeTool) },
      prompt: "2+3",
      stopWhen: stepCountIs(3),
    });
    expect(result.text).toBe("Result:\n5\n\nTool calls: 1");
    const output = result.steps[0]!.toolResults[0]!.output as CodeModeToolOutput;
    expect(output.result).toMatchObject({ ok: true, result: 5, toolCalls: [{ tool: "add", ok: true }] });
    // The description follows the registry.
    const sdkTool = toAiSdkTool(codeTool);
    registry.register({ name: "late", description: "added later", inputSchema: { type: "object" }, execute: () => 1 });
    expect(sdkTool.description).toContain("late");
  });
});

describe("toAiSdkTool in streamText", () => {
  const program = [
    'console.log("adding");',
    "const s = await api.add({ a: 2, b: 3 });",
    'console.warn("sum", s.sum);',
    'return await api.shout({ word: "done" });',
  ].join("\n");

  async function streamProgram(codeTool: CodeModeTool, options?: { progress: boolean }) {
    const model = mockModel((opts, call) =>
      call === 0
        ? { calls: [{ tool: "execute_code", input: { code: program } }] }
        : { text: toolResults(opts)[0]!.text },
    );
    const stream = streamText({
      model,
      tools: { execute_code: toAiSdkTool(codeTool, options) },
      prompt: "add and shout",
      stopWhen: stepCountIs(3),
    });
    const results: { preliminary: boolean; output: unknown }[] = [];
    for await (const part of stream.fullStream) {
      if (part.type === "tool-result") results.push({ preliminary: part.preliminary === true, output: part.output });
    }
    return { results, text: await stream.text };
  }

  it("streams the program's events as preliminary results, in order, before the unchanged final result", async () => {
    const registry = new ToolRegistry(await fromAiSdkTools(sdkTools));
    const codeTool = createCodeModeTool(registry, { runtime: executor, typecheck: "off" });
    const { results, text } = await streamProgram(codeTool);

    const final = results.at(-1)!;
    expect(final.preliminary).toBe(false);
    expect(results.slice(0, -1).every((r) => r.preliminary)).toBe(true);
    const output = final.output as CodeModeToolOutput;
    expect(output.result).toMatchObject({
      ok: true,
      result: "DONE",
      logs: [{ message: "adding" }, { message: "sum 5" }],
    });
    // The model read the usual text, not progress.
    expect(text).toBe(output.text);
    expect(text).toMatch(/^Result:\n"DONE"/);

    const progress = results.filter((r) => r.preliminary && "status" in (r.output as object)).map((r) => r.output);
    expect(progress.length).toBeGreaterThan(1);
    const last = progress.at(-1) as CodeModeProgress;
    expect(last).toMatchObject({ status: "running", toolCalls: 2 });
    expect(last.recent).toEqual([
      "started on the vm runtime",
      "console.log: adding",
      "#1 api.add started",
      expect.stringMatching(/^#1 api\.add ok in \d+ ms$/),
      "console.warn: sum 5",
      "#2 api.shout started",
      expect.stringMatching(/^#2 api\.shout ok in /),
      expect.stringMatching(/^finished in \d+ ms$/),
    ]);
    // Each value extends the one before: the lines arrive in the order they happened.
    for (const [i, value] of progress.entries()) {
      const { recent } = value as CodeModeProgress;
      expect(recent).toEqual(last.recent.slice(0, recent.length));
      if (i > 0) expect(recent.length).toBeGreaterThan((progress[i - 1] as CodeModeProgress).recent.length);
    }
    // The AI SDK repeats the last yielded value as preliminary before the final: that is the output itself.
    expect(results.at(-2)!.output).toEqual(output);
  });

  it("with progress: false, gives the final result only", async () => {
    const registry = new ToolRegistry(await fromAiSdkTools(sdkTools));
    const codeTool = createCodeModeTool(registry, { runtime: executor, typecheck: "off" });
    const { results } = await streamProgram(codeTool, { progress: false });
    expect(results).toHaveLength(1);
    expect(results[0]!.preliminary).toBe(false);
    expect((results[0]!.output as CodeModeToolOutput).result).toMatchObject({ ok: true, result: "DONE" });
  });

  it("stops the program when the stream stops reading its progress", async () => {
    let aborted: (() => void) | undefined;
    const wasAborted = new Promise<void>((resolve) => (aborted = resolve));
    const registry = new ToolRegistry([
      {
        name: "wait",
        description: "Waits until cancelled.",
        inputSchema: { type: "object" },
        execute: (_input, { signal }) =>
          new Promise((_resolve, reject) =>
            signal.addEventListener("abort", () => {
              aborted?.();
              reject(signal.reason);
            }),
          ),
      },
    ]);
    const codeTool = createCodeModeTool(registry, { runtime: executor, typecheck: "off" });
    const execute = toAiSdkTool(codeTool).execute!;
    const values = execute({ code: "await api.wait({});" }, { toolCallId: "t", messages: [], context: {} });
    for await (const value of values as AsyncIterable<CodeModeProgress>) {
      if (value.recent.at(-1) === "#1 api.wait started") break;
    }
    // Resolves only if the program's call was cancelled; a hang fails the test by its timeout.
    await wasAborted;
  });
});
