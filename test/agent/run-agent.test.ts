import { afterAll, describe, expect, it } from "vitest";
import { type AgentEvent, runAgent } from "../../src/agent/index.ts";
import { type Tool, VmExecutor } from "../../src/index.ts";
import { mockModel, toolResults } from "./mock-model.ts";

const executor = new VmExecutor({ processes: 1 });
afterAll(() => executor.close());

function weatherTools(): Tool[] {
  const temps: Record<string, number> = { paris: 14, oslo: 3, rome: 19 };
  return [
    {
      name: "list_cities",
      description: "The cities we track.",
      inputSchema: { type: "object", properties: {}, additionalProperties: false },
      execute: () => Object.keys(temps),
    },
    {
      name: "temperature",
      namespace: "weather",
      description: "Current temperature of a city, in °C.",
      inputSchema: {
        type: "object",
        properties: { city: { type: "string" } },
        required: ["city"],
        additionalProperties: false,
      },
      outputSchema: { type: "number" },
      execute: ({ city }: { city: string }) => {
        if (!(city in temps)) throw new Error(`unknown city ${city}`);
        return temps[city];
      },
    },
  ];
}

describe("runAgent, classic mode", () => {
  it("guards the model's own calls with the approval policy: asked, refused as a tool error, never run", async () => {
    const ran: string[] = [];
    const tools = weatherTools().map((tool) => ({
      ...tool,
      execute: (input: never, context: never) => {
        ran.push(tool.name);
        return tool.execute(input, context);
      },
    }));
    const model = mockModel((options, call) => {
      if (call === 0) return { calls: [{ tool: "list_cities", input: {} }] };
      if (call === 1) return { calls: [{ tool: "weather__temperature", input: { city: "oslo" } }] };
      return {
        text: toolResults(options)
          .map((r) => `${r.type}: ${r.text}`)
          .join(" | "),
      };
    });
    const asked: string[] = [];
    const run = await runAgent({
      model,
      tools,
      mode: "classic",
      prompt: "Oslo?",
      codeMode: { approval: { require: ["weather.*"] } },
      approve: ({ tool, input }) => {
        asked.push(`${tool} ${JSON.stringify(input)}`);
        return { approved: false, reason: "not now" };
      },
    });
    expect(asked).toEqual(['weather.temperature {"city":"oslo"}']);
    expect(ran).toEqual(["list_cities"]);
    expect(run.text).toMatch(/error-text: .*weather\.temperature was not approved \(not now\)\. It did not run/);
    expect(run.toolCalls.map((c) => [c.tool, c.ok])).toEqual([
      ["list_cities", true],
      ["weather.temperature", false],
    ]);
  });

  it("offers every tool, runs one call per round trip and feeds each result back", async () => {
    const model = mockModel((options, call) => {
      const results = toolResults(options);
      if (call === 0) return { calls: [{ tool: "list_cities", input: {} }] };
      const cities = JSON.parse(results[0]!.text) as string[];
      if (results.length <= cities.length)
        return { calls: [{ tool: "weather__temperature", input: { city: cities[results.length - 1] } }] };
      return {
        text: `Warmest: ${results
          .slice(1)
          .map((r) => r.text)
          .join(", ")}`,
      };
    });
    const events: AgentEvent[] = [];
    const run = await runAgent({
      model,
      tools: weatherTools(),
      mode: "classic",
      prompt: "Which city is warmest?",
      onEvent: (e) => events.push(e),
    });

    expect(run.text).toBe("Warmest: 14, 3, 19");
    expect(run.modelCalls).toBe(5);
    expect(run.steps).toHaveLength(5);
    expect(run.toolCalls.map((c) => c.tool)).toEqual([
      "list_cities",
      "weather.temperature",
      "weather.temperature",
      "weather.temperature",
    ]);
    expect(run.toolCalls.every((c) => c.ok)).toBe(true);
    expect(run.steps[1]!.toolCalls).toEqual([{ tool: "weather.temperature", input: { city: "paris" } }]);
    expect(run.usage).toEqual({ inputTokens: 500, outputTokens: 50, totalTokens: 550 });
    expect(run.programs).toEqual([]);
    const offered = model.doGenerateCalls[0]!.tools!.map((t) => t.name);
    expect(offered).toEqual(["list_cities", "weather__temperature"]);
    expect(events.filter((e) => e.type === "tool-call")).toHaveLength(4);
    expect(events[0]).toEqual({ type: "step-start", step: 0 });
  });

  it("sends a tool's error, and an invalid input, back to the model as the call's result", async () => {
    const model = mockModel((_options, call) => {
      if (call === 0) return { calls: [{ tool: "weather__temperature", input: { city: "lima" } }] };
      if (call === 1) return { calls: [{ tool: "weather__temperature", input: { town: "rome" } }] };
      return { text: "gave up" };
    });
    const run = await runAgent({ model, tools: weatherTools(), mode: "classic", prompt: "Lima?" });
    const seen = toolResults(model.doGenerateCalls[2]!);
    expect(seen[0]).toMatchObject({ type: "error-text", text: expect.stringContaining("unknown city lima") });
    expect(seen[1]!.text).toContain("weather.temperature got invalid input");
    expect(run.toolCalls.map((c) => c.ok)).toEqual([false, false]);
    expect(run.steps[0]!.toolResults[0]).toMatchObject({ tool: "weather.temperature", ok: false });
  });
});

describe("runAgent, code mode", () => {
  it("offers execute_code only; a failed program goes back as text, the fix runs, then the answer", async () => {
    const broken = "const t = await api.weather.temperature({ town: 'rome' });\nreturn t;";
    const fixed =
      "const cities = await api.list_cities({});\nconst temps = await Promise.all(cities.map((city) => api.weather.temperature({ city })));\nreturn Object.fromEntries(cities.map((c, i) => [c, temps[i]]));";
    const model = mockModel((options) => {
      const results = toolResults(options);
      const last = results.at(-1);
      if (!last) return { calls: [{ tool: "execute_code", input: { code: broken } }] };
      if (last.text.startsWith("Error")) return { calls: [{ tool: "execute_code", input: { code: fixed } }] };
      return { text: `Done. ${last.text.split("\n").slice(1).join(" ")}` };
    });
    const events: AgentEvent[] = [];
    const run = await runAgent({
      model,
      tools: weatherTools(),
      mode: "code",
      prompt: "Temperatures of every city?",
      // The bridge's answer to a wrong call is under test: the type check would stop it first.
      codeMode: { runtime: executor, typecheck: "off" },
      onEvent: (e) => events.push(e),
    });

    const offered = model.doGenerateCalls[0]!.tools!;
    expect(offered.map((t) => t.name)).toEqual(["execute_code"]);
    expect((offered[0] as { description: string }).description).toContain("declare const api");
    expect(run.modelCalls).toBe(3);
    expect(run.programs).toHaveLength(2);
    expect(run.programs[0]!.result).toMatchObject({ ok: false, error: { kind: "type", line: 1 } });
    expect(run.programs[1]!.result).toMatchObject({ ok: true, result: { paris: 14, oslo: 3, rome: 19 } });
    // The error text the model read names the problem and how to fix it.
    const firstResult = toolResults(model.doGenerateCalls[1]!)[0]!;
    expect(firstResult.type).toBe("text");
    expect(firstResult.text).toMatch(/Error \(type\) at line 1.*api\.weather\.temperature got invalid input/s);
    // Calls inside programs count, the refused one too.
    expect(run.toolCalls.map((c) => [c.tool, c.ok, c.program])).toEqual([
      ["list_cities", true, 1],
      ["weather.temperature", true, 1],
      ["weather.temperature", true, 1],
      ["weather.temperature", true, 1],
    ]);
    expect(run.text).toContain('"rome":19');
    expect(run.steps[0]!.toolResults[0]).toMatchObject({ tool: "execute_code", ok: false });
    // Progress shows each program and each call inside it, live.
    const kinds = events.map((e) => (e.type === "tool-call" ? `call ${e.tool} ${e.inProgram}` : e.type));
    expect(kinds).toContain("call weather.temperature true");
    expect(kinds.filter((k) => k === "program")).toHaveLength(2);
  });

  it("reports each program's events as they happen, between the program and its result", async () => {
    const code =
      'console.log("listing");\nconst cities = await api.list_cities({});\nreturn await api.weather.temperature({ city: cities[0] });';
    const model = mockModel((_options, call) =>
      call === 0 ? { calls: [{ tool: "execute_code", input: { code } }] } : { text: "14" },
    );
    const events: AgentEvent[] = [];
    await runAgent({
      model,
      tools: weatherTools(),
      mode: "code",
      prompt: "Paris?",
      codeMode: { runtime: executor, typecheck: "off" },
      onEvent: (e) => events.push(e),
    });
    const lines = events
      .filter((e) => e.type === "program" || e.type === "program-event" || e.type === "program-result")
      .map((e) => {
        if (e.type !== "program-event") return e.type;
        const { event } = e;
        return `${e.step} ${event.type}${event.type === "log" ? ` ${event.message}` : ""}${"tool" in event ? ` ${event.tool}` : ""}`;
      });
    expect(lines).toEqual([
      "program",
      "0 start",
      "0 log listing",
      "0 tool-start list_cities",
      "0 tool-end list_cities",
      "0 tool-start weather.temperature",
      "0 tool-end weather.temperature",
      "0 end",
      "program-result",
    ]);
    // The calls the observer reports are still there, as before.
    expect(events.filter((e) => e.type === "tool-call").map((e) => e.type === "tool-call" && e.tool)).toEqual([
      "list_cities",
      "weather.temperature",
    ]);
  });

  it("tells a program why nobody can approve a call, in the words the front end gives", async () => {
    const code = "try { return await api.weather.temperature({ city: 'oslo' }); } catch (e) { return String(e); }";
    const model = mockModel((_options, call) =>
      call === 0 ? { calls: [{ tool: "execute_code", input: { code } }] } : { text: "refused" },
    );
    const events: AgentEvent[] = [];
    const run = await runAgent({
      model,
      tools: weatherTools(),
      mode: "code",
      prompt: "Oslo?",
      codeMode: { runtime: executor, typecheck: "off", approval: { require: ["weather.*"] } },
      approvalUnavailable: "this agent runs unattended",
      onEvent: (e) => events.push(e),
    });
    expect(run.programs[0]!.result.result).toMatch(/needs a person's approval.*this agent runs unattended/);
    expect(run.toolCalls).toEqual([expect.objectContaining({ tool: "weather.temperature", ok: false })]);
    const approvals = events.flatMap((e) =>
      e.type === "program-event" && e.event.type === "approval" ? [e.event] : [],
    );
    // Nobody is asked, so the refusal comes without an "asked" first.
    expect(approvals).toMatchObject([
      { tool: "weather.temperature", state: "refused", reason: expect.stringContaining("runs unattended") },
    ]);
  });

  it("stops at maxSteps and says so", async () => {
    const model = mockModel(() => ({ calls: [{ tool: "execute_code", input: { code: "return 1" } }] }));
    const run = await runAgent({
      model,
      tools: weatherTools(),
      mode: "code",
      prompt: "loop",
      maxSteps: 2,
      codeMode: { runtime: executor },
    });
    expect(run.modelCalls).toBe(2);
    expect(run.stoppedAtMaxSteps).toBe(true);
    expect(run.programs.map((p) => p.result.result)).toEqual([1, 1]);
  });
});
