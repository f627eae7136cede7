import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { JsonSchema, Tool } from "../src/tools/tool.ts";

// The shared MCP corpus (258 real tool definitions), read where the repository's neighbours keep
// it and never copied into the repository.
export const CORPUS_FILE = fileURLToPath(new URL("../../shared/corpus-typegen/corpus.json", import.meta.url));

/** Said once when the corpus is not on this machine, by whatever skips for it. */
export const CORPUS_MISSING = `the MCP corpus is not at ${CORPUS_FILE}; skipped`;

interface CorpusTool {
  name: string;
  description?: string;
  inputSchema: JsonSchema;
  outputSchema?: JsonSchema;
}

/** How a corpus tool answers: given its registry key and input. Default: it echoes what it did. */
export type CorpusExecute = (key: string, input: unknown) => unknown;

/**
 * Every corpus tool as a registry tool, namespaced by its server (`github`, `slack`, ...), or
 * undefined when the corpus is absent. `execute` gives them behaviour; by default each answers
 * `{ ok: true, tool, input }`, enough for a catalog.
 */
export function corpusTools(execute?: CorpusExecute): Tool[] | undefined {
  if (!existsSync(CORPUS_FILE)) return undefined;
  const corpus = JSON.parse(readFileSync(CORPUS_FILE, "utf8")) as { toolsets: { id: string; tools: CorpusTool[] }[] };
  return corpus.toolsets.flatMap((set) =>
    set.tools.map(
      (t): Tool => ({
        name: t.name,
        namespace: set.id,
        description: t.description ?? "",
        inputSchema: t.inputSchema,
        ...(t.outputSchema !== undefined && { outputSchema: t.outputSchema }),
        execute: (input: unknown) =>
          execute ? execute(`${set.id}.${t.name}`, input) : { ok: true, tool: `${set.id}.${t.name}`, input },
      }),
    ),
  );
}
