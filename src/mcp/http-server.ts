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
  /** Ends every session and stops listening. */
  close(): Promise<void>;
}

/**
 * Serves MCP over Streamable HTTP at `/mcp`, one session (and one server from `newServer`) per
 * client, so notifications such as `tools/list_changed` reach every client. Loopback hosts get
 * DNS-rebinding protection: only `Host` headers naming this server are accepted.
 */
export async function listenHttp(newServer: () => Server, host: string, port: number): Promise<HttpEndpoint> {
  const sessions = new Map<string, { transport: StreamableHTTPServerTransport; server: Server }>();
  let allowedHosts: string[] | undefined;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname !== PATH) return reply(res, 404, `Not found: the MCP endpoint is ${PATH}.`);
    const sessionId = header(req, "mcp-session-id");
    const body = req.method === "POST" ? await readJson(req) : undefined;
    if (body instanceof Error) return reply(res, 400, body.message, -32700);
    if (sessionId) {
      const session = sessions.get(sessionId);
      if (!session) return reply(res, 404, "Unknown or expired session; initialize a new one.", -32001);
      return session.transport.handleRequest(req, res, body);
    }
    if (req.method !== "POST" || !isInitializeRequest(body)) {
      return reply(res, 400, "No session: start with an initialize request (POST) without an Mcp-Session-Id.");
    }
    const server = newServer();
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        sessions.set(id, { transport, server });
      },
      ...(allowedHosts && { enableDnsRebindingProtection: true, allowedHosts }),
    });
    transport.onclose = () => {
      if (transport.sessionId) sessions.delete(transport.sessionId);
      void server.close().catch(() => {});
    };
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
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
  let closing: Promise<void> | undefined;
  return {
    url: `http://${hostPart}:${bound}${PATH}`,
    close() {
      closing ??= (async () => {
        await Promise.allSettled([...sessions.values()].map(({ transport }) => transport.close()));
        sessions.clear();
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

function reply(res: ServerResponse, status: number, message: string, code = -32000): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify({ jsonrpc: "2.0", error: { code, message }, id: null }));
}
