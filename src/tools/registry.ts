import { EventEmitter } from "node:events";
import { ConfigError } from "../errors.ts";
import { type Tool, toolKey } from "./tool.ts";

// Tool and namespace names are prompt-facing; typegen makes them identifiers, but control
// characters, whitespace and empty names have no sane rendering, so they are refused here.
const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.\-:/]{0,127}$/;

/**
 * Holds the tools a program may call; emits "change" whenever the set changes.
 *
 * @example
 * const registry = new ToolRegistry([weather]);
 * registry.on("change", () => console.log(registry.list().map((tool) => tool.name)));
 * registry.register({ name: "add", description: "Adds two numbers.", inputSchema: { type: "object" }, execute: ({ a, b }) => a + b });
 */
export class ToolRegistry extends EventEmitter<{ change: [] }> {
  readonly #tools = new Map<string, Tool>();

  constructor(tools: Iterable<Tool> = []) {
    super();
    for (const tool of tools) this.#add(tool);
  }

  register(...tools: Tool[]): this {
    for (const tool of tools) this.#add(tool);
    if (tools.length > 0) this.emit("change");
    return this;
  }

  /** Removes a tool by its key (`name` or `namespace.name`); returns whether it was there. */
  unregister(key: string): boolean {
    const removed = this.#tools.delete(key);
    if (removed) this.emit("change");
    return removed;
  }

  /** Removes every tool of a namespace, emitting one change. */
  unregisterNamespace(namespace: string): number {
    let count = 0;
    for (const [key, tool] of this.#tools) {
      if (tool.namespace === namespace) {
        this.#tools.delete(key);
        count++;
      }
    }
    if (count > 0) this.emit("change");
    return count;
  }

  get(key: string): Tool | undefined {
    return this.#tools.get(key);
  }

  has(key: string): boolean {
    return this.#tools.has(key);
  }

  /** Tools in registration order. */
  list(): Tool[] {
    return [...this.#tools.values()];
  }

  get size(): number {
    return this.#tools.size;
  }

  #add(tool: Tool): void {
    checkTool(tool);
    const key = toolKey(tool);
    if (this.#tools.has(key)) {
      throw new ConfigError(
        `A tool named "${key}" is already registered. Give each tool a unique name, or unregister the old one first.`,
      );
    }
    this.#tools.set(key, tool);
  }
}

function checkTool(tool: Tool): void {
  const where = typeof tool?.name === "string" ? `Tool "${tool.name}"` : "A tool";
  if (typeof tool !== "object" || tool === null) {
    throw new ConfigError(
      `A tool must be an object with name, description, inputSchema and execute; got ${typeof tool}.`,
    );
  }
  if (typeof tool.name !== "string" || !NAME.test(tool.name)) {
    throw new ConfigError(
      `${where} has an invalid name ${JSON.stringify(tool.name)}: use 1-128 letters, digits, "_", "-", ".", ":" or "/", not starting with a punctuation mark.`,
    );
  }
  if (tool.namespace !== undefined && (typeof tool.namespace !== "string" || !NAME.test(tool.namespace))) {
    throw new ConfigError(
      `${where} has an invalid namespace ${JSON.stringify(tool.namespace)}: use letters, digits and "_" or "-".`,
    );
  }
  if (typeof tool.description !== "string") {
    throw new ConfigError(`${where} needs a description string (it becomes the JSDoc the model reads).`);
  }
  if (!isSchema(tool.inputSchema)) {
    throw new ConfigError(
      `${where} needs an inputSchema that is a JSON Schema object, e.g. { type: "object", properties: {} }.`,
    );
  }
  if (tool.outputSchema !== undefined && !isSchema(tool.outputSchema)) {
    throw new ConfigError(`${where} has an outputSchema that is not a JSON Schema object; remove it or fix it.`);
  }
  if (typeof tool.execute !== "function") {
    throw new ConfigError(`${where} needs an execute(input, context) function.`);
  }
}

function isSchema(value: unknown): boolean {
  return typeof value === "boolean" || (typeof value === "object" && value !== null && !Array.isArray(value));
}
