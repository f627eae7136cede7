// An execution's event as one short line a person can read: the one wording of MCP progress
// messages, the AI SDK adapter's progress lines and the terminal's live lines.
import type { ExecutionEvent } from "./events.ts";

/** What a line keeps of a console line, an error or a reason; the result carries all of it. */
const LINE_CHARS = 200;

/**
 * One event as one line: "started on the vm runtime", "console.warn: low disk",
 * "#2 api.files.read_file started", "#2 api.files.read_file ok in 12 ms", "finished in 40 ms".
 * `#n` is the call's id, so the lines of parallel calls can be told apart.
 */
export function eventLine(event: ExecutionEvent): string {
  switch (event.type) {
    case "start":
      return `started on the ${event.runtime} runtime`;
    case "log":
      return `console.${event.level}: ${clipLine(event.message)}`;
    case "tool-start":
      return `${callLabel(event)} started`;
    case "approval":
      if (event.state === "asked") return `${callLabel(event)} waits for approval`;
      if (event.state === "approved") return `${callLabel(event)} approved`;
      return `${callLabel(event)} refused${event.reason ? `: ${clipLine(event.reason)}` : ""}`;
    case "tool-end": {
      const outcome = `${event.ok ? "ok" : "failed"} in ${Math.round(event.ms)} ms`;
      return `${callLabel(event)} ${outcome}${event.error ? `: ${clipLine(event.error)}` : ""}`;
    }
    case "end": {
      const ms = Math.round(event.ms);
      const dropped = event.dropped ? ` (${event.dropped} events not shown)` : "";
      if (event.ok) return `finished in ${ms} ms${dropped}`;
      const why = event.error ? ` (${event.error.kind}): ${clipLine(event.error.message)}` : "";
      return `failed in ${ms} ms${dropped}${why}`;
    }
  }
}

/** Text on one line (whitespace runs become one space), cut to `chars` with an ellipsis. */
export function clipLine(text: string, chars = LINE_CHARS): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > chars ? `${line.slice(0, chars - 1)}…` : line;
}

function callLabel(event: { id: number; path: string }): string {
  return `#${event.id} api.${event.path}`;
}
