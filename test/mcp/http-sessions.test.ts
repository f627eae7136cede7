// listenHttp's session bookkeeping through the library API: idle expiry, the session cap, and that
// every way a session ends also lets go of its server's registry listener.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { LATEST_PROTOCOL_VERSION } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { createCodeModeTool, ToolRegistry, VmExecutor } from "../../src/index.ts";
import type { HttpOptions } from "../../src/mcp/http-server.ts";
import { createMcpServer, type HttpEndpoint, listenHttp } from "../../src/mcp/index.ts";
import { waitFor } from "./helpers.ts";

const executor = new VmExecutor({ processes: 1 });
const registry = new ToolRegistry([
  { name: "ping", description: "Answers pong.", inputSchema: { type: "object" }, execute: () => "pong" },
]);
const tool = createCodeModeTool(registry, { runtime: executor, timeout: 5 });
// The tool itself listens to the registry; each live MCP server adds one listener on top.
const baseline = registry.listenerCount("change");

const endpoints: HttpEndpoint[] = [];
const clients: Client[] = [];

async function listen(options: HttpOptions): Promise<HttpEndpoint> {
  const endpoint = await listenHttp(() => createMcpServer(tool, { registry }), "127.0.0.1", 0, options);
  endpoints.push(endpoint);
  return endpoint;
}

async function connect(url: string): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const client = new Client({ name: "test", version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(new URL(url));
  await client.connect(transport);
  clients.push(client);
  return { client, transport };
}

/** An initialize by hand: a client that sends one request and never opens a notification stream. */
async function initialize(url: string): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: "raw", version: "1" } },
    }),
  });
}

/** A request by hand on a session. */
async function request(url: string, session: string, message: { method: string; params?: unknown }) {
  return fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-session-id": session,
    },
    body: JSON.stringify({ jsonrpc: "2.0", id: 2, ...message }),
  });
}

afterEach(async () => {
  await Promise.allSettled(clients.splice(0).map((client) => client.close()));
  await Promise.allSettled(endpoints.splice(0).map((endpoint) => endpoint.close()));
  expect(await waitFor(() => registry.listenerCount("change") === baseline)).toBe(true);
});

afterAll(async () => {
  await tool.close();
  await executor.close();
});

describe("HTTP sessions", () => {
  it("expire after the idle timeout once their clients vanish without a DELETE, listeners and all", async () => {
    const endpoint = await listen({ idleTimeoutMs: 500 });
    const opened = await Promise.all([1, 2, 3].map(() => connect(endpoint.url)));
    for (const { client } of opened) expect((await client.listTools()).tools[0]!.name).toBe("execute_code");
    expect(endpoint.sessions).toBe(3);
    expect(registry.listenerCount("change")).toBe(baseline + 3);

    // A connected client, its notification stream open, is not idle: it outlives the timeout.
    await new Promise((r) => setTimeout(r, 1200));
    expect(endpoint.sessions).toBe(3);
    expect((await opened[0]!.client.listTools()).tools).toHaveLength(1);

    // Clients gone without a DELETE (closing the SDK transport only drops the connection).
    await Promise.all(opened.map(({ client }) => client.close()));
    expect(await waitFor(() => endpoint.sessions === 0, 3000)).toBe(true);
    expect(registry.listenerCount("change")).toBe(baseline);
  });

  it("expire after the idle timeout when a client stops sending requests; the session is then unknown", async () => {
    const endpoint = await listen({ idleTimeoutMs: 1000 });
    const ids = await Promise.all(
      [1, 2, 3, 4, 5].map(async () => {
        const response = await initialize(endpoint.url);
        expect(response.status).toBe(200);
        await response.text();
        return response.headers.get("mcp-session-id")!;
      }),
    );
    expect(endpoint.sessions).toBe(5);
    expect(registry.listenerCount("change")).toBe(baseline + 5);

    // A request running longer than the timeout keeps its session: it is busy, not idle.
    const busy = await request(endpoint.url, ids[0]!, {
      method: "tools/call",
      params: {
        name: "execute_code",
        arguments: { code: "await new Promise((r) => setTimeout(r, 1500)); return await api.ping({});" },
      },
    });
    expect(busy.status).toBe(200);
    expect(await busy.text()).toContain('"result":"pong"');

    expect(await waitFor(() => endpoint.sessions === 0, 4000)).toBe(true);
    expect(registry.listenerCount("change")).toBe(baseline);
    const late = await request(endpoint.url, ids[0]!, { method: "tools/list" });
    expect(late.status).toBe(404);
    expect(((await late.json()) as { error: { message: string } }).error.message).toMatch(/Unknown or expired session/);
  });

  it("refuse an initialize beyond maxSessions with a 503 that names the limit, until one is closed", async () => {
    const endpoint = await listen({ maxSessions: 2 });
    const [first] = [await connect(endpoint.url), await connect(endpoint.url)];
    expect(registry.listenerCount("change")).toBe(baseline + 2);

    // The SDK client surfaces the status and the message as they are.
    const error = await connect(endpoint.url).catch((e: Error & { code?: number }) => e);
    expect(error).toMatchObject({ code: 503 });
    expect((error as Error).message).toMatch(/Too many sessions: .*at most 2 at once.*DELETE \/mcp/);
    const refused = await initialize(endpoint.url);
    expect(refused.status).toBe(503);
    expect(await refused.json()).toMatchObject({
      jsonrpc: "2.0",
      id: 1,
      error: { code: -32000, message: expect.stringMatching(/Too many sessions.*at most 2.*after 10 min/) },
    });
    // A refused initialize created no server.
    expect(endpoint.sessions).toBe(2);
    expect(registry.listenerCount("change")).toBe(baseline + 2);

    // A DELETE ends a session at once, making room.
    await first!.transport.terminateSession();
    expect(endpoint.sessions).toBe(1);
    expect(await waitFor(() => registry.listenerCount("change") === baseline + 1)).toBe(true);
    const third = await connect(endpoint.url);
    expect((await third.client.listTools()).tools).toHaveLength(1);
    expect(endpoint.sessions).toBe(2);
  });

  it("leave nothing behind when the transport refuses an initialize, or when the endpoint closes", async () => {
    const endpoint = await listen({});
    const refused = await fetch(endpoint.url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/plain" },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "initialize",
        params: { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: "x", version: "1" } },
      }),
    });
    expect(refused.status).toBe(406);
    expect(endpoint.sessions).toBe(0);
    expect(registry.listenerCount("change")).toBe(baseline);

    await connect(endpoint.url);
    await connect(endpoint.url);
    expect(registry.listenerCount("change")).toBe(baseline + 2);
    await endpoints.pop()!.close();
    expect(endpoint.sessions).toBe(0);
    expect(registry.listenerCount("change")).toBe(baseline);
  });

  it("refuse options that cannot work; an infinite idle timeout means sessions never expire", async () => {
    await expect(listen({ idleTimeoutMs: 0 })).rejects.toThrow(/idleTimeoutMs must be a positive number/);
    await expect(listen({ maxSessions: 1.5 })).rejects.toThrow(/maxSessions must be a positive integer/);

    const endpoint = await listen({ idleTimeoutMs: Infinity, maxSessions: 1 });
    const kept = await initialize(endpoint.url);
    await kept.text();
    await new Promise((r) => setTimeout(r, 100)); // a timer given Infinity would have fired after 1 ms
    expect(endpoint.sessions).toBe(1);
    const refused = await initialize(endpoint.url);
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toBeNull();
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(
      /at most 1 at once\. Close sessions you no longer use \(DELETE \/mcp with their Mcp-Session-Id\)\.$/,
    );
  });
});

describe("createMcpServer", () => {
  it("lets go of the registry when closed, even if it was never connected", async () => {
    const server = createMcpServer(tool, { registry });
    expect(registry.listenerCount("change")).toBe(baseline + 1);
    await server.close();
    expect(registry.listenerCount("change")).toBe(baseline);
  });
});
