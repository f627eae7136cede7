// The execute_code tool end to end on the vm runtime: description, results, text, bridge rules.
import { afterAll, describe, expect, it } from "vitest";
import { createCodeModeTool, type Tool, ToolRegistry } from "../../src/index.ts";
import { testTools } from "../support/tools.ts";

const fixtures = testTools();
const registry = new ToolRegistry(fixtures.tools);
const approvals: string[] = [];
const tool = createCodeModeTool(registry, {
  runtime: "vm",
  timeout: 5,
  approve: ({ tool: name }) => {
    approvals.push(name);
    return name !== "echo";
  },
});
afterAll(() => tool.close());

describe("execute_code", () => {
  it("has the DESIGN's name and input schema, and a description with the declarations", () => {
    expect(tool.name).toBe("execute_code");
    expect(tool.inputSchema).toMatchObject({
      type: "object",
      required: ["code"],
      properties: { code: { type: "string" } },
    });
    expect(tool.description).toContain("declare const api");
    expect(tool.description).toContain("add(input: { a: number; b: number }): Promise<number>;");
  });

  it("regenerates the description when the registry changes", () => {
    const extra: Tool = {
      name: "late_tool",
      description: "Added later.",
      inputSchema: { type: "object" },
      execute: () => "late",
    };
    expect(tool.description).not.toContain("late_tool");
    registry.register(extra);
    expect(tool.description).toContain("late_tool");
    registry.unregister("late_tool");
    expect(tool.description).not.toContain("late_tool");
  });

  it("chains calls, runs them in parallel, and returns a structured result and a text", async () => {
    const { result, text } = await tool.execute({
      code: `const [x, y] = await Promise.all([api.add({ a: 1, b: 2 }), api.add({ a: 3, b: 4 })]);
console.log("sum parts", x, y);
return { total: await api.add({ a: x, b: y }) };`,
    });
    expect(result).toMatchObject({
      ok: true,
      result: { total: 10 },
      runtime: "vm",
      logs: [{ level: "log", message: "sum parts 3 7" }],
    });
    expect(result.toolCalls.map((c) => c.tool)).toEqual(["add", "add", "add"]);
    expect(result.toolCalls.every((c) => c.ok && c.ms >= 0)).toBe(true);
    expect(text).toContain('Result:\n{"total":10}');
    expect(text).toContain("sum parts 3 7");
    expect(text).toContain("Tool calls: 3");
  });

  it("gives the model the error kind, line and a hint", async () => {
    const { text, result } = await tool.execute({ code: "const n = 1;\nreturn n.toFixed(200);" });
    expect(result.error).toMatchObject({ kind: "runtime", line: 2 });
    expect(text).toMatch(/^Error \(runtime\) at line 2, column \d+: RangeError/);
    expect(text).toMatch(/Hint: /);
  });

  it("asks the approval hook before every call and reports a refusal as a tool error", async () => {
    approvals.length = 0;
    const { result } = await tool.execute({
      code: "await api.add({ a: 1, b: 1 });\nreturn await api.echo({ secret: 1 });",
    });
    expect(approvals).toEqual(["add", "echo"]);
    expect(result.error?.kind).toBe("tool");
    expect(result.error?.message).toMatch(/api\.echo was not approved\. It did not run/);
    expect(fixtures.echoed).toEqual([]);
  });

  it("hands tools an AbortSignal that fires when the execution ends", async () => {
    let signal: AbortSignal | undefined;
    registry.register({
      name: "grab_signal",
      description: "keeps its signal",
      inputSchema: { type: "object" },
      execute: (_input, context) => {
        signal = context.signal;
        return "ok";
      },
    });
    await tool.execute({ code: "return await api.grab_signal({});" });
    registry.unregister("grab_signal");
    expect(signal?.aborted).toBe(true);
  });

  it("refuses a missing code argument clearly", async () => {
    const { result } = await tool.execute({} as { code: string });
    expect(result.error).toMatchObject({ kind: "syntax", message: expect.stringMatching(/must be a string/) });
  });

  it("serves several executions at once", async () => {
    const runs = await Promise.all(
      Array.from({ length: 12 }, (_, i) => tool.execute({ code: `return await api.add({ a: ${i}, b: 1000 });` })),
    );
    expect(runs.map((r) => r.result.result)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1000));
  });

  it("lets go of its registry and refuses work once closed", async () => {
    const before = registry.listenerCount("change");
    const extra = createCodeModeTool(registry, { runtime: "vm" });
    expect(registry.listenerCount("change")).toBe(before + 1);
    await extra.close();
    expect(registry.listenerCount("change")).toBe(before);
    await expect(extra.execute({ code: "return 1;" })).rejects.toThrow(/was closed; create a new one/);
  });

  it("cuts a long text for the model and says so", async () => {
    const small = createCodeModeTool(registry, { runtime: "vm", maxTextChars: 600 });
    try {
      const { text } = await small.execute({ code: "return Array.from({ length: 500 }, (_, i) => 'item ' + i);" });
      expect(text.length).toBeLessThan(800);
      expect(text).toMatch(/cut: \d+ more characters not shown/);
    } finally {
      await small.close();
    }
  });
});
