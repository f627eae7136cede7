import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { isInitializeRequest } from "@modelcontextprotocol/sdk/types.js";

const PATH = "/mcp";
const MAX_BODY_BYTES = 4 * 1024 * 1024;

export interface HttpEndpoint {
  /** `http://HOST:PORT/mcp`, with the port actually bound (useful with port 0). */
  url: string;
  /** Sessions open right now (initialized or initializing). */
  readonly sessions: number;
  /** Ends every session and stops listening. */
  close(): Promise<void>;
}

export interface HttpOptions {
  /**
   * Milliseconds a session may go without a request before it is closed (its transport and server,
   * and with them the server's registry listener). A request still running, such as a long program or
   * an open notification stream, keeps its session alive. Default 600000 (10 minutes); `Infinity` (or
   * anything beyond a timer's 2^31-1 ms) never expires sessions.
   */
  idleTimeoutMs?: number;
  /** Sessions open at once; an initialize beyond this is refused with HTTP 503. Default 100. */
  maxSessions?: number;
}

const DEFAULT_IDLE_TIMEOUT_MS = 10 * 60 * 1000;
const DEFAULT_MAX_SESSIONS = 100;
const MAX_TIMER_MS = 2 ** 31 - 1;

interface Session {
  transport: StreamableHTTPServerTransport;
  server: Server;
  /** Requests of this session still running (a response not yet finished or aborted). */
  active: number;
  idle?: NodeJS.Timeout;
}

/**
 * Serves MCP over Streamable HTTP at `/mcp`, one session (and one server from `newServer`) per
 * client, so notifications such as `tools/list_changed` reach every client. Loopback hosts get
 * DNS-rebinding protection: only `Host` headers naming this server are accepted. Sessions end on
 * DELETE, when their transport closes, or after `idleTimeoutMs` without a request; at most
 * `maxSessions` are open at once.
 *
 * @example
 * import { createMcpServer, listenHttp } from "code-mode/mcp";
 * const tool = createCodeModeTool(registry);
 * const endpoint = await listenHttp(() => createMcpServer(tool, { registry }), "127.0.0.1", 3000);
 * console.log(endpoint.url); // http://127.0.0.1:3000/mcp
 * // ...
 * await endpoint.close();
 */
export async function listenHttp(
  newServer: () => Server,
  host: string,
  port: number,
  options: HttpOptions = {},
): Promise<HttpEndpoint> {
  const idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const maxSessions = options.maxSessions ?? DEFAULT_MAX_SESSIONS;
  const expires = idleTimeoutMs <= MAX_TIMER_MS;
  if (!(idleTimeoutMs > 0)) throw new RangeError(`idleTimeoutMs must be a positive number; got ${idleTimeoutMs}.`);
  if (!(Number.isInteger(maxSessions) && maxSessions > 0)) {
    throw new RangeError(`maxSessions must be a positive integer; got ${maxSessions}.`);
  }
  /** Initialized sessions by id. */
  const sessions = new Map<string, Session>();
  /** Every session not yet closed, including those whose initialize is still being answered. */
  const open = new Set<Session>();
  let allowedHosts: string[] | undefined;
  let closing: Promise<void> | undefined;

  const endSession = (session: Session) => {
    if (!open.delete(session)) return;
    clearTimeout(session.idle);
    if (session.transport.sessionId) sessions.delete(session.transport.sessionId);
    // Closing the transport closes the server too (the SDK chains its onclose), which removes the
    // server's registry listener; closing the server as well covers a transport never connected.
    void session.transport.close().catch(() => {});
    void session.server.close().catch(() => {});
  };

  /** Counts a request against its session until its response ends; the idle clock runs only at zero. */
  const track = (session: Session, res: ServerResponse) => {
    clearTimeout(session.idle);
    session.idle = undefined;
    session.active++;
    res.once("close", () => {
      session.active--;
      if (session.active === 0 && open.has(session) && expires) {
        session.idle = setTimeout(() => endSession(session), idleTimeoutMs);
        session.idle.unref();
      }
    });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname !== PATH) return reply(res, 404, `Not found: the MCP endpoint is ${PATH}.`);
    const sessionId = header(req, "mcp-session-id");
    const body = req.method === "POST" ? await readJson(req) : undefined;
    if (body instanceof Error) return reply(res, 400, body.message, -32700);
    if (sessionId) {
      const session = sessions.get(sessionId);
      if (!session) return reply(res, 404, "Unknown or expired session; initialize a new one.", -32001);
      track(session, res);
      return session.transport.handleRequest(req, res, body);
    }
    if (req.method !== "POST" || !isInitializeRequest(body)) {
      return reply(res, 400, "No session: start with an initialize request (POST) without an Mcp-Session-Id.");
    }
    if (closing) return reply(res, 503, "The server is shutting down.");
    if (open.size >= maxSessions) {
      if (expires) res.setHeader("retry-after", String(Math.ceil(idleTimeoutMs / 1000)));
      return reply(
        res,
        503,
        `Too many sessions: this server holds at most ${maxSessions} at once. Close sessions you no longer use ` +
          `(DELETE ${PATH} with their Mcp-Session-Id)` +
          (expires ? `, or retry once idle ones expire (after ${formatMs(idleTimeoutMs)} without a request).` : "."),
        -32000,
        (body as { id?: string | number }).id ?? null,
      );
    }
    const server = newServer();
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        sessions.set(id, session);
      },
      ...(allowedHosts && { enableDnsRebindingProtection: true, allowedHosts }),
    });
    const session: Session = { transport, server, active: 0 };
    open.add(session);
    transport.onclose = () => endSession(session);
    track(session, res);
    try {
      await server.connect(transport);
      await transport.handleRequest(req, res, body);
    } finally {
      // An initialize the transport refused (bad headers, a rebinding Host...) leaves no session to
      // come back to: end it now rather than leave its server and registry listener behind.
      if (!transport.sessionId || !sessions.has(transport.sessionId)) endSession(session);
    }
  };

  const http = createServer((req, res) => {
    handle(req, res).catch((error: Error) => {
      if (!res.headersSent) reply(res, 500, `Internal error: ${error.message}`, -32603);
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(port, host, () => {
      http.off("error", reject);
      resolve();
    });
  });
  const bound = (http.address() as AddressInfo).port;
  const hostPart = host.includes(":") ? `[${host}]` : host;
  if (["127.0.0.1", "localhost", "::1"].includes(host)) {
    allowedHosts = [`${hostPart}:${bound}`, `localhost:${bound}`, `127.0.0.1:${bound}`, `[::1]:${bound}`];
  }
  return {
    url: `http://${hostPart}:${bound}${PATH}`,
    get sessions() {
      return open.size;
    },
    close() {
      closing ??= (async () => {
        await Promise.allSettled(
          [...open].map(async (session) => {
            endSession(session);
            await session.server.close();
          }),
        );
        http.closeAllConnections();
        await new Promise<void>((resolve) => http.close(() => resolve()));
      })();
      return closing;
    },
  };
}

function formatMs(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms % 1000 === 0) return `${ms / 1000} s`;
  return `${ms} ms`;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return new Error(`The request body is larger than ${MAX_BODY_BYTES} bytes.`);
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    return new Error("The request body is not JSON.");
  }
}

function reply(
  res: ServerResponse,
  status: number,
  message: string,
  code = -32000,
  id: string | number | null = null,
): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify({ jsonrpc: "2.0", error: { code, message }, id }));
}
