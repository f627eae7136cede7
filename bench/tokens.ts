import { countTokens } from "gpt-tokenizer/encoding/o200k_base";
import { connectMcpServers } from "../src/mcp/client.ts";
import { createCodeModeTool } from "../src/execute-code/code-mode-tool.ts";
import { ToolRegistry } from "../src/tools/registry.ts";
import { referenceServers } from "./mcp.ts";

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

function definition(name: string, description: string, parameters: unknown) {
  return { type: "function", function: { name, description, parameters } };
}
