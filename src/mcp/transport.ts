import { isAbsolute, resolve } from "node:path";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { McpServerConfig } from "./server-config.ts";
import type { StderrTail } from "./stderr-tail.ts";

/** A configured transport, plus where it leads (for messages) and its process, when it has one. */
export interface OpenedTransport {
  transport: Transport;
  /** `node server.js` or the URL, for error messages. */
  target: string;
  pid(): number | null;
}

/**
 * Makes the transport for one server. Stdio servers start in `cwd` resolved against `baseDir`
 * (the config file's folder), default `baseDir`; the command `node` means the Node running
 * code-mode, so a server never meets an older Node found first on PATH.
 */
export function openTransport(config: McpServerConfig, baseDir: string, stderr: StderrTail): OpenedTransport {
  if ("url" in config) {
    const transport = new StreamableHTTPClientTransport(new URL(config.url), {
      ...(config.headers && { requestInit: { headers: config.headers } }),
    });
    return { transport, target: config.url, pid: () => null };
  }
  const command = config.command === "node" ? process.execPath : config.command;
  const cwd = config.cwd === undefined ? baseDir : isAbsolute(config.cwd) ? config.cwd : resolve(baseDir, config.cwd);
  const transport = new StdioClientTransport({
    command,
    args: config.args ?? [],
    ...(config.env && { env: config.env }),
    cwd,
    stderr: "pipe",
  });
  stderr.follow(transport.stderr);
  return {
    transport,
    target: [config.command, ...(config.args ?? [])].join(" "),
    pid: () => transport.pid,
  };
}
