import { countTokens } from "gpt-tokenizer/encoding/o200k_base";
import { createCodeModeTool } from "../src/execute-code/code-mode-tool.ts";
import { connectMcpServers } from "../src/mcp/client.ts";
import type { Executor } from "../src/runtimes/executor.ts";
import { ToolRegistry } from "../src/tools/registry.ts";
import type { Tool } from "../src/tools/tool.ts";
import { CORPUS_MISSING, corpusTools } from "./corpus.ts";
import { referenceServers } from "./mcp.ts";

/** Classic against code mode for one catalog: the two JSON definitions as sent, in o200k tokens. */
export type CatalogTokens = { tools: number; classic: number; code: number; ratio: number };

export type TokenFigures = {
  /** Tokens of the servers' tools as classic function definitions (OpenAI's JSON shape). */
  classic: number;
  /** Tokens of the one `execute_code` definition, declarations included, in the same shape. */
  code: number;
  /** How many tools the classic list holds. */
  tools: number;
  /** `classic` with each tool's outputSchema sent too: what the typed results in `code` correspond to. */
  classicWithOutputSchemas: number;
  /** The declarations alone, without the guide or the JSON wrapping. */
  declarations: number;
  /**
   * Every declaration of the real MCP corpus (../shared/corpus-typegen) in the `execute_code`
   * definition, against the same tools as classic definitions: GitHub's server, and all 258 tools.
   * Absent when the corpus is.
   */
  fullDeclarations?: { github: CatalogTokens; all: CatalogTokens };
};

/**
 * Prompt cost of the real filesystem and memory servers' tools (o200k_base): every tool as a
 * function definition with its JSON input schema, as a provider receives them, against the one
 * `execute_code` definition whose description carries the TypeScript declarations.
 */
export async function benchTokens(): Promise<TokenFigures> {
  const { servers, cleanup } = referenceServers();
  const registry = new ToolRegistry();
  const mcp = await connectMcpServers(servers, registry);
  try {
    const tools = registry.list();
    const classic = tools.map((tool) =>
      definition(`${tool.namespace}_${tool.name}`, tool.description, tool.inputSchema),
    );
    const withOutput = tools.map((tool, i) => ({ ...classic[i]!, output_schema: tool.outputSchema }));
    const codeTool = createCodeModeTool(registry, { runtime: "vm" });
    try {
      const code = definition(codeTool.name, codeTool.description, codeTool.inputSchema);
      return {
        classic: countTokens(JSON.stringify(classic)),
        code: countTokens(JSON.stringify([code])),
        tools: tools.length,
        classicWithOutputSchemas: countTokens(JSON.stringify(withOutput)),
        declarations: countTokens(codeTool.declarations),
        ...corpusFigures(),
      };
    } finally {
      // The tool starts its runtime at creation; left open, its processes keep this one alive.
      await codeTool.close();
    }
  } finally {
    await mcp.close();
    cleanup();
  }
}

function corpusFigures(): { fullDeclarations?: { github: CatalogTokens; all: CatalogTokens } } {
  const tools = corpusTools();
  if (!tools) {
    process.stderr.write(`bench: tokens: fullDeclarations: ${CORPUS_MISSING}\n`);
    return {};
  }
  return {
    fullDeclarations: {
      github: catalogTokens(tools.filter((t) => t.namespace === "github")),
      all: catalogTokens(tools),
    },
  };
}

// The description is all this measures: an executor that is never asked to run starts nothing.
const idle: Executor = {
  name: "vm",
  run: () => Promise.reject(new Error("not for running")),
  close: async () => {},
};

function catalogTokens(tools: Tool[]): CatalogTokens {
  const classic = tools.map((tool) => definition(`${tool.namespace}_${tool.name}`, tool.description, tool.inputSchema));
  // No type check: only the description is measured, and a checker thread would outlive this.
  const codeTool = createCodeModeTool(new ToolRegistry(tools), {
    runtime: idle,
    typecheck: "off",
    catalog: { mode: "full" },
  });
  const code = definition(codeTool.name, codeTool.description, codeTool.inputSchema);
  void codeTool.close();
  const figures = { classic: countTokens(JSON.stringify(classic)), code: countTokens(JSON.stringify([code])) };
  return { tools: tools.length, ...figures, ratio: Math.round((figures.code / figures.classic) * 1000) / 1000 };
}

/** A tool as a provider receives it (OpenAI's function shape): what classic definitions cost. */
export function definition(name: string, description: string, parameters: unknown) {
  return { type: "function", function: { name, description, parameters } };
}
