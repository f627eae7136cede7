import { unmatchedPatterns } from "../bridge/approval.ts";
import type { CodeModeTool } from "../execute-code/code-mode-tool.ts";
import { createCodeModeTool } from "../execute-code/code-mode-tool.ts";
import { type CodeModeOptions, resolveOptions } from "../execute-code/options.ts";
import type { McpServers } from "../mcp/client.ts";
import { loadToolModules } from "../tools/load-modules.ts";
import { ToolRegistry } from "../tools/registry.ts";
import { buildApiLayout } from "../typegen/names.ts";
import type { LoadedConfig } from "./load.ts";
import { configPath } from "./path.ts";
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

/** The config and every configured tool in one registry; no runtime is started. */
export interface CodeModeSetup {
  config: CodeModeConfig;
  loaded: LoadedConfig;
  registry: ToolRegistry;
  /** The config's `codeMode` section with the overrides applied, already checked. */
  options: CodeModeOptions;
  /** The config's MCP servers, connected; their tools are in `registry` as `api.<server>.<tool>`. */
  mcp: McpServers;
  /** Ends every MCP server connection (and, for a session, the runtime); safe to call twice. */
  close(): Promise<void>;
}

/** A setup plus the `execute_code` tool, whose runtime is started. */
export interface CodeModeSession extends CodeModeSetup {
  tool: CodeModeTool;
}

/**
 * Loads the config, the tools modules and the MCP servers into a registry, and starts no runtime:
 * for front ends that only read the tools (`code-mode types`) or make their own tool (the agent).
 *
 * @example
 * const setup = await loadCodeMode({ configFile: "code-mode.json5" });
 * console.log(setup.registry.list().map((tool) => tool.name));
 * await setup.close();
 */
export async function loadCodeMode(options: OpenOptions = {}): Promise<CodeModeSetup> {
  const prepared = await prepare(options);
  return finish(prepared, await prepared.connect(), []);
}

/**
 * Loads everything `loadCodeMode` does and creates the `execute_code` tool, starting exactly one
 * runtime: the CLI's `run` and `serve` start here.
 *
 * @example
 * const session = await openCodeMode({ overrides: { runtime: "vm" } });
 * const { text } = await session.tool.execute({ code: "return 1 + 1" });
 * await session.close();
 */
export async function openCodeMode(options: OpenOptions = {}): Promise<CodeModeSession> {
  const prepared = await prepare(options);
  // The runtime warms up while the servers connect; servers start last, so a broken tools module
  // or a wrong option spawns none, and if they cannot start at all the runtime is ended too.
  const tool = createCodeModeTool(prepared.registry, prepared.options);
  let mcp: McpServers;
  try {
    mcp = await prepared.connect();
  } catch (error) {
    await tool.close();
    throw error;
  }
  return { ...finish(prepared, mcp, [() => tool.close()]), tool };
}

interface Prepared {
  config: CodeModeConfig;
  loaded: LoadedConfig;
  registry: ToolRegistry;
  options: CodeModeOptions;
  connect(): Promise<McpServers>;
}

// Everything that can be wrong in the config or the tools modules is found here, before anything starts.
async function prepare(options: OpenOptions): Promise<Prepared> {
  const cwd = options.cwd ?? process.cwd();
  // The config reader (zod, JSON5) loads only when there is a file to read.
  const file = configPath(options.configFile, cwd);
  const loaded: LoadedConfig = file ? (await import("./load.ts")).loadConfig(file, cwd) : { config: {}, baseDir: cwd };
  const { config } = loaded;
  const registry = new ToolRegistry();
  registry.register(...(await loadToolModules(config.tools ?? [], loaded.baseDir)));
  registry.register(...(await loadToolModules(options.toolModules ?? [], cwd)));
  const codeMode = withOverrides(config.codeMode ?? {}, options.overrides ?? {});
  resolveOptions(codeMode);
  const servers = config.mcpServers ?? {};
  const connect = async (): Promise<McpServers> => {
    // The MCP SDK loads only for a config that names servers.
    if (Object.keys(servers).length === 0) return { connections: new Map(), close: async () => {} };
    const { connectMcpServers } = await import("../mcp/client.ts");
    return connectMcpServers(servers, registry, {
      baseDir: loaded.baseDir,
      ...(options.onWarning && { onWarning: options.onWarning }),
    });
  };
  const warn = options.onWarning ?? ((message: string) => process.stderr.write(`code-mode: ${message}\n`));
  const connectAndCheck = async () => {
    const mcp = await connect();
    warnUnmatchedPatterns(codeMode, registry, warn);
    return mcp;
  };
  return { config, loaded, registry, options: codeMode, connect: connectAndCheck };
}

/** Flags win over the config, field by field within a group (`approval.timeout` keeps `approval.require`). */
function withOverrides(base: CodeModeOptions, overrides: CodeModeOptions): CodeModeOptions {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    const before = merged[key];
    merged[key] = isGroup(before) && isGroup(value) ? { ...before, ...value } : value;
  }
  return merged as CodeModeOptions;
}

function isGroup(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    Object.getPrototypeOf(value) === Object.prototype
  );
}

/** A pattern in `approval.require` that matches no tool guards nothing (yet): worth a word, not an error. */
function warnUnmatchedPatterns(options: CodeModeOptions, registry: ToolRegistry, warn: (message: string) => void) {
  const patterns = options.approval?.require;
  if (!Array.isArray(patterns) || patterns.length === 0) return;
  for (const pattern of unmatchedPatterns(patterns, buildApiLayout(registry.list()))) {
    warn(
      `codeMode.approval.require has ${JSON.stringify(pattern)}, which matches none of the tools loaded now; check its spelling (tool paths look like "files.write_file").`,
    );
  }
}

function finish(prepared: Prepared, mcp: McpServers, closers: (() => Promise<void>)[]): CodeModeSetup {
  const all = [...closers, () => mcp.close()];
  let closed = false;
  const { connect: _connect, ...rest } = prepared;
  return {
    ...rest,
    mcp,
    async close() {
      if (closed) return;
      closed = true;
      await Promise.allSettled(all.map((close) => close()));
    },
  };
}
