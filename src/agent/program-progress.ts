// A running program, told in short lines: what `execute_code` streams to AI SDK apps as
// preliminary results, and what `code-mode agent` prints as it happens.
import { eventLine } from "../execute-code/event-line.ts";
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
