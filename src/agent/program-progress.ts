// A running program, told in short lines: what `execute_code` streams to AI SDK apps as
// preliminary results, and what `code-mode agent` prints as it happens.
import type { ExecutionEvent } from "../execute-code/events.ts";

/**
 * What the AI SDK `execute_code` tool yields while a program runs (preliminary tool results in
 * `streamText`); the final result is the usual `{ text, result }`, which has no `status`.
 */
export interface CodeModeProgress {
  status: "running";
  /** Ms since the program started, at its latest event. */
  ms: number;
  /** Tool calls the program has started so far. */
  toolCalls: number;
  /** The latest events as short lines, oldest first: console lines, calls, approvals. */
  recent: string[];
}

/** Lines a progress value keeps: enough to follow a program, small enough to send often. */
const RECENT_LINES = 10;
/** A console line or error longer than this is cut: progress is a glance, the result has the rest. */
const MAX_LINE_CHARS = 200;

/** One event as one short line, e.g. `log: fetched 3 pages`, `→ github.search`, `✓ github.search (41 ms)`. */
export function eventLine(event: ExecutionEvent): string {
  switch (event.type) {
    case "start":
      return `started (${event.runtime})`;
    case "log":
      return `${event.level}: ${clip(event.message)}`;
    case "tool-start":
      return `→ ${event.tool}`;
    case "approval":
      if (event.state === "asked") return `? ${event.tool} waits for approval`;
      return `${event.state === "approved" ? "✓" : "✗"} ${event.tool} ${event.state}${event.reason ? `: ${clip(event.reason)}` : ""}`;
    case "tool-end":
      return `${event.ok ? "✓" : "✗"} ${event.tool} (${event.ms} ms)${event.error ? `: ${clip(event.error)}` : ""}`;
    case "end": {
      const dropped = event.dropped ? `, ${event.dropped} events not shown` : "";
      if (event.ok) return `ended ok (${event.ms} ms${dropped})`;
      return `ended with a ${event.error?.kind ?? "runtime"} error (${event.ms} ms${dropped})${event.error ? `: ${clip(event.error.message)}` : ""}`;
    }
  }
}

/** Folds a program's events into the latest `CodeModeProgress`. */
export class ProgramProgress {
  readonly #recent: string[] = [];
  #ms = 0;
  #toolCalls = 0;

  add(event: ExecutionEvent): void {
    this.#ms = event.at;
    if (event.type === "tool-start") this.#toolCalls++;
    this.#recent.push(eventLine(event));
    if (this.#recent.length > RECENT_LINES) this.#recent.shift();
  }

  snapshot(): CodeModeProgress {
    return { status: "running", ms: Math.round(this.#ms), toolCalls: this.#toolCalls, recent: [...this.#recent] };
  }
}

// Multi-line text becomes its first line, so one event stays one line.
function clip(text: string): string {
  const newline = text.indexOf("\n");
  const first = newline === -1 ? text : `${text.slice(0, newline)} …`;
  return first.length > MAX_LINE_CHARS ? `${first.slice(0, MAX_LINE_CHARS)}…` : first;
}
