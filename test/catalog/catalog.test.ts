// The description's catalog on real catalogs: every declaration while they fit, else an index
// within its token budget; and the search's quality on the shared corpus.
import { readFileSync } from "node:fs";
import { countTokens } from "gpt-tokenizer/encoding/o200k_base";
import { afterAll, describe, expect, it } from "vitest";
import { CATALOG_QUERIES } from "../../bench/catalog-queries.ts";
import { CORPUS_MISSING, corpusTools } from "../../bench/corpus.ts";
import { generatedTools } from "../../bench/typegen.ts";
import examples from "../../examples/tools.ts";
import { parseConfig } from "../../src/config/index.ts";
import { resolveOptions } from "../../src/execute-code/options.ts";
import {
  type CodeModeOptions,
  type CodeModeTool,
  ConfigError,
  createCodeModeTool,
  generateDeclarations,
  type Tool,
  ToolRegistry,
  VmExecutor,
} from "../../src/index.ts";
import { estimateTokens } from "../../src/tokens/estimate-tokens.ts";
import { fixtureTools } from "../typegen/type-check.ts";

const fixture = (file: string) =>
  JSON.parse(readFileSync(new URL(`../fixtures/schemas/${file}`, import.meta.url), "utf8"));
const referenceServers = [
  ...fixtureTools(fixture("mcp-filesystem.json"), "files"),
  ...fixtureTools(fixture("mcp-memory.json"), "memory"),
];
const corpus = corpusTools();
if (!corpus) console.warn(`[code-mode tests] ${CORPUS_MISSING}`);

// Descriptions need no sandbox: one idle executor serves every tool made here.
const executor = new VmExecutor({ processes: 1 });
const made: CodeModeTool[] = [];
afterAll(async () => {
  await Promise.all(made.map((t) => t.close()));
  await executor.close();
});
function codeTool(tools: Tool[], options: CodeModeOptions = {}): CodeModeTool {
  const tool = createCodeModeTool(new ToolRegistry(tools), { runtime: executor, ...options });
  made.push(tool);
  return tool;
}

/** The definition as a provider receives it, in o200k tokens. */
function sentDefinition(tool: CodeModeTool): number {
  const definition = {
    type: "function",
    function: { name: tool.name, description: tool.description, parameters: tool.inputSchema },
  };
  return countTokens(JSON.stringify([definition]));
}
/** What follows the fixed guide: the declarations, or the lookup guide and the index. */
const catalogPart = (tool: CodeModeTool) => tool.description.slice(tool.description.indexOf("\n\n") + 2);

describe("catalog: small catalogs keep every declaration", () => {
  it.each([
    ["the example tools", examples],
    ["the filesystem and memory servers (23 tools)", referenceServers],
  ])("%s: the description carries all declarations, unchanged, and the lookup methods", (_, tools) => {
    const tool = codeTool(tools);
    expect(tool.catalogForm).toBe("full");
    const declarations = generateDeclarations(tools);
    // Everything up to the closing brace of `api`, where the lookup methods join the tools.
    expect(tool.description).toContain(declarations.slice(0, declarations.lastIndexOf("}")));
    expect(tool.description).toContain("$search(query: string, options?: { limit?: number })");
    expect(tool.description).toContain("$describe(names: string | string[]): Promise<string>;");
    expect(tool.description.endsWith(tool.declarations)).toBe(true);
  });

  it("mode index puts even a small catalog behind search; mode full keeps a large one whole", () => {
    const indexed = codeTool(examples, { catalog: { mode: "index" } });
    expect(indexed.catalogForm).toBe("index");
    expect(indexed.description).toContain("top level (4 tools)");
    expect(indexed.description).not.toContain("interface");
    const whole = codeTool(generatedTools(300), { catalog: { mode: "full" } });
    expect(whole.catalogForm).toBe("full");
    expect(whole.description).toContain("tool_299_list(input");
  });
});

describe.skipIf(!corpus)("catalog: large catalogs get an index within the budget", () => {
  const catalogs: [string, () => Tool[]][] = [
    ["the GitHub server (117 tools)", () => corpus!.filter((t) => t.namespace === "github")],
    ["the whole corpus (258 tools)", () => corpus!],
    ["1,000 generated tools", () => generatedTools(1000)],
  ];

  it.each(catalogs)("%s: the default description is under 2,000 tokens (o200k, as sent)", (_, tools) => {
    const tool = codeTool(tools());
    expect(tool.catalogForm).toBe("index");
    expect(sentDefinition(tool)).toBeLessThanOrEqual(2000);
    expect(tool.description).toContain('await api.$search("');
    expect(tool.description).toContain(`The catalog has ${tools().length} tools`);
    // Every tool stays declared for checkers, whatever the description carries.
    expect(tool.declarations.length).toBeGreaterThan(tool.description.length * 5);
  });

  it.each([300, 400, 800, 1200, 1750, 2500, 6000])(
    "a budget of %i tokens holds, by the estimate and by o200k",
    (budget) => {
      for (const tools of [corpus!, generatedTools(1000)]) {
        const part = catalogPart(codeTool(tools, { catalog: { indexBudget: budget } }));
        expect(estimateTokens(part)).toBeLessThanOrEqual(budget);
        expect(countTokens(part)).toBeLessThanOrEqual(budget);
      }
    },
  );

  it("degrades step by step: summaries, then names, then the first names, then counts", () => {
    const at = (indexBudget: number) => catalogPart(codeTool(corpus!, { catalog: { indexBudget } }));
    const roomy = at(20_000);
    expect(roomy).toMatch(/- create_pull_request: Create a new pull request in a GitHub repository\n/);
    const names = at(2600);
    // Names that share a first word are written in brace form.
    expect(names).toMatch(/github \(117 tools\): actions_\{get, list, run_trigger\}, .*, pull_request_title\}\n/);
    expect(names).toContain("playwright (25 tools): browser_{click, close, ");
    expect(names).not.toContain("- create_pull_request:");
    const capped = at(1200);
    expect(capped).toMatch(/github \(117 tools\): actions_\{get, .*, … \d+ more\n/);
    const counts = at(300);
    expect(counts).toContain("github (117 tools)\n");
    expect(counts).not.toContain("actions_get");
  });

  it("a budget that holds every declaration keeps them all", () => {
    const tool = codeTool(corpus!, { catalog: { budget: 100_000 } });
    expect(tool.catalogForm).toBe("full");
    expect(tool.description).toContain("create_pull_request(input:");
  });

  it("finds the expected tool in the top 3 for at least 80% of the query set", () => {
    const tool = codeTool(corpus!);
    const found = CATALOG_QUERIES.filter(({ query, expected }) =>
      tool.search(query, { limit: 3 }).some((m) => expected.includes(m.name)),
    );
    expect(CATALOG_QUERIES.length).toBeGreaterThanOrEqual(40);
    expect(found.length / CATALOG_QUERIES.length).toBeGreaterThanOrEqual(0.8);
  });

  it("ranks the tool a query names first", () => {
    const tool = codeTool(corpus!);
    expect(tool.search("github create pull request")[0]?.name).toBe("github.create_pull_request");
    expect(tool.search("git_commit")[0]?.name).toBe("git.git_commit");
    expect(tool.search("creating PRs", { limit: 2 }).map((m) => m.name)).toContain("github.create_pull_request");
  });
});

describe("catalog: settings", () => {
  it("defaults to auto with budgets of 4,000 and 1,750 tokens", () => {
    expect(resolveOptions({}).catalog).toEqual({ mode: "auto", budget: 4000, indexBudget: 1750 });
  });

  it("refuses wrong settings in the options and in the config, naming the field", () => {
    expect(() => resolveOptions({ catalog: { mode: "lazy" as never } })).toThrow(
      /catalog\.mode is "lazy"; expected "auto", "full" or "index"/,
    );
    expect(() => resolveOptions({ catalog: { indexBudget: 10 } })).toThrow(ConfigError);
    expect(() => resolveOptions({ catalog: { budget: 1.5 } })).toThrow(
      /catalog\.budget is 1\.5; expected a whole number/,
    );
    const attempt = () => parseConfig({ codeMode: { catalog: { mode: "some", budgte: 3, indexBudget: 5 } } });
    expect(attempt).toThrow(/codeMode\.catalog\.mode is "some"/);
    expect(attempt).toThrow(/codeMode\.catalog\.budgte is not a known field/);
    expect(attempt).toThrow(/codeMode\.catalog\.indexBudget is 5/);
    expect(parseConfig({ codeMode: { catalog: { mode: "index", indexBudget: 900 } } }).codeMode?.catalog).toEqual({
      mode: "index",
      indexBudget: 900,
    });
  });
});
