import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { ErrorCode, McpError, ToolListChangedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import type { ToolRegistry } from "../tools/registry.ts";
import type { Tool } from "../tools/tool.ts";
import { VERSION } from "../version.ts";
import { McpServerError } from "./errors.ts";
import type { McpServerConfig } from "./server-config.ts";
import { StderrTail } from "./stderr-tail.ts";
import { checkListedTools, type ListedTool } from "./tool-list.ts";
import { toolResultValue } from "./tool-result.ts";
import { type OpenedTransport, openTransport } from "./transport.ts";

// Loose on purpose: the SDK's strict result schemas reject a whole tool list for one bad tool,
// and `checkListedTools` judges each tool on its own instead.
const ListResult = z.looseObject({ tools: z.array(z.unknown()), nextCursor: z.string().optional() });
const CallResult = z.looseObject({
  content: z.array(z.unknown()).optional(),
  structuredContent: z.unknown().optional(),
  isError: z.boolean().optional(),
});

// The bridge's per-call timeout aborts the signal; the SDK's own 60 s default must not cut in first.
const CALL_TIMEOUT_MS = 24 * 60 * 60 * 1000;
const MAX_LIST_PAGES = 100;

export type ConnectionState = "idle" | "starting" | "ready" | "down" | "closed";

export interface ConnectionOptions {
  /** Where relative stdio `cwd`s resolve, and stdio servers start by default. */
  baseDir: string;
  /** Ms a server has to answer `initialize` and `tools/list`. */
  startTimeoutMs: number;
  /** Problems that do not stop anything (a skipped tool, a server that exited): one line each. */
  warn: (message: string) => void;
}

/**
 * One MCP server: its process or HTTP session, its tools in the registry under the namespace
 * `name`, and its lifecycle. A server that dies keeps its tools registered and is restarted on
 * the next call; a changed tool list (`notifications/tools/list_changed`) is registered again.
 */
export class McpConnection {
  readonly name: string;
  readonly #config: McpServerConfig;
  readonly #registry: ToolRegistry;
  readonly #options: ConnectionOptions;
  readonly #stderr = new StderrTail();
  #state: ConnectionState = "idle";
  #client: Client | undefined;
  #opened: OpenedTransport | undefined;
  #starting: Promise<void> | undefined;
  #refreshing: Promise<void> = Promise.resolve();
  #signature: string | undefined;
  #lastError: string | undefined;
  readonly #warned = new Set<string>();

  constructor(name: string, config: McpServerConfig, registry: ToolRegistry, options: ConnectionOptions) {
    this.name = name;
    this.#config = config;
    this.#registry = registry;
    this.#options = options;
  }

  get state(): ConnectionState {
    return this.#state;
  }

  /** The server process's id while one runs (stdio servers only). */
  get pid(): number | null {
    return this.#state === "closed" ? null : (this.#opened?.pid() ?? null);
  }

  /** Why the server last failed, if it did. */
  get error(): string | undefined {
    return this.#lastError;
  }

  /** Connects, lists the tools and registers them; rejects with an McpServerError naming the server. */
  start(): Promise<void> {
    if (this.#state === "closed") return Promise.reject(this.#closedError());
    if (this.#state === "ready") return Promise.resolve();
    this.#starting ??= this.#start().finally(() => {
      this.#starting = undefined;
    });
    return this.#starting;
  }

  /** Calls one of the server's tools; see `toolResultValue` for what comes back. */
  async call(tool: string, input: unknown, signal: AbortSignal): Promise<unknown> {
    if (this.#state !== "ready") {
      const restarting = this.#state === "down";
      try {
        await this.start();
      } catch (error) {
        if (!restarting) throw error;
        throw new McpServerError(this.name, `${(error as Error).message}\n(It had stopped; restarting it failed.)`, {
          cause: error,
        });
      }
    }
    const client = this.#client;
    if (!client) {
      // It stopped between starting and this call; the next call starts it again.
      throw new McpServerError(
        this.name,
        `MCP server "${this.name}" stopped right after starting.${this.#stderr.suffix()}`,
      );
    }
    let result: z.infer<typeof CallResult>;
    try {
      result = await client.request(
        { method: "tools/call", params: { name: tool, arguments: (input ?? {}) as Record<string, unknown> } },
        CallResult,
        { signal, timeout: CALL_TIMEOUT_MS },
      );
    } catch (error) {
      if (signal.aborted) throw signal.reason ?? error;
      throw await this.#callError(client, tool, error);
    }
    return toolResultValue(result);
  }

  /** Ends the connection and the server process; its tools leave the registry. */
  async close(): Promise<void> {
    if (this.#state === "closed") return;
    this.#state = "closed";
    const client = this.#client;
    this.#client = undefined;
    await client?.close().catch(() => {});
    // A server that is still starting has its client in #client already; nothing else runs.
    this.#registry.unregisterNamespace(this.name);
  }

  async #start(): Promise<void> {
    this.#state = "starting";
    this.#stderr.clear();
    let opened: OpenedTransport;
    try {
      opened = openTransport(this.#config, this.#options.baseDir, this.#stderr);
    } catch (error) {
      throw this.#failed(`could not be set up: ${reason(error)}`, error);
    }
    const client = new Client({ name: "code-mode", version: VERSION }, { capabilities: {} });
    client.onclose = () => this.#onClosed(client);
    client.onerror = () => {}; // Failures surface through the requests they break.
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
      this.#refreshing = this.#refreshing
        .then(() => (this.#client === client ? this.#refresh(client) : undefined))
        .catch((error) => this.#warn(`MCP server "${this.name}": re-listing its tools failed: ${reason(error)}`));
    });
    this.#client = client;
    this.#opened = opened;
    try {
      const timeout = this.#options.startTimeoutMs;
      await client.connect(opened.transport, { timeout });
      if (this.#isClosed()) throw this.#closedError();
      await this.#refresh(client);
      if (this.#isClosed()) throw this.#closedError();
      this.#state = "ready";
      this.#lastError = undefined;
    } catch (error) {
      if (this.#client === client) this.#client = undefined;
      await client.close().catch(() => {});
      if (this.#isClosed()) throw this.#closedError();
      this.#state = "down";
      await flushed();
      throw this.#failed(`failed to start: ${this.#startReason(error)}`, error);
    }
  }

  async #refresh(client: Client): Promise<void> {
    const listed: unknown[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_LIST_PAGES; page++) {
      const result = await client.request(
        { method: "tools/list", params: cursor === undefined ? {} : { cursor } },
        ListResult,
        { timeout: this.#options.startTimeoutMs },
      );
      listed.push(...result.tools);
      if (!result.nextCursor || result.nextCursor === cursor) break;
      cursor = result.nextCursor;
    }
    const { tools, problems } = checkListedTools(this.name, listed);
    for (const problem of problems) this.#warn(problem);
    const signature = JSON.stringify(tools);
    if (signature === this.#signature) return;
    this.#registry.unregisterNamespace(this.name);
    this.#signature = undefined;
    if (tools.length > 0) this.#registry.register(...tools.map((tool) => this.#asTool(tool)));
    this.#signature = signature;
  }

  #asTool(listed: ListedTool): Tool {
    return {
      ...listed,
      namespace: this.name,
      execute: (input, context) => this.call(listed.name, input, context.signal),
    };
  }

  #onClosed(client: Client): void {
    if (this.#client !== client || this.#state === "closed") return;
    this.#client = undefined;
    const wasReady = this.#state === "ready";
    this.#state = "down";
    if (wasReady) {
      void flushed().then(() => {
        this.#lastError = `MCP server "${this.name}" (${this.#opened?.target}) stopped.${this.#stderr.suffix()}`;
        this.#warn(`${this.#lastError}\nIt will be restarted when one of its tools is called again.`);
      });
    }
  }

  async #callError(client: Client, tool: string, error: unknown): Promise<McpServerError> {
    const target = `MCP server "${this.name}" (${this.#opened?.target})`;
    const closed = error instanceof McpError && error.code === ErrorCode.ConnectionClosed;
    if (closed || this.#client !== client) {
      this.#onClosed(client);
      await flushed();
      const message = `${target} stopped during the call to ${tool}; it will be restarted on the next call.${this.#stderr.suffix()}`;
      this.#lastError = message;
      return new McpServerError(this.name, message, { cause: error });
    }
    if (!(error instanceof McpError)) {
      // A transport failure (HTTP refused, session gone): reconnect on the next call.
      if (this.#client === client) this.#client = undefined;
      this.#state = "down";
      void client.close().catch(() => {});
      const message = `${target} could not be reached for ${tool}: ${reason(error)}`;
      this.#lastError = message;
      return new McpServerError(this.name, message, { cause: error });
    }
    return new McpServerError(this.name, `${target} refused ${tool}: ${error.message}`, { cause: error });
  }

  #startReason(error: unknown): string {
    const code = (error as NodeJS.ErrnoException)?.code;
    if (!("url" in this.#config) && (code === "ENOENT" || code === "EACCES")) {
      const why = code === "ENOENT" ? "was not found" : "may not be run";
      return `the command "${this.#config.command}" ${why} (${code}); check "command" (and "cwd") in the config`;
    }
    if (error instanceof McpError && error.code === ErrorCode.ConnectionClosed) {
      return "it exited before completing the MCP handshake";
    }
    if (error instanceof McpError && error.code === ErrorCode.RequestTimeout) {
      return `it did not answer within ${this.#options.startTimeoutMs / 1000} s`;
    }
    return reason(error);
  }

  #failed(what: string, cause: unknown): McpServerError {
    const target = this.#opened?.target ?? ("url" in this.#config ? this.#config.url : this.#config.command);
    // A process that never ran has no stderr to show.
    const spawned =
      !("url" in this.#config) && !["ENOENT", "EACCES"].includes((cause as NodeJS.ErrnoException)?.code ?? "");
    const message = `MCP server "${this.name}" (${target}) ${what}.${spawned ? this.#stderr.suffix() : ""}`;
    this.#lastError = message;
    return new McpServerError(this.name, message, { cause });
  }

  // A method, so TypeScript does not narrow the state across the awaits where close() may run.
  #isClosed(): boolean {
    return this.#state === "closed";
  }

  #closedError(): McpServerError {
    return new McpServerError(this.name, `MCP server "${this.name}" was closed.`);
  }

  #warn(message: string): void {
    if (this.#warned.has(message)) return;
    this.#warned.add(message);
    this.#options.warn(message);
  }
}

function reason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/^MCP error -?\d+: /, "").replace(/\.$/, "");
}

// Child 'close' fires once stdio ended, but the piped stderr may still have data events queued.
function flushed(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 20));
}
