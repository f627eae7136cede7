import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { openCodeMode } from "../../config/open-code-mode.ts";
import { ConfigError } from "../../errors.ts";
import { type HttpOptions, listenHttp } from "../../mcp/http-server.ts";
import { createMcpServer } from "../../mcp/server.ts";
import { parseSettingFlag, SERVE_SETTINGS } from "../../settings.ts";
import { closeOnSignals } from "../shutdown.ts";
import { parseFlags, UsageError } from "../usage.ts";

/** `code-mode serve`: Code Mode as an MCP server, over stdio or (`--http HOST:PORT`) Streamable HTTP. */
export async function serveCommand(argv: string[]): Promise<number> {
  const { values } = parseFlags(
    argv,
    {
      config: { type: "string" },
      http: { type: "string" },
      "max-sessions": { type: "string" },
      "session-idle": { type: "string" },
    },
    false,
  );
  const address = values.http === undefined ? undefined : parseAddress(values.http);
  const { maxSessions, sessionIdle } = sessionFlags(values["max-sessions"], values["session-idle"]);
  if (!address && (maxSessions !== undefined || sessionIdle !== undefined)) {
    throw new UsageError("--max-sessions and --session-idle apply to --http HOST:PORT only (stdio has one client).");
  }
  // In stdio mode stdout carries protocol messages only: a tools module that logs must not corrupt it.
  if (!address) routeConsoleToStderr();
  const session = await openCodeMode({ ...(values.config && { configFile: values.config }) });
  const newServer = () => createMcpServer(session.tool, { registry: session.registry });

  if (address) {
    let endpoint: Awaited<ReturnType<typeof listenHttp>>;
    try {
      const serve = session.config.serve ?? {};
      const options: HttpOptions = {};
      const max = maxSessions ?? serve.maxSessions;
      if (max !== undefined) options.maxSessions = max;
      const idle = sessionIdle ?? serve.sessionIdleTimeout;
      if (idle !== undefined) options.idleTimeoutMs = idle * 1000;
      endpoint = await listenHttp(newServer, address.host, address.port, options);
    } catch (error) {
      await session.close();
      throw new ConfigError(`cannot listen on ${values.http}: ${(error as Error).message}. Pick another HOST:PORT.`);
    }
    closeOnSignals(async () => {
      await endpoint.close();
      await session.close();
    });
    process.stderr.write(`code-mode serve: MCP over Streamable HTTP at ${endpoint.url}\n`);
    // Runs until SIGINT or SIGTERM; closeOnSignals ends everything and exits.
    return new Promise<number>(() => {});
  }

  const server = newServer();
  const ended = new Promise<void>((resolve) => {
    process.stdin.once("end", resolve);
    process.stdin.once("close", resolve);
  });
  const removeHandlers = closeOnSignals(async () => {
    await server.close();
    await session.close();
  });
  await server.connect(new StdioServerTransport());
  process.stderr.write("code-mode serve: MCP over stdio\n");
  await ended;
  removeHandlers();
  await server.close().catch(() => {});
  await session.close();
  return 0;
}

function sessionFlags(maxSessions: string | undefined, sessionIdle: string | undefined) {
  const read = (name: keyof typeof SERVE_SETTINGS, text: string | undefined): number | undefined => {
    if (text === undefined) return undefined;
    const parsed = parseSettingFlag(SERVE_SETTINGS[name], name, text);
    if ("problem" in parsed) throw new UsageError(parsed.problem);
    return parsed.value as number;
  };
  return { maxSessions: read("maxSessions", maxSessions), sessionIdle: read("sessionIdleTimeout", sessionIdle) };
}

function parseAddress(text: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(text);
  const port = Number(match?.[3]);
  if (!match || port > 65535) {
    throw new UsageError(`--http is "${text}"; expected HOST:PORT, e.g. 127.0.0.1:3000 (port 0 picks a free one).`);
  }
  return { host: (match[1] ?? match[2])!, port };
}

function routeConsoleToStderr(): void {
  const toStderr = (...args: unknown[]) => console.error(...args);
  console.log = toStderr;
  console.info = toStderr;
  console.debug = toStderr;
}
