import type { ToolRegistry } from "../tools/registry.ts";
import { McpConnection } from "./connection.ts";
import type { McpServerConfig } from "./server-config.ts";

export interface McpClientOptions {
  /** Folder that relative stdio `cwd`s resolve against, and where stdio servers start. Default: cwd. */
  baseDir?: string;
  /** Seconds a server has to start and list its tools. Default 30. */
  startTimeout?: number;
  /** Receives problems that stop nothing else (a server that failed, a skipped tool). Default: stderr. */
  onWarning?: (message: string) => void;
}

/** The connected servers of one session. */
export interface McpServers {
  readonly connections: ReadonlyMap<string, McpConnection>;
  /** Ends every server process and HTTP session, and removes their tools from the registry. */
  close(): Promise<void>;
}

/**
 * Connects every configured MCP server at once and registers its tools under the namespace
 * of the server's name (`api.<server>.<tool>`). A server that fails to start is reported through
 * `onWarning` with its stderr tail and left out; the others work normally.
 *
 * @example
 * import { connectMcpServers } from "code-mode/mcp";
 * const servers = await connectMcpServers(
 *   { files: { command: "npx", args: ["@modelcontextprotocol/server-filesystem", "."] } },
 *   registry, // the tools appear as api.files.<tool>
 * );
 * // ...
 * await servers.close();
 */
export async function connectMcpServers(
  servers: Record<string, McpServerConfig>,
  registry: ToolRegistry,
  options: McpClientOptions = {},
): Promise<McpServers> {
  const warn = options.onWarning ?? ((message: string) => process.stderr.write(`code-mode: ${message}\n`));
  const connectionOptions = {
    baseDir: options.baseDir ?? process.cwd(),
    startTimeoutMs: Math.round((options.startTimeout ?? 30) * 1000),
    warn,
  };
  const connections = new Map(
    Object.entries(servers).map(([name, config]) => [
      name,
      new McpConnection(name, config, registry, connectionOptions),
    ]),
  );
  await Promise.all([...connections.values()].map((c) => c.start().catch((error: Error) => warn(error.message))));
  let closing: Promise<void> | undefined;
  return {
    connections,
    close() {
      closing ??= Promise.allSettled([...connections.values()].map((c) => c.close())).then(() => {});
      return closing;
    },
  };
}
