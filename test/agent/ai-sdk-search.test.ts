// toAiSdkSearchTool: the same search as api.$search, as a second AI SDK tool beside execute_code.
import { generateText, stepCountIs } from "ai";
import { afterAll, describe, expect, it } from "vitest";
import examples from "../../examples/tools.ts";
import { toAiSdkSearchTool, toAiSdkTool } from "../../src/agent/index.ts";
import { createCodeModeTool, SEARCH_TOOL_NAME, ToolRegistry, VmExecutor } from "../../src/index.ts";
import { mockModel, toolResults } from "./mock-model.ts";

const executor = new VmExecutor({ processes: 1 });
const codeTool = createCodeModeTool(new ToolRegistry(examples), { runtime: executor, catalog: { mode: "index" } });
afterAll(async () => {
  await codeTool.close();
  await executor.close();
});

describe("toAiSdkSearchTool", () => {
  it("lets the model search, then call what it found in a program", async () => {
    const model = mockModel((options, call) => {
      if (call === 0)
        return { calls: [{ tool: SEARCH_TOOL_NAME, input: { query: "list calendar events", limit: 1 } }] };
      if (call === 1) {
        const found = toolResults(options)[0]!.text;
        const name = found.split(":")[0]!;
        return { calls: [{ tool: "execute_code", input: { code: `return (await api.${name}({})).length;` } }] };
      }
      return {
        text: toolResults(options)
          .map((r) => r.text)
          .join("\n---\n"),
      };
    });
    const result = await generateText({
      model,
      tools: { execute_code: toAiSdkTool(codeTool), [SEARCH_TOOL_NAME]: toAiSdkSearchTool(codeTool) },
      prompt: "How many events are in the calendar?",
      stopWhen: stepCountIs(4),
    });
    const [search, program] = result.text.split("\n---\n");
    expect(search).toMatch(
      /^list_events: List calendar events, optionally only those of one attendee\ndeclare const api/,
    );
    expect(program).toBe("Result:\n0\n\nTool calls: 1");
    // The app keeps the matches as data.
    expect(result.steps[0]!.toolResults[0]!.output).toEqual([
      expect.objectContaining({ name: "list_events", declaration: expect.stringContaining("list_events(") }),
    ]);
  });

  it("answers a bad query with the error for the model to fix", async () => {
    const search = toAiSdkSearchTool(codeTool);
    const output = await search.execute!({ query: "   " }, { toolCallId: "1", messages: [], context: {} } as never);
    expect(output).toEqual({ error: expect.stringMatching(/needs a query/) });
  });
});
