import { countTokens } from "gpt-tokenizer/encoding/o200k_base";
import { createCodeModeTool } from "../src/execute-code/code-mode-tool.ts";
import type { CodeModeOptions } from "../src/execute-code/options.ts";
import { VmExecutor } from "../src/runtimes/vm/vm-executor.ts";
import { ToolRegistry } from "../src/tools/registry.ts";
import type { Tool } from "../src/tools/tool.ts";
import { CATALOG_QUERIES } from "./catalog-queries.ts";
import { CORPUS_MISSING, corpusTools } from "./corpus.ts";
import { benchLargeCatalog, type LargeCatalogFigures } from "./scenarios/large-catalog.ts";
import { definition } from "./tokens.ts";
import { generatedTools } from "./typegen.ts";

/** Prompt cost of one catalog, o200k_base, each definition JSON-wrapped as a provider receives it. */
export interface CatalogTokens {
  tools: number;
  /** Every tool as a classic function definition. */
  classic: number;
  /** The `execute_code` definition carrying every declaration (catalog mode "full"). */
  full: number;
  /** The `execute_code` definition with the default catalog settings. */
  default: number;
  /** What the default description carries: "full" or "index". */
  defaultForm: string;
}

export interface SearchQuality {
  queries: number;
  /** Share of queries whose expected tool is among the first 3 matches. */
  recallAt3: number;
  recallAt1: number;
}

export interface CatalogBench {
  catalogs: Record<string, CatalogTokens>;
  search?: SearchQuality;
  largeCatalogScenario?: LargeCatalogFigures;
  note?: string;
}

/**
 * `bench` catalog section: the tokens of classic definitions, full declarations and the default
 * description for the GitHub server, the whole corpus and 1,000 generated tools; search recall on
 * the query set; and the large-catalog agent scenario, classic against code mode.
 */
export async function benchCatalog(): Promise<CatalogBench> {
  const executor = new VmExecutor({ processes: 1 });
  try {
    const corpus = corpusTools();
    const catalogs: Record<string, CatalogTokens> = {};
    if (corpus) {
      catalogs.github = await catalogTokens(
        corpus.filter((t) => t.namespace === "github"),
        executor,
      );
      catalogs.corpus = await catalogTokens(corpus, executor);
    }
    catalogs.generated = await catalogTokens(generatedTools(1000), executor);
    if (!corpus) return { catalogs, note: CORPUS_MISSING };
    const search = searchQuality(corpus, executor);
    const largeCatalogScenario = await benchLargeCatalog(executor);
    return { catalogs, search, ...(largeCatalogScenario && { largeCatalogScenario }) };
  } finally {
    await executor.close();
  }
}

async function catalogTokens(tools: Tool[], executor: VmExecutor): Promise<CatalogTokens> {
  const classic = tools.map((t) =>
    definition(t.namespace ? `${t.namespace}__${t.name}` : t.name, t.description, t.inputSchema),
  );
  const sent = async (options: CodeModeOptions) => {
    const tool = createCodeModeTool(new ToolRegistry(tools), { runtime: executor, ...options });
    try {
      return {
        tokens: countTokens(JSON.stringify([definition(tool.name, tool.description, tool.inputSchema)])),
        form: tool.catalogForm,
      };
    } finally {
      await tool.close();
    }
  };
  const full = await sent({ catalog: { mode: "full" } });
  const byDefault = await sent({});
  return {
    tools: tools.length,
    classic: countTokens(JSON.stringify(classic)),
    full: full.tokens,
    default: byDefault.tokens,
    defaultForm: byDefault.form,
  };
}

function searchQuality(corpus: Tool[], executor: VmExecutor): SearchQuality {
  const tool = createCodeModeTool(new ToolRegistry(corpus), { runtime: executor });
  let at3 = 0;
  let at1 = 0;
  for (const { query, expected } of CATALOG_QUERIES) {
    const names = tool.search(query, { limit: 3 }).map((m) => m.name);
    if (names.some((n) => expected.includes(n))) at3++;
    if (expected.includes(names[0] ?? "")) at1++;
  }
  void tool.close();
  const share = (n: number) => Math.round((n / CATALOG_QUERIES.length) * 1000) / 1000;
  return { queries: CATALOG_QUERIES.length, recallAt3: share(at3), recallAt1: share(at1) };
}
