import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import {
  CallToolRequestSchema,
  type CallToolResult,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
  type Tool,
} from "@modelcontextprotocol/sdk/types.js";
import {
  matchesText,
  SEARCH_TOOL_DESCRIPTION,
  SEARCH_TOOL_NAME,
  searchToolInputSchema,
} from "../catalog/search-tool.ts";
import { CodeModeError } from "../errors.ts";
import type { CodeModeTool } from "../execute-code/code-mode-tool.ts";
import type { ToolRegistry } from "../tools/registry.ts";
import { VERSION } from "../version.ts";
import { approvalContext } from "./elicit-approval.ts";
import { ClientLogLevel } from "./logging.ts";
import { progressNotifier } from "./progress.ts";

/** JSON Schema of `ExecutionResult` (DESIGN.md's structured result): the tool's `outputSchema`. */
export const executionResultSchema = {
  type: "object",
  properties: {
    ok: { type: "boolean", description: "Whether the program ran to the end without an error." },
    result: {
      anyOf: ["object", "array", "string", "number", "boolean", "null"].map((type) => ({ type })),
      description: "The program's return value (JSON); absent when it returned nothing.",
    },
    error: {
      type: "object",
      properties: {
        kind: {
          type: "string",
          enum: ["syntax", "type", "runtime", "tool", "timeout", "memory", "limit", "executor", "config"],
        },
        message: { type: "string" },
        line: { type: "integer" },
        column: { type: "integer" },
      },
      required: ["kind", "message"],
    },
    logs: {
      type: "array",
      items: {
        type: "object",
        properties: {
          level: { type: "string", enum: ["log", "info", "warn", "error", "debug"] },
          message: { type: "string" },
        },
        required: ["level", "message"],
      },
    },
    toolCalls: {
      type: "array",
      items: {
        type: "object",
        properties: { tool: { type: "string" }, ok: { type: "boolean" }, ms: { type: "number" } },
        required: ["tool", "ok", "ms"],
      },
    },
    runtime: { type: "string", enum: ["vm", "docker"] },
    ms: { type: "number" },
    fallback: { type: "string" },
    resultCut: { type: "boolean" },
    warnings: {
      type: "array",
      items: { type: "string" },
      description: "What the type check found that did not block the program, or that it was skipped.",
    },
  },
  required: ["ok", "logs", "toolCalls", "runtime", "ms"],
} as const;

const searchResultSchema = {
  type: "object",
  properties: {
    matches: {
      type: "array",
      items: {
        type: "object",
        properties: { name: { type: "string" }, summary: { type: "string" }, declaration: { type: "string" } },
        required: ["name", "summary", "declaration"],
      },
    },
  },
  required: ["matches"],
} as const;

/** `search_tools`: the matches as text for the model and as structured content; bad input is an `isError` result. */
function searchTools(tool: CodeModeTool, args: Record<string, unknown> | undefined): CallToolResult {
  const query = args?.query;
  try {
    const matches = tool.search(
      query as string,
      args?.limit === undefined ? undefined : { limit: args.limit as number },
    );
    return {
      content: [{ type: "text", text: matchesText(String(query), matches) }],
      structuredContent: { matches },
    };
  } catch (error) {
    if (!CodeModeError.isInstance(error)) throw error;
    // The same words as inside programs: the same search answers both.
    return { content: [{ type: "text", text: error.message }], isError: true };
  }
}

export interface McpServerOptions {
  /** The registry behind `tool`: its changes are announced as `notifications/tools/list_changed`. */
  registry?: ToolRegistry;
  /** Server name in the `initialize` answer. Default "code-mode". */
  name?: string;
}

// Every server of a registry (one per HTTP session) shares one registry listener: a listener each
// would pass Node's limit of ten and print a MaxListenersExceededWarning for a healthy server.
const subscriptions = new WeakMap<ToolRegistry, { listeners: Set<() => void>; fanOut: () => void }>();

function subscribe(registry: ToolRegistry, onChange: () => void): () => void {
  let subscription = subscriptions.get(registry);
  if (!subscription) {
    const listeners = new Set<() => void>();
    const fanOut = () => {
      for (const listener of [...listeners]) listener();
    };
    subscription = { listeners, fanOut };
    registry.on("change", subscription.fanOut);
    subscriptions.set(registry, subscription);
  }
  const { listeners, fanOut } = subscription;
  listeners.add(onChange);
  return () => {
    if (!listeners.delete(onChange) || listeners.size > 0) return;
    registry.off("change", fanOut);
    subscriptions.delete(registry);
  };
}

/** The SDK's `Server`, whose `close()` also lets go of the registry, connected or not. */
class CodeModeServer extends Server {
  detach: (() => void) | undefined;

  override async close(): Promise<void> {
    this.detach?.();
    await super.close();
  }
}

/**
 * An MCP server (the SDK's `Server`, not yet connected) offering one tool, `execute_code`, whose
 * description carries the declarations of every tool; when they do not fit the catalog budget
 * (the description then holds an index), a second tool, `search_tools`, finds them. Programs run
 * concurrently; a failing program is an `isError` result, never a server failure. A call with a
 * `progressToken` hears the program's events as `notifications/progress` (console lines also as
 * `notifications/message`, down to the client's logging level); calls that `approval.require`
 * marks are asked of the client through elicitation, or refused, saying how to allow them, when it
 * cannot elicit. Connect it to any transport; one server per client connection, all sharing the
 * same `tool`.
 *
 * @example
 * import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
 * import { createMcpServer } from "code-mode/mcp";
 * const server = createMcpServer(createCodeModeTool(registry), { registry });
 * await server.connect(new StdioServerTransport());
 */
export function createMcpServer(tool: CodeModeTool, options: McpServerOptions = {}): Server {
  const server = new CodeModeServer(
    { name: options.name ?? "code-mode", version: VERSION },
    { capabilities: { tools: { listChanged: true }, logging: {} } },
  );
  const logLevel = new ClientLogLevel(server);
  let listed: string | undefined;

  server.setRequestHandler(ListToolsRequestSchema, () => {
    listed = tool.description;
    const tools: Tool[] = [
      {
        name: tool.name,
        description: tool.description,
        inputSchema: tool.inputSchema,
        outputSchema: executionResultSchema as unknown as { type: "object" },
        annotations: { title: "Run a TypeScript program over the tools", openWorldHint: true },
      },
    ];
    if (tool.catalogForm === "index") {
      tools.push({
        name: SEARCH_TOOL_NAME,
        description: SEARCH_TOOL_DESCRIPTION,
        inputSchema: searchToolInputSchema as unknown as Tool["inputSchema"],
        outputSchema: searchResultSchema as unknown as Tool["outputSchema"],
        annotations: { title: "Find tools for execute_code", openWorldHint: false },
      });
    }
    return { tools };
  });

  server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult> => {
    if (request.params.name === SEARCH_TOOL_NAME && tool.catalogForm === "index") {
      return searchTools(tool, request.params.arguments);
    }
    if (request.params.name !== tool.name) {
      throw new McpError(
        ErrorCode.InvalidParams,
        `Unknown tool "${request.params.name}"; the tools are "${tool.name}"${tool.catalogForm === "index" ? ` and "${SEARCH_TOOL_NAME}"` : ""}.`,
      );
    }
    const code = request.params.arguments?.code;
    if (typeof code !== "string") {
      return {
        content: [{ type: "text", text: `${tool.name} needs { "code": string }: the TypeScript program to run.` }],
        isError: true,
      };
    }
    try {
      // Events go out only to a client that asked for progress; approvals are asked whenever a call needs one.
      const progressToken = extra._meta?.progressToken;
      const { text, result } = await tool.execute(
        { code },
        {
          signal: extra.signal,
          ...(progressToken !== undefined && { onEvent: progressNotifier(extra, progressToken, logLevel) }),
          ...approvalContext(server, extra, tool.options.approval.timeoutMs),
        },
      );
      return {
        content: [{ type: "text", text }],
        structuredContent: result as unknown as Record<string, unknown>,
        isError: !result.ok,
      };
    } catch (error) {
      return { content: [{ type: "text", text: `${tool.name} failed: ${(error as Error).message}` }], isError: true };
    }
  });

  if (options.registry) {
    const registry = options.registry;
    let pending: NodeJS.Timeout | undefined;
    // A re-listed server unregisters and registers in one go: announce once, and only real changes.
    const onChange = () => {
      if (pending) return;
      pending = setTimeout(() => {
        pending = undefined;
        if (listed === undefined || listed === tool.description) return;
        listed = tool.description;
        server.sendToolListChanged().catch(() => {});
      }, 10);
    };
    const unsubscribe = subscribe(registry, onChange);
    // The subscription goes with the connection: when the transport closes (the SDK calls onclose)
    // or the server is closed, even one never connected.
    server.detach = () => {
      unsubscribe();
      clearTimeout(pending);
      pending = undefined;
    };
    const previous = server.onclose;
    server.onclose = () => {
      server.detach?.();
      previous?.();
    };
  }
  return server;
}
