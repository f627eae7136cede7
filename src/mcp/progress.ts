// An execution's events as MCP notifications on the `tools/call` that runs it: one
// `notifications/progress` per event (a counter and a short line a client can show) and each
// console line also as a `notifications/message` the client's logging level lets through.
import type { RequestHandlerExtra } from "@modelcontextprotocol/sdk/shared/protocol.js";
import type { ProgressToken, ServerNotification, ServerRequest } from "@modelcontextprotocol/sdk/types.js";
import type { ExecutionEvent, ExecutionEventListener } from "../execute-code/events.ts";
import { type ClientLogLevel, mcpLevel } from "./logging.ts";

/** What an event line keeps of a console line, an input preview or an error; the result carries all of it. */
const LINE_CHARS = 200;

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
  const paths = new Map<number, string>();
  return async (event) => {
    if (event.type === "tool-start") paths.set(event.id, event.path);
    const label = "id" in event ? `api.${paths.get(event.id) ?? event.tool}` : "";
    const message = eventLine(event, label);
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

/** One short line per event: "api.files.read_file ok in 12 ms", "console.warn: low disk". */
export function eventLine(event: ExecutionEvent, label: string): string {
  switch (event.type) {
    case "start":
      return `started on the ${event.runtime} runtime`;
    case "log":
      return `console.${event.level}: ${clip(event.message)}`;
    case "tool-start":
      return `${label} started`;
    case "approval":
      if (event.state === "asked") return `waiting for approval of ${label}`;
      if (event.state === "approved") return `${label} approved`;
      // The reason is what the program was told, and it names the call already.
      return event.reason ? clip(event.reason) : `${label} refused`;
    case "tool-end":
      return `${label} ${event.ok ? "ok" : "failed"} in ${Math.round(event.ms)} ms${event.error ? `: ${clip(event.error)}` : ""}`;
    case "end": {
      const ms = Math.round(event.ms);
      if (event.ok) return `finished in ${ms} ms`;
      return `failed in ${ms} ms${event.error ? ` (${event.error.kind}): ${clip(event.error.message)}` : ""}`;
    }
  }
}

export function clip(text: string, chars = LINE_CHARS): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > chars ? `${line.slice(0, chars - 1)}…` : line;
}
