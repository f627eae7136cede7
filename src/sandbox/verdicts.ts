// How every execution ends, decided in one place for every runtime: which error kind, in which
// words, and how much output is kept. The sandbox core (inside the vm child and inside the
// container) and the hosts of both runtimes call these, so the model reads the same verdict
// whichever runtime ran its program. Imports nothing at run time: it is bundled into the
// container's runner.
//
// The kinds a runtime decides (the rest come from transpile, the bridge and the config):
//   timeout  - the program outlived `timeoutMs`; its isolate (or container) was thrown away.
//   memory   - the program outgrew `memoryLimitMb`: the isolate's heap limit, V8 refusing a string
//              or a buffer, the process or container killed for memory.
//   limit    - a call past `maxToolCalls` or over `maxToolInputChars`, refused before it crossed.
//   tool     - a tool failed, or its call could not be carried (see `toolFailureReply`).
//   runtime  - the program threw.
//   executor - the runtime itself failed, was cancelled by the host, or was closed.
import type { ErrorKind } from "../errors.ts";
import type { ExecutionLimits, LogEntry, LogLevel, RawError, RawOutcome } from "../runtimes/executor.ts";
import { CUT_NOTE, clipName } from "./limit-messages.ts";

// The limit refusals are worded in limit-messages.ts, which the prelude bundles too.
export { CUT_NOTE, callLimitMessage, clipName, inputLimitMessage } from "./limit-messages.ts";

/** The execution was stopped by its caller (signal aborted) or the host shutting down. */
export const CANCELLED_MESSAGE = "The execution was cancelled by the host.";

export function timeoutMessage(timeoutMs: number): string {
  return `The program did not finish within ${timeoutMs / 1000} s and was stopped. Look for loops that never end or promises that never settle; do less per execution.`;
}

export function memoryMessage(memoryMb: number): string {
  return `The program used more than its ${memoryMb} MB memory limit and was stopped. Process data in smaller pieces and keep less of it at once.`;
}

/** A runtime closed while (or before) it ran the program. */
export function closedMessage(runtime: string, running: boolean): string {
  return running
    ? `The ${runtime} runtime was closed while the program ran.`
    : `The ${runtime} runtime was closed; create a new one.`;
}

/**
 * Text that tells of memory running out: an isolate disposed for its heap limit, V8's fatal
 * out-of-memory on a process's stderr, a buffer the data limit refused.
 */
// V8's fatal report of a full heap (`<--- Last few GCs --->`, `is_heap_oom = 1`) counts too: a
// process it ends may die of SIGSEGV rather than SIGABRT inside a container.
const OUT_OF_MEMORY = /memory limit|out of memory|heap limit|allocation failed|\bOOM\b|is_heap_oom = 1|Last few GCs/i;
/** Errors V8 throws instead of exhausting the heap (a string's length is capped; an ArrayBuffer is refused up front). */
const THROWN_OUT_OF_MEMORY = /^RangeError: (Invalid string length|Array buffer allocation failed)/;

/** True when an isolate's error or a process's last words say memory ran out. */
export function isOutOfMemory(text: string): boolean {
  return OUT_OF_MEMORY.test(text);
}

export function timeoutError(limits: Pick<ExecutionLimits, "timeoutMs">): RawError {
  return { kind: "timeout", message: timeoutMessage(limits.timeoutMs) };
}

export function memoryError(limits: Pick<ExecutionLimits, "memoryLimitMb">, detail?: string): RawError {
  return { kind: "memory", message: `${memoryMessage(limits.memoryLimitMb)}${detail ? ` (${detail})` : ""}` };
}

export function cancelledError(): RawError {
  return { kind: "executor", message: CANCELLED_MESSAGE };
}

/** A tool's failure, as the program sees it: `api.<path> failed: <what the tool said>`. */
export function toolFailureMessage(path: string, error: unknown): string {
  return `api.${clipName(path)} failed: ${errorText(error)}`;
}

/** The bridge reply for a call whose carrying failed on the host (the bridge threw). */
export function toolFailureReply(path: string, error: unknown): string {
  return JSON.stringify({ ok: false, error: { kind: "tool", message: toolFailureMessage(path, error) } });
}

/** The bridge reply that refuses a call as a `limit` error. */
export function limitReply(message: string): string {
  return JSON.stringify({ ok: false, error: { kind: "limit", message } });
}

/** What a thrown value says, whatever it is. */
export function errorText(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  try {
    return typeof error === "string" ? error : (JSON.stringify(error) ?? String(error));
  } catch {
    return String(error);
  }
}

const LEVELS = new Set<string>(["log", "info", "warn", "error", "debug"]);

/**
 * Console output kept for one execution: at most `maxLogChars` characters of messages, then one
 * `CUT_NOTE`, then nothing. The prelude cuts the same way; the core and the hosts keep a copy
 * each, so output stays bounded even if whoever sent it was subverted.
 */
export class LogCap {
  readonly entries: LogEntry[] = [];
  readonly #max: number;
  #chars = 0;
  #cut = false;

  constructor(maxLogChars: number) {
    this.#max = maxLogChars;
  }

  get cut(): boolean {
    return this.#cut;
  }

  /** Keeps what fits of one line; returns the entries kept (none once output was cut). */
  add(level: unknown, message: unknown): LogEntry[] {
    if (this.#cut) return [];
    const text = String(message);
    if (text === CUT_NOTE) return this.#cutHere([]);
    const room = this.#max - this.#chars;
    const entry: LogEntry = { level: LEVELS.has(level as string) ? (level as LogLevel) : "log", message: text };
    if (text.length <= room) {
      this.#chars += text.length;
      this.entries.push(entry);
      return [entry];
    }
    const kept = room > 0 ? [{ ...entry, message: text.slice(0, room) }] : [];
    this.entries.push(...kept);
    return this.#cutHere(kept);
  }

  #cutHere(kept: LogEntry[]): LogEntry[] {
    this.#cut = true;
    const note: LogEntry = { level: "warn", message: CUT_NOTE };
    this.entries.push(note);
    return [...kept, note];
  }
}

/** The kinds the prelude may claim for a program's end; everything else is decided outside it. */
export const PROGRAM_KINDS: ReadonlySet<ErrorKind> = new Set<ErrorKind>(["runtime", "tool", "type", "limit"]);
/**
 * The kinds the docker runtime's host accepts from the core in the container: the core decides
 * timeouts and memory too. Never `executor`: a sandbox claiming it could make `auto` run the
 * program a second time.
 */
export const CORE_KINDS: ReadonlySet<ErrorKind> = new Set<ErrorKind>([...PROGRAM_KINDS, "timeout", "memory"]);

const MAX_MESSAGE_CHARS = 10_000;
const MAX_STACK_CHARS = 4000;

type Checked = Omit<RawOutcome, "logs">;

/**
 * An outcome reported by code we do not trust (the prelude, or the runner in a container),
 * reduced to the kinds it may claim and cut to the limits; timeouts and memory errors are worded
 * here, whatever words came.
 */
export function checkedOutcome(
  value: unknown,
  limits: Pick<ExecutionLimits, "maxResultChars" | "memoryLimitMb" | "timeoutMs">,
  claimable: ReadonlySet<ErrorKind> = PROGRAM_KINDS,
): Checked {
  if (typeof value !== "object" || value === null) {
    return { ok: false, error: { kind: "executor", message: "The sandbox's answer was not an outcome." } };
  }
  const reported = value as Record<string, unknown>;
  if (reported.ok === true) {
    const outcome: Checked = { ok: true };
    if (typeof reported.resultJson === "string") {
      // The prelude keeps a cut result as a JSON string of at most maxResultChars (escaping can
      // double it); anything longer did not come from the prelude and is cut here.
      if (reported.resultJson.length > limits.maxResultChars * 2 + 2) {
        outcome.resultJson = JSON.stringify(reported.resultJson.slice(0, limits.maxResultChars));
        outcome.resultCut = true;
      } else {
        outcome.resultJson = reported.resultJson;
        if (reported.resultCut === true) outcome.resultCut = true;
      }
    }
    return outcome;
  }
  const error = (typeof reported.error === "object" && reported.error !== null ? reported.error : {}) as Record<
    string,
    unknown
  >;
  const kind = claimable.has(error.kind as ErrorKind) ? (error.kind as ErrorKind) : "runtime";
  const message = typeof error.message === "string" ? error.message.slice(0, MAX_MESSAGE_CHARS) : "The program failed.";
  if (kind === "timeout") return { ok: false, error: timeoutError(limits) };
  if (kind === "memory") return { ok: false, error: memoryError(limits) };
  const stack = typeof error.stack === "string" ? error.stack.slice(0, MAX_STACK_CHARS) : undefined;
  // Thrown by V8 where a heap would overflow; caught, the program may go on, uncaught it is a memory bomb.
  if (kind === "runtime" && THROWN_OUT_OF_MEMORY.test(message)) {
    return { ok: false, error: { ...memoryError(limits, message.slice(0, 200)), ...(stack && { stack }) } };
  }
  return { ok: false, error: { kind, message, ...(stack && { stack }) } };
}
