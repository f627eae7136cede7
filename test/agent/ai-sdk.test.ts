import { generateText, jsonSchema, stepCountIs, tool } from "ai";
import { afterAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { fromAiSdkTools, toAiSdkTool } from "../../src/agent/index.ts";
import { type CodeModeToolOutput, createCodeModeTool, ToolRegistry, VmExecutor } from "../../src/index.ts";
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
    const codeTool = createCodeModeTool(registry, { runtime: executor });
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
