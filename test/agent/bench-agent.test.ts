// The agent benchmark's shape: deterministic counts from scripted models, not timings.
import { beforeAll, describe, expect, it } from "vitest";
import { type AgentBench, benchAgent, formatAgentBench } from "../../bench/agent.ts";
import { SCENARIOS } from "../../bench/scenarios/scenarios.ts";

describe("benchAgent", () => {
  let bench: AgentBench;
  beforeAll(async () => {
    bench = await benchAgent();
  }, 120_000);

  it("covers at least eight multi-step tasks of the kinds issue 5 names", () => {
    const names = Object.keys(bench).filter((k) => k !== "total");
    expect(names.length).toBeGreaterThanOrEqual(8);
    const kinds = names.map((n) => bench[n]!.kind);
    for (const kind of [
      "fan-out over a list",
      "filter then act",
      "aggregate",
      "conditional branches",
      "retry after a tool error",
      "parallel calls",
      "a long chain",
      "mixed-server task",
    ]) {
      expect(kinds).toContain(kind);
    }
  });

  it("code mode needs at most 2 model calls per scenario (3 with a fix); classic needs a round trip per call", () => {
    for (const scenario of SCENARIOS) {
      const { classic, code } = bench[scenario.name]!;
      expect(code.modelCalls, scenario.name).toBe(scenario.firstAttemptFails ? 3 : 2);
      expect(classic.modelCalls, scenario.name).toBe(scenario.classicModelCalls);
      // N tool calls, one per round trip, plus the answer; parallel calls share a round trip.
      if (scenario.kind !== "parallel calls") expect(classic.modelCalls, scenario.name).toBe(classic.toolCalls + 1);
      // Same work in both modes (benchAgent also checks the world's final state).
      if (!scenario.firstAttemptFails) expect(code.toolCalls, scenario.name).toBe(classic.toolCalls);
    }
  });

  it("sends fewer prompt tokens in code mode, per scenario and in total", () => {
    for (const [name, { classic, code }] of Object.entries(bench)) {
      expect(code.promptTokens, name).toBeLessThan(classic.promptTokens);
    }
    const { classic, code } = bench.total!;
    expect(classic.modelCalls).toBe(SCENARIOS.reduce((sum, s) => sum + s.classicModelCalls, 0));
    expect(code.promptTokens).toBeLessThan(classic.promptTokens * 0.6);
  });

  it("formats a side-by-side table", () => {
    const table = formatAgentBench(bench);
    expect(table.split("\n")).toHaveLength(Object.keys(bench).length + 2);
    expect(table).toMatch(/\| \*\*total\*\* \| all scenarios \| \d+ \/ \d+ \|/);
  });
});
