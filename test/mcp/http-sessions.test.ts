// listenHttp's session bookkeeping through the library API: idle expiry, the session cap (which
// idle sessions never fill for a new client), and that every way a session ends also lets go of
// its server's registry subscription, which all sessions share.
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
// The tool itself listens to the registry; live MCP servers add one shared listener on top.
const baseline = registry.listenerCount("change");
const subscribed = () => registry.listenerCount("change") - baseline;

const endpoints: HttpEndpoint[] = [];
const clients: Client[] = [];

async function listen(options: HttpOptions): Promise<HttpEndpoint> {
  const endpoint = await listenHttp(() => createMcpServer(tool, { registry }), "127.0.0.1", 0, options);
  endpoints.push(endpoint);
  return endpoint;
}

interface Connected {
  client: Client;
  transport: StreamableHTTPClientTransport;
  /** Notification streams (GET) this client holds open and the server has not ended. */
  openStreams(): number;
}

async function connect(url: string): Promise<Connected> {
  let streams = 0;
  // The SDK's own fetch, watched: a GET stream counts as open until the server ends its body.
  const watched: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    if ((init?.method ?? "GET") !== "GET" || !response.ok || !response.body) return response;
    streams++;
    const body = response.body.pipeThrough(
      new TransformStream({
        flush() {
          streams--;
        },
      }),
    );
    return new Response(body, { status: response.status, headers: response.headers });
  };
  const client = new Client({ name: "test", version: "1.0.0" });
  // A session the server closed makes the client's stream fail; that is expected here.
  client.onerror = () => {};
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    fetch: watched,
    reconnectionOptions: {
      maxRetries: 0,
      initialReconnectionDelay: 1000,
      maxReconnectionDelay: 1000,
      reconnectionDelayGrowFactor: 1,
    },
  });
  await client.connect(transport);
  clients.push(client);
  return { client, transport, openStreams: () => streams };
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
    // Generous: the clock runs between a client's own requests too, and a loaded machine is slow.
    const endpoint = await listen({ idleTimeoutMs: 4000 });
    const opened = await Promise.all([1, 2, 3].map(() => connect(endpoint.url)));
    for (const { client } of opened) expect((await client.listTools()).tools[0]!.name).toBe("execute_code");
    expect(endpoint.sessions).toBe(3);
    expect(subscribed()).toBe(1);

    // Clients gone without a DELETE (closing the SDK transport only drops the connection).
    await Promise.all(opened.map(({ client }) => client.close()));
    expect(await waitFor(() => endpoint.sessions === 0, 12_000)).toBe(true);
    expect(subscribed()).toBe(0);
  });

  it("end an idle session even while its notification stream stays open", async () => {
    const endpoint = await listen({ idleTimeoutMs: 2000 });
    const { client, openStreams } = await connect(endpoint.url);
    // The SDK client opens its GET stream right after initialize.
    expect(await waitFor(() => openStreams() === 1, 3000)).toBe(true);
    // Requests restart the clock; the open stream does not hold it.
    await new Promise((r) => setTimeout(r, 1000));
    expect((await client.listTools()).tools).toHaveLength(1);
    const lastRequest = performance.now();
    expect(endpoint.sessions).toBe(1);
    expect(await waitFor(() => endpoint.sessions === 0, 10_000)).toBe(true);
    expect(performance.now() - lastRequest).toBeGreaterThanOrEqual(1900);
    expect(subscribed()).toBe(0);
    // The server ended the stream with the session.
    expect(await waitFor(() => openStreams() === 0, 3000)).toBe(true);
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
    expect(subscribed()).toBe(1);

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
    expect(subscribed()).toBe(0);
    const late = await request(endpoint.url, ids[0]!, { method: "tools/list" });
    expect(late.status).toBe(404);
    expect(((await late.json()) as { error: { message: string } }).error.message).toMatch(/Unknown or expired session/);
  });

  it("let a new client in at the cap by closing the least recently used idle session", async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on("warning", onWarning);
    try {
      const endpoint = await listen({});
      // 101 clients that leave without closing: some drop their connection, some keep their
      // notification stream open and simply stop asking.
      const abandoned: Connected[] = [];
      for (let i = 0; i < 101; i++) abandoned.push(await connect(endpoint.url));
      await Promise.all(abandoned.filter((_, i) => i % 2 === 0).map(({ client }) => client.close()));
      expect(endpoint.sessions).toBe(100);

      const fresh = await connect(endpoint.url);
      const answer = await fresh.client.callTool({
        name: "execute_code",
        arguments: { code: "return await api.ping({});" },
      });
      expect(answer.structuredContent).toMatchObject({ ok: true, result: "pong" });
      expect(endpoint.sessions).toBe(100);
      // The one recently used is kept; the oldest made room.
      expect((await abandoned[99]!.client.listTools()).tools).toHaveLength(1);
      await expect(abandoned[1]!.client.listTools()).rejects.toThrow(/404|Unknown or expired session/);
      expect(subscribed()).toBe(1);
      // One shared registry listener, whatever the number of sessions: Node has nothing to warn about.
      await new Promise((r) => setImmediate(r));
      expect(warnings.map((w) => w.name)).not.toContain("MaxListenersExceededWarning");
    } finally {
      process.off("warning", onWarning);
    }
  });

  it("refuse an initialize only when every session is running a request, saying so", async () => {
    const endpoint = await listen({ maxSessions: 2 });
    const [first, second] = [await connect(endpoint.url), await connect(endpoint.url)];
    const slow = {
      name: "execute_code",
      arguments: { code: "await new Promise((r) => setTimeout(r, 1500)); return 1;" },
    };
    const running = [first!.client.callTool(slow), second!.client.callTool(slow)];
    await new Promise((r) => setTimeout(r, 300));

    // The SDK client surfaces the status and the message as they are.
    const error = await connect(endpoint.url).catch((e: Error & { code?: number }) => e);
    expect(error).toMatchObject({ code: 503 });
    expect((error as Error).message).toMatch(
      /Too many sessions: .*at most 2 at once, and every one of them is running/,
    );
    const refused = await initialize(endpoint.url);
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toBe("5");
    expect(await refused.json()).toMatchObject({
      jsonrpc: "2.0",
      id: 1,
      error: { code: -32000, message: expect.stringMatching(/Retry in a few seconds.*DELETE \/mcp/) },
    });
    // A refused initialize created no server.
    expect(endpoint.sessions).toBe(2);

    // Once the calls are answered, the sessions are idle again and make room.
    for (const result of await Promise.all(running)) expect(result.structuredContent).toMatchObject({ result: 1 });
    const third = await connect(endpoint.url);
    expect((await third.client.listTools()).tools).toHaveLength(1);
    expect(endpoint.sessions).toBe(2);
    // A DELETE ends a session at once.
    await third.transport.terminateSession();
    expect(endpoint.sessions).toBe(1);
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
    expect(subscribed()).toBe(0);

    await connect(endpoint.url);
    await connect(endpoint.url);
    expect(subscribed()).toBe(1);
    await endpoints.pop()!.close();
    expect(endpoint.sessions).toBe(0);
    expect(subscribed()).toBe(0);
  });

  it("refuse options that cannot work; an infinite idle timeout means sessions never expire", async () => {
    await expect(listen({ idleTimeoutMs: 0 })).rejects.toThrow(/idleTimeoutMs must be a positive number/);
    await expect(listen({ maxSessions: 1.5 })).rejects.toThrow(/maxSessions must be a positive integer/);

    const endpoint = await listen({ idleTimeoutMs: Infinity, maxSessions: 1 });
    const kept = await initialize(endpoint.url);
    await kept.text();
    await new Promise((r) => setTimeout(r, 100)); // a timer given Infinity would have fired after 1 ms
    expect(endpoint.sessions).toBe(1);
    // Never expiring, it still gives way to a new client at the cap.
    const next = await initialize(endpoint.url);
    expect(next.status).toBe(200);
    await next.text();
    expect(endpoint.sessions).toBe(1);
    const gone = await request(endpoint.url, kept.headers.get("mcp-session-id")!, { method: "tools/list" });
    expect(gone.status).toBe(404);
  });
});

describe("createMcpServer", () => {
  it("lets go of the registry when closed, even if it was never connected", async () => {
    const server = createMcpServer(tool, { registry });
    expect(subscribed()).toBe(1);
    await server.close();
    expect(subscribed()).toBe(0);
  });

  it("shares one registry listener among many servers, released when the last one closes", async () => {
    const servers = Array.from({ length: 30 }, () => createMcpServer(tool, { registry }));
    expect(subscribed()).toBe(1);
    await Promise.all(servers.slice(1).map((server) => server.close()));
    expect(subscribed()).toBe(1);
    await servers[0]!.close();
    expect(subscribed()).toBe(0);
  });
});
