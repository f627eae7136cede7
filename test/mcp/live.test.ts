// Live programs through `code-mode serve`: a program's events as progress and logging
// notifications of its `tools/call`, and approvals asked of the client through elicitation,
// over stdio and Streamable HTTP, with the SDK's own client.
//
// Progress is read off the wire as well as through `onprogress`: the SDK's client (1.32) retires a
// call's progress handler as soon as it reads the response, so notifications read in the same chunk
// just before it reach `onerror` as "unknown token" instead (modelcontextprotocol/typescript-sdk#2580).
import type { ChildProcess } from "node:child_process";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import {
  type ElicitRequest,
  ElicitRequestSchema,
  type ElicitResult,
  type JSONRPCMessage,
  type LoggingMessageNotification,
  LoggingMessageNotificationSchema,
  type Progress,
} from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { CLI, fixtureServer, makeWorkspace, startHttpServe, waitFor, writeConfig } from "./helpers.ts";

const APPROVAL_SECONDS = 3;
const workspace = makeWorkspace();
// fx.echo needs a person's yes; fx.pid does not. The program's own clock is short: 1 s.
const config = writeConfig(workspace.dir, {
  codeMode: { runtime: "vm", timeout: 1, approval: { require: ["fx.echo"], timeout: APPROVAL_SECONDS } },
  mcpServers: { fx: fixtureServer() },
});

let http: { child: ChildProcess; url: string };
beforeAll(async () => {
  http = await startHttpServe("127.0.0.1:0", ["--config", config]);
});
afterAll(() => {
  if (http.child.exitCode === null) http.child.kill("SIGTERM");
  workspace.cleanup();
});

type Transport = "stdio" | "http";
type CallResult = { content: { type: string; text: string }[]; structuredContent?: any; isError?: boolean };

/** A client of the serve process: what it was asked and told, and how it answers elicitations. */
interface LiveClient {
  client: Client;
  asked: ElicitRequest["params"][];
  logs: LoggingMessageNotification["params"][];
  /** Every message from the server, in the order it arrived. */
  wire: JSONRPCMessage[];
  errors: Error[];
  /** Elicitations the server withdrew (the client's handler saw its signal abort). */
  withdrawn: number;
  answer: (params: ElicitRequest["params"]) => Promise<ElicitResult>;
  run(code: string, onprogress?: (progress: Progress) => void): Promise<CallResult>;
}

async function connect(transport: Transport, elicitation: boolean): Promise<LiveClient> {
  const client = new Client(
    { name: "live-test", version: "1.0.0" },
    { capabilities: elicitation ? { elicitation: {} } : {} },
  );
  const live: LiveClient = {
    client,
    asked: [],
    logs: [],
    wire: [],
    errors: [],
    withdrawn: 0,
    answer: async () => ({ action: "accept", content: { approve: true } }),
    run: (code, onprogress) =>
      client.callTool(
        { name: "execute_code", arguments: { code } },
        undefined,
        onprogress ? { onprogress } : {},
      ) as Promise<CallResult>,
  };
  client.onerror = (error) => live.errors.push(error);
  client.setNotificationHandler(LoggingMessageNotificationSchema, (note) => {
    live.logs.push(note.params);
  });
  if (elicitation) {
    client.setRequestHandler(ElicitRequestSchema, (request, extra) => {
      live.asked.push(request.params);
      extra.signal.addEventListener("abort", () => live.withdrawn++);
      return live.answer(request.params);
    });
  }
  const wire =
    transport === "stdio"
      ? new StdioClientTransport({
          command: process.execPath,
          args: [CLI, "serve", "--config", config],
          stderr: "ignore",
        })
      : new StreamableHTTPClientTransport(new URL(http.url));
  // The client keeps a handler set before it connects and calls it first.
  wire.onmessage = (message) => {
    live.wire.push(message);
  };
  await client.connect(wire);
  return live;
}

/** The progress the server sent before the response of the one `tools/call` on the wire, and whether all of it came first. */
function sentProgress(wire: JSONRPCMessage[]): { progress: Progress[]; beforeResponse: boolean } {
  const response = wire.findIndex((message) => "result" in message && "structuredContent" in message.result);
  const notes = wire.flatMap((message, index) =>
    "method" in message && message.method === "notifications/progress" ? [{ index, params: message.params }] : [],
  );
  return {
    progress: notes.map(({ params }) => ({ progress: params!.progress as number, message: params!.message as string })),
    beforeResponse: response >= 0 && notes.every(({ index }) => index < response),
  };
}

/** What the client reported besides the SDK's late progress (see the top of the file). */
const realErrors = (errors: Error[]) =>
  errors.filter((error) => !/progress notification for an unknown token/.test(error.message));

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const never = () => new Promise<ElicitResult>(() => {});

describe.each<Transport>(["stdio", "http"])("over %s, a client that can elicit", (transport) => {
  let live: LiveClient;
  beforeAll(async () => {
    live = await connect(transport, true);
  });
  afterAll(() => live.client.close());
  beforeEach(() => {
    live.asked.length = 0;
    live.logs.length = 0;
    live.wire.length = 0;
    live.errors.length = 0;
    live.answer = async () => ({ action: "accept", content: { approve: true } });
  });

  it("hears each event as progress of its call, in order, and the console lines as log messages", async () => {
    const heard: Progress[] = [];
    const result = await live.run(
      `console.log("hello");
       const echoed = await api.fx.echo({ text: "hi" });
       await api.fx.pid({});
       console.warn("done");
       return echoed;`,
      (p) => heard.push({ progress: p.progress, message: p.message! }),
    );
    expect(result.structuredContent).toMatchObject({ ok: true, result: "hi" });
    const sent = sentProgress(live.wire);
    expect(sent.progress.map((p) => p.message?.replace(/\d+ ms/, "N ms"))).toEqual([
      "started on the vm runtime",
      "console.log: hello",
      "#1 api.fx.echo started",
      "#1 api.fx.echo waits for approval",
      "#1 api.fx.echo approved",
      "#1 api.fx.echo ok in N ms",
      "#2 api.fx.pid started",
      "#2 api.fx.pid ok in N ms",
      "console.warn: done",
      "finished in N ms",
    ]);
    expect(sent.progress.map((p) => p.progress)).toEqual(sent.progress.map((_, i) => i + 1));
    expect(sent.beforeResponse).toBe(true);
    // onprogress hears them in order; only the SDK's race may cut the last few off.
    expect(heard.length).toBeGreaterThan(0);
    expect(heard).toEqual(sent.progress.slice(0, heard.length));
    expect(live.logs).toEqual([
      { level: "info", logger: "execute_code", data: "hello" },
      { level: "warning", logger: "execute_code", data: "done" },
    ]);
    expect(realErrors(live.errors)).toEqual([]);
  });

  it("sends no notifications for a call without a progress token", async () => {
    const result = await live.run(`console.log("quiet"); return await api.fx.echo({ text: "hi" });`);
    expect(result.structuredContent).toMatchObject({ ok: true, result: "hi", logs: [{ message: "quiet" }] });
    expect(live.wire.filter((message) => "method" in message && message.method.startsWith("notifications/"))).toEqual(
      [],
    );
    expect(live.asked).toHaveLength(1); // approvals are asked all the same
  });

  it("asks the client before a call that needs approval, naming it and its input, and runs it when approved", async () => {
    const result = await live.run(
      `const pid = await api.fx.pid({}); return await api.fx.echo({ text: "ship it" }) + " " + typeof pid;`,
    );
    expect(result.structuredContent).toMatchObject({ ok: true, result: "ship it number" });
    expect(live.asked).toHaveLength(1); // fx.pid is not in approval.require
    expect(live.asked[0]!.message).toContain("api.fx.echo");
    expect(live.asked[0]!.message).toContain('{"text":"ship it"}');
    expect(live.asked[0]).toMatchObject({ requestedSchema: { properties: { approve: { type: "boolean" } } } });
  });

  it.each<[string, ElicitResult]>([
    ["declines", { action: "decline" }],
    ["cancels", { action: "cancel" }],
    ["accepts without approving", { action: "accept", content: { approve: false } }],
  ])("when the client %s, the call is refused unrun and the program catches it and goes on", async (_, answer) => {
    live.answer = async () => answer;
    const result = await live.run(
      `let refused = "";
       try { await api.fx.echo({ text: "no" }); } catch (error) { refused = error.message; }
       return { refused, after: await api.fx.pid({}) };`,
    );
    expect(result.structuredContent.ok).toBe(true);
    expect(result.structuredContent.result.refused).toMatch(
      /^api\.fx\.echo was not approved \(declined by the client\)/,
    );
    expect(typeof result.structuredContent.result.after).toBe("number");
  });

  it("a client that never answers: the call fails after the approval bound, the request is withdrawn, the program goes on", async () => {
    live.answer = never;
    const withdrawn = live.withdrawn;
    const result = await live.run(
      `try { await api.fx.echo({ text: "anyone?" }); return "ran"; } catch (error) { return error.message; }`,
    );
    expect(result.structuredContent.ok).toBe(true);
    expect(result.structuredContent.result).toBe(
      `api.fx.echo got no answer to its approval request within ${APPROVAL_SECONDS} s (codeMode.approval.timeout); it did not run.`,
    );
    // The server cancelled its elicitation, so a client does not keep a stale question open.
    expect(await waitFor(() => live.withdrawn > withdrawn)).toBe(true);
  });

  it("the program's timeout does not run while the client thinks (1 s timeout, answer after 1.5 s)", async () => {
    live.answer = async () => {
      await delay(1500);
      return { action: "accept", content: { approve: true } };
    };
    const result = await live.run(`return await api.fx.echo({ text: "slow yes" });`);
    expect(result.structuredContent).toMatchObject({ ok: true, result: "slow yes" });
  });
});

describe("a client that cannot elicit", () => {
  let live: LiveClient;
  beforeAll(async () => {
    live = await connect("http", false);
  });
  afterAll(() => live.client.close());

  it("gets the call refused, saying the client cannot answer and how to allow the call", async () => {
    const result = await live.run(
      `try { await api.fx.echo({ text: "x" }); } catch (error) { return [error.message, await api.fx.pid({})]; }`,
    );
    const [message, pid] = result.structuredContent.result;
    expect(message).toContain("api.fx.echo needs a person's approval (codeMode.approval.require)");
    expect(message).toContain("this MCP client cannot answer approval requests (it does not support elicitation)");
    expect(message).toContain("remove it from codeMode.approval.require in the server's config");
    expect(typeof pid).toBe("number");
  });
});

describe("the client's logging level", () => {
  let live: LiveClient;
  beforeAll(async () => {
    live = await connect("stdio", true);
  });
  afterAll(() => live.client.close());

  it("keeps console lines below it out of the log messages, not out of the progress", async () => {
    await live.client.setLoggingLevel("warning");
    const result = await live.run(
      `console.debug("d"); console.log("l"); console.warn("w"); console.error("e");`,
      () => {},
    );
    expect(result.structuredContent.ok).toBe(true);
    expect(live.logs.map((log) => [log.level, log.data])).toEqual([
      ["warning", "w"],
      ["error", "e"],
    ]);
    const lines = sentProgress(live.wire).progress.map((p) => p.message ?? "");
    expect(lines.filter((line) => line.startsWith("console."))).toEqual([
      "console.debug: d",
      "console.log: l",
      "console.warn: w",
      "console.error: e",
    ]);
  });
});
