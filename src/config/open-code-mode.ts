import type { CodeModeTool } from "../execute-code/code-mode-tool.ts";
import { createCodeModeTool } from "../execute-code/code-mode-tool.ts";
import type { CodeModeOptions } from "../execute-code/options.ts";
import { connectMcpServers, type McpServers } from "../mcp/client.ts";
import { loadToolModules } from "../tools/load-modules.ts";
import { ToolRegistry } from "../tools/registry.ts";
import { type LoadedConfig, loadConfig } from "./load.ts";
import type { CodeModeConfig } from "./schema.ts";

export interface OpenOptions {
  /** A config file; default: `code-mode.json5` or `augure.json5` in `cwd`, if present. */
  configFile?: string;
  cwd?: string;
  /** Extra tools modules (the CLI's --tools), after the config's own. */
  toolModules?: string[];
  /** Settings that win over the config's `codeMode` section (the CLI's flags). */
  overrides?: CodeModeOptions;
  /** Where MCP server problems that stop nothing else are reported; default: stderr. */
  onWarning?: (message: string) => void;
}

/** Everything a front end needs: the config, the registry and the `execute_code` tool. */
export interface CodeModeSession {
  config: CodeModeConfig;
  loaded: LoadedConfig;
  registry: ToolRegistry;
  tool: CodeModeTool;
  /** The config's MCP servers, connected; their tools are in `registry` as `api.<server>.<tool>`. */
  mcp: McpServers;
  /** Ends the runtime and every MCP server connection; safe to call twice. */
  close(): Promise<void>;
}

/** Loads the config and tools modules, and creates the tool: the CLI and MCP server start here. */
export async function openCodeMode(options: OpenOptions = {}): Promise<CodeModeSession> {
  const cwd = options.cwd ?? process.cwd();
  const loaded = loadConfig(options.configFile, cwd);
  const { config } = loaded;
  const registry = new ToolRegistry();
  registry.register(...(await loadToolModules(config.tools ?? [], loaded.baseDir)));
  registry.register(...(await loadToolModules(options.toolModules ?? [], cwd)));
  const closers: (() => Promise<void>)[] = [];
  const tool = createCodeModeTool(registry, { ...config.codeMode, ...options.overrides });
  closers.push(() => tool.close());
  // Servers start last, so a broken tools module or a wrong option spawns no server; if they
  // cannot start at all, the runtime the tool has already started is ended too.
  let mcp: McpServers;
  try {
    mcp = await connectMcpServers(config.mcpServers ?? {}, registry, {
      baseDir: loaded.baseDir,
      ...(options.onWarning && { onWarning: options.onWarning }),
    });
  } catch (error) {
    await tool.close();
    throw error;
  }
  closers.push(() => mcp.close());
  let closed = false;
  return {
    config,
    loaded,
    registry,
    tool,
    mcp,
    async close() {
      if (closed) return;
      closed = true;
      await Promise.allSettled(closers.reverse().map((close) => close()));
    },
  };
}
