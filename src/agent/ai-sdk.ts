import {
  asSchema,
  type FlexibleSchema,
  type JSONSchema7,
  jsonSchema,
  type Tool as SdkTool,
  type ToolSet,
  tool,
} from "ai";
import type { ToolMatch } from "../catalog/catalog.ts";
import { matchesText, SEARCH_TOOL_DESCRIPTION, searchToolInputSchema } from "../catalog/search-tool.ts";
import { CodeModeError, ConfigError } from "../errors.ts";
import type { CodeModeTool, CodeModeToolOutput } from "../execute-code/code-mode-tool.ts";
import type { JsonSchema, Tool } from "../tools/tool.ts";

/** The `execute_code` tool as an AI SDK tool; its `output` keeps the structured result. */
export type AiSdkCodeModeTool = SdkTool<{ code: string }, CodeModeToolOutput>;

/**
 * Wraps the `execute_code` tool for `generateText`/`streamText`: the model reads the compact text,
 * while step results keep `{ text, result }` (the ExecutionResult) for the application.
 * Failed programs are ordinary results, so the model reads the error and fixes its next program.
 *
 * @example
 * import { generateText, stepCountIs } from "ai";
 * import { toAiSdkTool } from "code-mode/ai";
 * const { text } = await generateText({
 *   model,
 *   tools: { execute_code: toAiSdkTool(createCodeModeTool(registry)) },
 *   stopWhen: stepCountIs(5),
 *   prompt: "Book a review with Ada and Linus.",
 * });
 */
export function toAiSdkTool(codeModeTool: CodeModeTool): AiSdkCodeModeTool {
  return tool<{ code: string }, CodeModeToolOutput, Record<string, unknown>>({
    // A getter, so that the declarations follow registry changes between steps.
    get description() {
      return codeModeTool.description;
    },
    inputSchema: jsonSchema<{ code: string }>(codeModeTool.inputSchema as JSONSchema7),
    execute: (input, { abortSignal }) => codeModeTool.execute(input, abortSignal ? { signal: abortSignal } : {}),
    toModelOutput: ({ output }) => ({ type: "text", value: output.text }),
  });
}

/** `search_tools` as an AI SDK tool: what `api.$search` answers, for apps that let the model search between programs. */
export type AiSdkSearchTool = SdkTool<{ query: string; limit?: number }, ToolMatch[] | { error: string }>;

/**
 * The same search as `api.$search`, as a second AI SDK tool beside `toAiSdkTool`'s `execute_code`
 * (offer it when `codeModeTool.catalogForm` is "index"). Bad input comes back as `{ error }` for the
 * model to fix its query.
 *
 * @example
 * const tools = { execute_code: toAiSdkTool(codeTool), [SEARCH_TOOL_NAME]: toAiSdkSearchTool(codeTool) };
 */
export function toAiSdkSearchTool(codeModeTool: CodeModeTool): AiSdkSearchTool {
  return tool<{ query: string; limit?: number }, ToolMatch[] | { error: string }, Record<string, unknown>>({
    description: SEARCH_TOOL_DESCRIPTION,
    inputSchema: jsonSchema<{ query: string; limit?: number }>(searchToolInputSchema as unknown as JSONSchema7),
    execute: ({ query, limit }) => {
      try {
        return codeModeTool.search(query, limit === undefined ? undefined : { limit });
      } catch (error) {
        if (CodeModeError.isInstance(error)) return { error: error.message };
        throw error;
      }
    },
    toModelOutput: ({ input, output }) => ({
      type: "text",
      value: Array.isArray(output) ? matchesText(input.query, output) : output.error,
    }),
  });
}

export interface FromAiSdkOptions {
  /** Put every tool under `api.<namespace>`; default: none. */
  namespace?: string;
}

/**
 * Turns AI SDK tools (zod, Standard Schema or JSON Schema inputs) into registry tools, keyed by
 * their names in the set. Tools without `execute` (client-side or provider tools) are refused,
 * since a program can only call tools that run on the host.
 *
 * @example
 * import { tool } from "ai";
 * import { z } from "zod";
 * import { fromAiSdkTools } from "code-mode/ai";
 * const weather = tool({
 *   description: "Current temperature of a city.",
 *   inputSchema: z.object({ city: z.string() }),
 *   execute: async ({ city }) => ({ tempC: 21 }),
 * });
 * const registry = new ToolRegistry(await fromAiSdkTools({ weather }));
 */
export async function fromAiSdkTools(tools: ToolSet, options: FromAiSdkOptions = {}): Promise<Tool[]> {
  const result: Tool[] = [];
  for (const [name, sdkTool] of Object.entries(tools)) {
    const execute = sdkTool.execute;
    if (sdkTool.type === "provider" || typeof execute !== "function") {
      throw new ConfigError(
        `AI SDK tool "${name}" has no execute function (or is run by the provider), so a program cannot call it. Leave it out, or give it an execute.`,
      );
    }
    const input = asSchema(sdkTool.inputSchema as FlexibleSchema<unknown>);
    const inputSchema = (await input.jsonSchema) as JsonSchema;
    const outputSchema = sdkTool.outputSchema
      ? ((await asSchema(sdkTool.outputSchema).jsonSchema) as JsonSchema)
      : undefined;
    const description = typeof sdkTool.description === "string" ? sdkTool.description : (sdkTool.title ?? "");
    let callCount = 0;
    result.push({
      name,
      ...(options.namespace && { namespace: options.namespace }),
      description,
      inputSchema,
      ...(outputSchema !== undefined && { outputSchema }),
      async execute(value, { signal }) {
        // The bridge has checked the JSON Schema; the tool's own validator also applies zod's
        // transforms and defaults, as generateText would.
        let parsed: unknown = value;
        if (input.validate) {
          const checked = await input.validate(value);
          if (!checked.success) throw new Error(`invalid input: ${checked.error.message}`);
          parsed = checked.value;
        }
        const output = await execute(parsed, {
          toolCallId: `code-mode-${name}-${++callCount}`,
          messages: [],
          abortSignal: signal,
          context: {},
        });
        return isAsyncIterable(output) ? lastOf(output) : output;
      },
    });
  }
  return result;
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === "object" && value !== null && Symbol.asyncIterator in value;
}

// A streaming tool yields preliminary results; the last one is the result.
async function lastOf(values: AsyncIterable<unknown>): Promise<unknown> {
  let last: unknown;
  for await (const value of values) last = value;
  return last;
}
