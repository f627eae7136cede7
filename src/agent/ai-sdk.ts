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
import type { ExecutionEvent } from "../execute-code/events.ts";
import type { JsonSchema, Tool } from "../tools/tool.ts";
import { type CodeModeProgress, ProgramProgress } from "./program-progress.ts";

/**
 * The `execute_code` tool as an AI SDK tool. Its final output is `{ text, result }` (the
 * ExecutionResult kept for the application); while a program runs, `streamText` also reports
 * `CodeModeProgress` values as preliminary tool results (`preliminary: true`).
 */
export type AiSdkCodeModeTool = SdkTool<{ code: string }, CodeModeToolOutput | CodeModeProgress>;

/** `toAiSdkTool` with `progress: false`: one result per program, nothing preliminary. */
export type AiSdkCodeModeToolWithoutProgress = SdkTool<{ code: string }, CodeModeToolOutput>;

export interface AiSdkToolOptions {
  /**
   * Report each program's progress (console lines, calls, approvals) as preliminary tool results
   * while it runs; default true. `generateText` keeps only the final result either way.
   */
  progress?: boolean;
}

/**
 * Wraps the `execute_code` tool for `generateText`/`streamText`: the model reads the compact text,
 * while step results keep `{ text, result }` (the ExecutionResult) for the application, and a
 * stream shows each program's progress as it runs (see `AiSdkToolOptions.progress`).
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
export function toAiSdkTool(
  codeModeTool: CodeModeTool,
  options: AiSdkToolOptions & { progress: false },
): AiSdkCodeModeToolWithoutProgress;
export function toAiSdkTool(codeModeTool: CodeModeTool, options?: AiSdkToolOptions): AiSdkCodeModeTool;
export function toAiSdkTool(
  codeModeTool: CodeModeTool,
  options: AiSdkToolOptions = {},
): AiSdkCodeModeTool | AiSdkCodeModeToolWithoutProgress {
  const progress = options.progress ?? true;
  return tool<{ code: string }, CodeModeToolOutput | CodeModeProgress, Record<string, unknown>>({
    // A getter, so that the declarations follow registry changes between steps.
    get description() {
      return codeModeTool.description;
    },
    inputSchema: jsonSchema<{ code: string }>(codeModeTool.inputSchema as JSONSchema7),
    execute: (input, { abortSignal }) =>
      progress
        ? withProgress(codeModeTool, input, abortSignal)
        : codeModeTool.execute(input, abortSignal ? { signal: abortSignal } : {}),
    // Only final outputs reach the model; progress is for the application's eyes.
    toModelOutput: ({ output }) => ({ type: "text", value: "text" in output ? output.text : output.recent.join("\n") }),
  });
}

/**
 * Runs one program, yielding its progress after each batch of events and its output last (the
 * AI SDK takes the last value as the result). Leaving early stops the program.
 */
async function* withProgress(
  codeModeTool: CodeModeTool,
  input: { code: string },
  abortSignal: AbortSignal | undefined,
): AsyncGenerator<CodeModeProgress | CodeModeToolOutput> {
  const progress = new ProgramProgress();
  const pending: ExecutionEvent[] = [];
  let wake: (() => void) | undefined;
  let settled = false;
  const stop = new AbortController();
  const running = codeModeTool.execute(input, {
    signal: abortSignal ? AbortSignal.any([abortSignal, stop.signal]) : stop.signal,
    onEvent: (event) => {
      pending.push(event);
      wake?.();
    },
  });
  // Handles a failure too; `await running` below rethrows it.
  const settle = () => {
    settled = true;
    wake?.();
  };
  running.then(settle, settle);
  try {
    for (;;) {
      if (pending.length > 0) {
        // Events that came while the last value was taken go out as one value.
        for (const event of pending.splice(0)) progress.add(event);
        yield progress.snapshot();
      } else if (settled) break;
      else await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
    yield await running;
  } finally {
    if (!settled) stop.abort();
  }
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
