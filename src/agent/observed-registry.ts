import { ToolRegistry } from "../tools/registry.ts";
import { type Tool, toolKey } from "../tools/tool.ts";
import type { CallObserver } from "./classic-tools.ts";

/**
 * A registry that mirrors `source` with every tool's `execute` reporting to `observer`, so the
 * agent can show each call a program makes while the program runs. Follows `source`'s changes
 * until `detach()`.
 */
export function observedRegistry(
  source: ToolRegistry,
  observer: CallObserver,
): { registry: ToolRegistry; detach(): void } {
  const registry = new ToolRegistry();
  const sync = () => {
    for (const tool of registry.list()) registry.unregister(toolKey(tool));
    registry.register(...source.list().map((tool) => observed(tool, observer)));
  };
  sync();
  source.on("change", sync);
  return { registry, detach: () => source.off("change", sync) };
}

function observed(tool: Tool, observer: CallObserver): Tool {
  const key = toolKey(tool);
  // Fields copied one by one: a tool may be a class instance whose fields are getters.
  return {
    name: tool.name,
    ...(tool.namespace !== undefined && { namespace: tool.namespace }),
    description: tool.description,
    inputSchema: tool.inputSchema,
    ...(tool.outputSchema !== undefined && { outputSchema: tool.outputSchema }),
    async execute(input, context) {
      observer.start(key, input);
      const started = performance.now();
      try {
        const output = await tool.execute(input, context);
        observer.end(key, true, Math.round((performance.now() - started) * 1000) / 1000);
        return output;
      } catch (error) {
        observer.end(
          key,
          false,
          Math.round((performance.now() - started) * 1000) / 1000,
          error instanceof Error ? error.message : String(error),
        );
        throw error;
      }
    },
  };
}
