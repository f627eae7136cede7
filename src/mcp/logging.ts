// The MCP logging level a client picked (`logging/setLevel`), and how a program's console levels
// map onto MCP's. One server serves one client connection, so the level is the server's.
import type { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { type LoggingLevel, LoggingLevelSchema, SetLevelRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import type { LogLevel } from "../runtimes/executor.ts";

const SEVERITY: readonly LoggingLevel[] = LoggingLevelSchema.options;

const FROM_CONSOLE: Record<LogLevel, LoggingLevel> = {
  debug: "debug",
  log: "info",
  info: "info",
  warn: "warning",
  error: "error",
};

export function mcpLevel(level: LogLevel): LoggingLevel {
  return FROM_CONSOLE[level];
}

/** The least severe level the client wants; every level until it says. */
export class ClientLogLevel {
  #least: LoggingLevel | undefined;

  /**
   * Answers the client's `logging/setLevel` on `server` (declared with the `logging` capability).
   * Replaces the SDK's own answer, whose level only its `sendLoggingMessage` reads: that method
   * cannot tie a message to the request it belongs to.
   */
  constructor(server: Server) {
    server.setRequestHandler(SetLevelRequestSchema, (request) => {
      this.#least = request.params.level;
      return {};
    });
  }

  allows(level: LoggingLevel): boolean {
    return this.#least === undefined || SEVERITY.indexOf(level) >= SEVERITY.indexOf(this.#least);
  }
}
