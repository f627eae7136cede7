// Zero false blocks, checked mechanically: every example program and every scripted scenario
// program type-checks against its tools with nothing that would block it in "error" mode.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { SCENARIOS } from "../../bench/scenarios/scenarios.ts";
import { createWorkspace } from "../../bench/scenarios/workspace.ts";
import exampleTools from "../../examples/tools.ts";
import { generateDeclarations } from "../../src/index.ts";
import type { Tool } from "../../src/tools/tool.ts";
import { transpile } from "../../src/transpile/transpile.ts";
import { ProgramService } from "../../src/typecheck/service.ts";
import { checkedText } from "../../src/typecheck/type-check.ts";
import { fixtureTools } from "../typegen/type-check.ts";

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`../fixtures/schemas/${name}`, import.meta.url), "utf8")) as unknown;
// The MCP reference servers as examples/mcp and the mcp scenarios configure them.
const mcpTools = [
  ...fixtureTools(fixture("mcp-filesystem.json"), "files"),
  ...fixtureTools(fixture("mcp-memory.json"), "memory"),
];

/** The diagnostics that would block `code` against `tools`, as "line: words". */
function blocking(code: string, tools: readonly Tool[]): string[] {
  const service = new ProgramService(checkedText(generateDeclarations(tools)));
  const program = transpile(code);
  const found = service.check({
    source: program.source,
    lineOffset: program.lineOffset,
    lines: code.split("\n").length,
  });
  service.dispose();
  return found.filter((d) => d.misuse).map((d) => `${d.line}: ${d.message}`);
}

const example = (name: string) => readFileSync(new URL(`../../examples/programs/${name}`, import.meta.url), "utf8");

describe("no false blocks", () => {
  it("the example programs pass the check against their tools", () => {
    expect(blocking(example("demo.ts"), exampleTools)).toEqual([]);
    expect(blocking(example("mcp-demo.ts"), mcpTools)).toEqual([]);
  });

  const programs = SCENARIOS.flatMap((scenario) =>
    scenario.code({ filesDir: "/srv/files" }).programs.map((code, attempt) => ({ scenario, code, attempt })),
  );
  it.each(programs.map((p) => [`${p.scenario.name} #${p.attempt + 1}`, p] as const))(
    "scenario program %s passes the check (a deliberately wrong first attempt is blocked)",
    (_name, { scenario, code, attempt }) => {
      const tools = scenario.world === "office" ? createWorkspace().tools : mcpTools;
      const found = blocking(code, tools);
      if (scenario.firstAttemptFails && attempt === 0) expect(found).not.toEqual([]);
      else expect(found).toEqual([]);
    },
  );
});
