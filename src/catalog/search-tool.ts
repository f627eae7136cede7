import type { ToolMatch } from "./catalog.ts";
import { SEARCH_LIMIT } from "./catalog.ts";

// What front ends offer besides `execute_code` when the description holds only an index: the same
// search as `api.$search`, as a tool of its own (MCP server, AI SDK). One definition for both.

export const SEARCH_TOOL_NAME = "search_tools";

export const SEARCH_TOOL_DESCRIPTION = `Finds the tools that execute_code programs can call, by what they do (also inside programs: api.$search). Answers with each match's call path, summary and TypeScript declaration; then call it in execute_code as api.<name>(input).`;

export const searchToolInputSchema = {
  type: "object",
  properties: {
    query: { type: "string", description: 'A few words for what the tool should do, such as "create pull request".' },
    limit: {
      type: "integer",
      minimum: 1,
      maximum: SEARCH_LIMIT.max,
      description: `How many matches, best first; default ${SEARCH_LIMIT.default}.`,
    },
  },
  required: ["query"],
  additionalProperties: false,
} as const;

/** Matches as text for a model: declarations read better unescaped than inside JSON strings. */
export function matchesText(query: string, matches: readonly ToolMatch[]): string {
  if (matches.length === 0) return `No tool matches ${JSON.stringify(query)}. Try other words for what it should do.`;
  return matches.map((m) => `${m.name}: ${m.summary}\n${m.declaration}`).join("\n");
}
