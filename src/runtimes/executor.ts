import type { ErrorKind } from "../errors.ts";

export type RuntimeName = "vm" | "docker";
export type LogLevel = "log" | "info" | "warn" | "error" | "debug";

export interface LogEntry {
  level: LogLevel;
  message: string;
}

/** Bounds every execution lives within; `resolveLimits` fills the defaults. */
export interface ExecutionLimits {
  /** Wall-clock limit of the whole execution, ms. */
  timeoutMs: number;
  /** Heap limit of the sandbox, MB. */
  memoryLimitMb: number;
  /** Tool calls per execution; the next one fails with a `limit` error. */
  maxToolCalls: number;
  /** Tool calls running at once; further calls wait their turn. */
  maxConcurrentCalls: number;
  /** Per tool call, ms; the call fails as a `tool` error and its signal aborts. */
  toolCallTimeoutMs: number;
  /** Console output kept per execution, in characters; the rest is cut with a note. */
  maxLogChars: number;
  /** The result's JSON size, in characters; a larger result is cut with a note. */
  maxResultChars: number;
  /** One tool call's input as JSON, in characters; a larger call fails with a `limit` error. */
  maxToolInputChars: number;
}

/**
 * Given by a runtime with each call: the bridge holds the program's clock while the call waits
 * for a person (an approval), and releases it once answered. The runtime stops its own give-up
 * timers and tells the sandbox core, whose watchdog stops too.
 */
export interface CallClock {
  hold(): void;
  release(): void;
}

/** The sandbox's only way out: a call by `api` path with JSON arguments, answered with JSON. */
export interface BridgeEndpoint {
  /**
   * `path` is the dotted identifier path (`files.read_text_file`); the reply is a `BridgeReply` as
   * JSON. `clock` is held while the call waits for a person; `abandoned` aborts when the sandbox
   * gave up on the call (it told the program so): a call not yet run then never runs.
   */
  call(path: string, argsJson: string, options?: { clock?: CallClock; abandoned?: AbortSignal }): Promise<string>;
  /** Number of calls dispatched so far (auto falls back only while this is 0). */
  readonly dispatched: number;
}

/** The JSON a bridge call answers with, as seen inside the sandbox. */
export type BridgeReply = { ok: true; value?: unknown } | { ok: false; error: { kind: ErrorKind; message: string } };

/** One program for a runtime to run: JavaScript from `transpile`, and what it may call. */
export interface ExecutionJob {
  js: string;
  /** Identifier paths of every tool under `api`. */
  apiPaths: string[][];
  bridge: BridgeEndpoint;
  limits: ExecutionLimits;
  /** Aborts the execution from outside (the host is shutting down, the caller gave up). */
  signal?: AbortSignal;
  /**
   * Called with each console line as soon as it reaches the host, in order, before the outcome
   * resolves (the outcome's `logs` still hold them all). What it throws or rejects is ignored.
   */
  onLog?: (entry: LogEntry) => void;
}

/** Hands a console line to the job's `onLog`; a throwing or rejecting listener never breaks the run. */
export function reportLog(job: ExecutionJob, entry: LogEntry): void {
  if (!job.onLog) return;
  try {
    const returned: unknown = job.onLog(entry);
    if (returned instanceof Promise) returned.catch(() => {});
  } catch {
    // The listener's trouble, not the program's.
  }
}

/** What the sandbox reported, before positions are mapped back to the model's code. */
export interface RawOutcome {
  ok: boolean;
  /** The result as JSON text; absent when the program returned undefined. */
  resultJson?: string;
  /** Set when the result was cut to `maxResultChars`. */
  resultCut?: boolean;
  error?: RawError;
  logs: LogEntry[];
  /** Which runtime ran it, when a runtime delegates (auto). */
  runtime?: RuntimeName;
  /** Why `auto` fell back to docker, when it did. */
  fallback?: string;
}

export interface RawError {
  kind: ErrorKind;
  message: string;
  /** The sandbox's stack text, with positions in the transpiled program. */
  stack?: string;
}

/** A runtime: runs jobs in isolation. `vm` and `docker` implement it. */
export interface Executor {
  readonly name: RuntimeName;
  run(job: ExecutionJob): Promise<RawOutcome>;
  /** Stops every process or container it started. */
  close(): Promise<void>;
}

/** The structured result of DESIGN.md, as `run --json` prints it. */
export interface ExecutionResult {
  ok: boolean;
  result?: unknown;
  error?: { kind: ErrorKind; message: string; line?: number; column?: number };
  logs: LogEntry[];
  toolCalls: { tool: string; ok: boolean; ms: number }[];
  runtime: RuntimeName;
  ms: number;
  /** Present when `auto` fell back from vm to docker: why. */
  fallback?: string;
  /** Present when the result was cut to the size limit. */
  resultCut?: boolean;
  /** Present when the type check found things that did not block the run (or was skipped). */
  warnings?: string[];
}
