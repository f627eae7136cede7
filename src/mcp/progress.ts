// An execution's events as MCP notifications on the `tools/call` that runs it: one
// `notifications/progress` per event (a counter and a short line a client can show) and each
// console line also as a `notifications/message` the client's logging level lets through.
import type { RequestHandlerExtra } from "@modelcontextprotocol/sdk/shared/protocol.js";
import type { ProgressToken, ServerNotification, ServerRequest } from "@modelcontextprotocol/sdk/types.js";
import { eventLine } from "../execute-code/event-line.ts";
import type { ExecutionEventListener } from "../execute-code/events.ts";
import { type ClientLogLevel, mcpLevel } from "./logging.ts";

/** Logger name on the console lines a program writes. */
const LOGGER = "execute_code";

/**
 * A listener sending each event to the client as progress of the request `extra` serves, tied to
 * it (so Streamable HTTP sends them on that request's stream).
 */
export function progressNotifier(
  extra: RequestHandlerExtra<ServerRequest, ServerNotification>,
  progressToken: ProgressToken,
  logLevel: ClientLogLevel,
): ExecutionEventListener {
  let progress = 0;
  return async (event) => {
    const message = eventLine(event);
    try {
      await extra.sendNotification({
        method: "notifications/progress",
        params: { progressToken, progress: ++progress, message },
      });
      if (event.type === "log" && logLevel.allows(mcpLevel(event.level))) {
        await extra.sendNotification({
          method: "notifications/message",
          params: { level: mcpLevel(event.level), logger: LOGGER, data: event.message },
        });
      }
    } catch {
      // The client left (the transport is closed); the run goes on and its result is not heard either.
    }
  };
}
