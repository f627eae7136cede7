import { type JSONSchema7, jsonSchema, type ToolSet, tool } from "ai";
import type { ApprovalGate } from "../bridge/approval.ts";
import { inputCheckFor } from "../bridge/validate.ts";
import { type Tool, toolKey } from "../tools/tool.ts";

/** Notified as each host tool call starts and ends, in either mode. */
export interface CallObserver {
  start(tool: string, input: unknown): void;
  end(tool: string, ok: boolean, ms: number, error?: string): void;
}

/** The classic loop's tool set, and the way back from a wire name to the registry key. */
export interface ClassicToolSet {
  tools: ToolSet;
  keyOf(wireName: string): string;
}

// OpenAI accepts ^[a-zA-Z0-9_-]{1,64}$ as function names, Anthropic a superset: the safe common
// ground. `files.read_text_file` becomes `files__read_text_file`.
const WIRE_NAME_MAX = 64;

/**
 * Every registry tool as an AI SDK tool (JSON Schema input), checked with the same validator the
 * bridge uses, so a wrong call gets the same words in both modes, and asked about under the same
 * approval policy. A thrown error becomes the AI SDK's tool error, which the model reads as the
 * call's result.
 */
export function toClassicTools(
  registryTools: Tool[],
  observer?: CallObserver,
  approval?: ApprovalGate,
): ClassicToolSet {
  const tools: ToolSet = {};
  const keys = new Map<string, string>();
  let calls = 0;
  for (const registryTool of registryTools) {
    const key = toolKey(registryTool);
    const name = wireName(key, keys);
    keys.set(name, key);
    const check = inputCheckFor(registryTool, key);
    tools[name] = tool<unknown, unknown, Record<string, unknown>>({
      description: registryTool.description,
      inputSchema: jsonSchema(objectSchema(registryTool.inputSchema)),
      async execute(input, { abortSignal }) {
        observer?.start(key, input);
        const started = performance.now();
        try {
          const problem = check(input);
          if (problem) throw new Error(problem);
          const refused = await approval?.check({ id: ++calls, tool: key, path: key, input });
          if (refused !== undefined) throw new Error(refused);
          const output = await registryTool.execute(input, { signal: abortSignal ?? new AbortController().signal });
          observer?.end(key, true, elapsed(started));
          // The AI SDK sends `undefined` as nothing at all; say plainly that the call worked.
          return output === undefined ? { ok: true } : output;
        } catch (error) {
          observer?.end(key, false, elapsed(started), error instanceof Error ? error.message : String(error));
          throw error;
        }
      },
    });
  }
  return { tools, keyOf: (name) => keys.get(name) ?? name };
}

function wireName(key: string, taken: Map<string, string>): string {
  const base =
    key
      .replace(/\./g, "__")
      .replace(/[^A-Za-z0-9_-]/g, "_")
      .slice(0, WIRE_NAME_MAX) || "tool";
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base.slice(0, WIRE_NAME_MAX - String(n).length - 1)}_${n}`;
  return name;
}

// Function-calling APIs want an object schema at the top; a boolean schema means "anything".
function objectSchema(schema: Tool["inputSchema"]): JSONSchema7 {
  if (typeof schema === "boolean") return { type: "object" };
  return schema as JSONSchema7;
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 1000) / 1000;
}
