/** A JSON Schema object, as tools and MCP servers publish them. */
export type JsonSchema = { [key: string]: unknown } | boolean;

/** What a tool's `execute` receives besides its input. */
export interface ToolContext {
  /** Aborted when the execution ends, times out, or the per-call timeout fires. */
  signal: AbortSignal;
}

/**
 * A host tool that sandboxed programs can call as `api.<name>(input)`, or
 * `api.<namespace>.<name>(input)` when `namespace` is set (MCP servers use one namespace each).
 */
export interface Tool<Input = any, Output = unknown> {
  name: string;
  namespace?: string;
  description: string;
  inputSchema: JsonSchema;
  outputSchema?: JsonSchema;
  execute(input: Input, context: ToolContext): Promise<Output> | Output;
}

/** The registry key of a tool: `namespace.name`, or `name` alone. */
export function toolKey(tool: Pick<Tool, "name" | "namespace">): string {
  return tool.namespace ? `${tool.namespace}.${tool.name}` : tool.name;
}
