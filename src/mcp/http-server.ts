import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { isInitializeRequest } from "@modelcontextprotocol/sdk/types.js";
import { SERVE_SETTINGS } from "../settings.ts";

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
   * Milliseconds a session may go without a request before it is closed (its transport and server).
   * The clock runs from the end of the session's last request; a request still running (a long
   * program) keeps the session, an open notification stream (GET) does not, since a client that
   * went away may leave one open. Default 600000 (10 minutes); `Infinity` (or anything beyond a
   * timer's 2^31-1 ms) never expires sessions.
   */
  idleTimeoutMs?: number;
  /**
   * Sessions open at once. At the cap, a new client still gets in: the least recently used idle
   * session is closed for it. Only when every session is running a request is an initialize
   * refused (HTTP 503). Default 100.
   */
  maxSessions?: number;
}

const DEFAULT_IDLE_TIMEOUT_MS = SERVE_SETTINGS.sessionIdleTimeout.default * 1000;
const DEFAULT_MAX_SESSIONS = SERVE_SETTINGS.maxSessions.default;
const MAX_TIMER_MS = 2 ** 31 - 1;
// What a client refused because every session is busy is told to wait, in seconds.
const BUSY_RETRY_AFTER_S = 5;

interface Session {
  transport: StreamableHTTPServerTransport;
  server: Server;
  /** Requests of this session still running, notification streams (GET) aside. */
  busy: number;
  /** When the session's last request started or ended (performance.now()). */
  lastUsed: number;
  idle?: NodeJS.Timeout;
}

/**
 * Serves MCP over Streamable HTTP at `/mcp`, one session (and one server from `newServer`) per
 * client, so notifications such as `tools/list_changed` reach every client. Loopback hosts get
 * DNS-rebinding protection: only `Host` headers naming this server are accepted. Sessions end on
 * DELETE, when their transport closes, after `idleTimeoutMs` without a request, or when a new
 * client needs the room of the least recently used idle one; at most `maxSessions` are open.
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

  const startIdleClock = (session: Session) => {
    clearTimeout(session.idle);
    session.idle = undefined;
    if (session.busy > 0 || !open.has(session) || !expires) return;
    session.idle = setTimeout(() => endSession(session), idleTimeoutMs);
    session.idle.unref();
  };

  /**
   * Every request restarts the session's idle clock. A request that runs (a POST) holds the clock
   * until its response ends; a notification stream (GET) does not hold it: it stays open for as
   * long as the connection does, whether or not a client is still behind it.
   */
  const track = (session: Session, req: IncomingMessage, res: ServerResponse) => {
    session.lastUsed = performance.now();
    if (req.method === "GET") return startIdleClock(session);
    session.busy++;
    startIdleClock(session);
    res.once("close", () => {
      session.busy--;
      session.lastUsed = performance.now();
      startIdleClock(session);
    });
  };

  /** The idle session used least recently, to make room for a new client. */
  const leastRecentlyUsedIdle = (): Session | undefined => {
    let found: Session | undefined;
    for (const session of open) {
      if (session.busy === 0 && (!found || session.lastUsed < found.lastUsed)) found = session;
    }
    return found;
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
      track(session, req, res);
      return session.transport.handleRequest(req, res, body);
    }
    if (req.method !== "POST" || !isInitializeRequest(body)) {
      return reply(res, 400, "No session: start with an initialize request (POST) without an Mcp-Session-Id.");
    }
    if (closing) return reply(res, 503, "The server is shutting down.");
    // At the cap, idle sessions make room: a client that left without closing never locks out a new one.
    while (open.size >= maxSessions) {
      const idle = leastRecentlyUsedIdle();
      if (!idle) {
        res.setHeader("retry-after", String(BUSY_RETRY_AFTER_S));
        return reply(
          res,
          503,
          `Too many sessions: this server holds at most ${maxSessions} at once, and every one of them is running ` +
            `a request right now. Retry in a few seconds, or close sessions you no longer use (DELETE ${PATH} ` +
            `with their Mcp-Session-Id).`,
          -32000,
          (body as { id?: string | number }).id ?? null,
        );
      }
      endSession(idle);
    }
    const server = newServer();
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        sessions.set(id, session);
      },
      ...(allowedHosts && { enableDnsRebindingProtection: true, allowedHosts }),
    });
    const session: Session = { transport, server, busy: 0, lastUsed: performance.now() };
    open.add(session);
    transport.onclose = () => endSession(session);
    track(session, req, res);
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
