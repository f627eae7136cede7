import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { ConfigError } from "../errors.ts";
import type { Tool } from "./tool.ts";

/**
 * Imports tools modules: `.ts` (Node's type stripping), `.js` or `.mjs` files whose default
 * export is an array of tools (a single tool is accepted too).
 *
 * @example
 * const registry = new ToolRegistry(await loadToolModules(["./tools.ts"]));
 */
export async function loadToolModules(paths: readonly string[], baseDir = process.cwd()): Promise<Tool[]> {
  const tools: Tool[] = [];
  for (const path of paths) {
    const file = resolve(baseDir, path);
    if (!existsSync(file)) {
      throw new ConfigError(
        `The tools module ${path} does not exist (looked at ${file}). Check the path in --tools or "tools".`,
      );
    }
    let module: { default?: unknown };
    try {
      module = await import(pathToFileURL(file).href);
    } catch (error) {
      throw new ConfigError(`The tools module ${path} failed to load: ${(error as Error).message}`, { cause: error });
    }
    const exported = module.default;
    if (exported === undefined) {
      throw new ConfigError(`The tools module ${path} has no default export. Add \`export default [tool1, tool2]\`.`);
    }
    const list = Array.isArray(exported) ? exported : [exported];
    tools.push(...(list as Tool[]));
  }
  return tools;
}
