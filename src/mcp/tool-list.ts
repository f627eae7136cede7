import { compileSchema } from "../bridge/validate.ts";
import { ToolRegistry } from "../tools/registry.ts";
import type { JsonSchema, Tool } from "../tools/tool.ts";
import { generateDeclarations } from "../typegen/declarations.ts";

/** A tool as a server listed it: only what we use, not yet trusted. */
export interface ListedTool {
  name: string;
  description: string;
  inputSchema: JsonSchema;
  outputSchema?: JsonSchema;
}

export interface CheckedTools {
  tools: ListedTool[];
  /** One sentence per tool that was left out or trimmed, naming it and why. */
  problems: string[];
}

/**
 * Checks what a server's `tools/list` returned, tool by tool. A tool whose name or input schema
 * is unusable is left out (the model could never call it); a bad output schema is dropped, so the
 * tool stays callable with an `unknown` result. Either way one bad tool never spoils the others.
 */
export function checkListedTools(server: string, listed: unknown[]): CheckedTools {
  const tools: ListedTool[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const [i, raw] of listed.entries()) {
    const name = isObject(raw) && typeof raw.name === "string" ? raw.name : undefined;
    const label = name === undefined ? `tool #${i + 1}` : `tool "${name}"`;
    const skip = (why: string) => problems.push(`MCP server "${server}": ${label} was skipped: ${why}`);
    if (!isObject(raw) || name === undefined) {
      skip("it has no name.");
      continue;
    }
    if (seen.has(name)) {
      skip("the server lists that name twice.");
      continue;
    }
    const inputProblem = schemaProblem(raw.inputSchema);
    if (inputProblem) {
      skip(`its inputSchema ${inputProblem}.`);
      continue;
    }
    const input = raw.inputSchema as Record<string, unknown>;
    if (input.type !== "object") {
      skip(`its inputSchema has type ${JSON.stringify(input.type)}; MCP tools take an object ("type": "object").`);
      continue;
    }
    const tool: ListedTool = {
      name,
      description: typeof raw.description === "string" ? raw.description : "",
      inputSchema: input,
    };
    if (raw.outputSchema !== undefined) {
      const outputProblem = schemaProblem(raw.outputSchema);
      if (outputProblem) {
        problems.push(
          `MCP server "${server}": tool "${name}" keeps working, but its outputSchema ${outputProblem}, so its result is typed unknown.`,
        );
      } else {
        tool.outputSchema = raw.outputSchema as JsonSchema;
      }
    }
    const refused = registryProblem(server, tool) ?? typegenProblem(server, tool);
    if (refused) {
      skip(refused);
      continue;
    }
    seen.add(name);
    tools.push(tool);
  }
  return { tools, problems };
}

function schemaProblem(schema: unknown): string | undefined {
  if (!isObject(schema))
    return `is ${schema === null ? "null" : Array.isArray(schema) ? "an array" : typeof schema}, not a JSON Schema object`;
  try {
    compileSchema(schema);
    return undefined;
  } catch (error) {
    return `is not a valid JSON Schema (${(error as Error).message})`;
  }
}

// The registry's own rules (names, schema shapes), applied to one tool so a refusal stays local.
function registryProblem(server: string, tool: ListedTool): string | undefined {
  try {
    new ToolRegistry([{ ...tool, namespace: server, execute: () => undefined } satisfies Tool]);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

function typegenProblem(server: string, tool: ListedTool): string | undefined {
  try {
    generateDeclarations([{ ...tool, namespace: server, execute: () => undefined }]);
    return undefined;
  } catch (error) {
    return `its schemas cannot be turned into declarations (${(error as Error).message}).`;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
