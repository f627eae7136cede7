import type { Duplex } from "node:stream";
import { Writable } from "node:stream";
import type { ErrorKind } from "../../errors.ts";
import type { ExecutionJob, LogEntry, LogLevel, RawOutcome } from "../executor.ts";

/** How one conversation with a runner ended: its `done` message, or the stream closing first. */
export type LinkEnd = { done: true; outcome: RawOutcome } | { done: false; stderr: string };

/** A conversation in progress: the logs so far (kept when the host stops it), and its end. */
export interface RunnerLink {
  logs: LogEntry[];
  ended: Promise<LinkEnd>;
}

/** Splits a multiplexed exec or attach stream into stdout and stderr. */
export type Demux = (stream: Duplex, stdout: Writable, stderr: Writable) => void;

// The runner speaks for a program we do not trust: every message is bounded and checked.
const MAX_LINE_CHARS = 64 * 1024 * 1024;
const KINDS = new Set<ErrorKind>([
  "syntax",
  "type",
  "runtime",
  "tool",
  "timeout",
  "memory",
  "limit",
  "executor",
  "config",
]);
const LEVELS = new Set<LogLevel>(["log", "info", "warn", "error", "debug"]);
const CUT_NOTE = "[console output cut here: the execution's output limit was reached]";

/**
 * The host's side of the runner protocol (see `src/sandbox/container-runner.ts`) over one
 * hijacked stream: sends the program, carries `api` calls to the job's bridge, gathers logs,
 * and resolves when the runner reports `done` or the stream ends without it.
 */
export function linkRunner(stream: Duplex, demux: Demux, job: ExecutionJob, toolCallTimeoutMs: number): RunnerLink {
  const logs: LogEntry[] = [];
  const ended = new Promise<LinkEnd>((resolve) => {
    let logChars = 0;
    let logCut = false;
    let stderr = "";
    let buffered = "";
    let ended = false;
    const end = (result: LinkEnd) => {
      if (ended) return;
      ended = true;
      resolve(result);
    };
    const send = (message: unknown) => {
      if (!ended && !stream.destroyed) stream.write(`${JSON.stringify(message)}\n`);
    };
    const broken = (why: string) => {
      end({ done: false, stderr: `${stderr}\n${why}` });
      stream.destroy();
    };

    const onLine = (line: string) => {
      let message: any;
      try {
        message = JSON.parse(line);
      } catch {
        return broken(`The runner wrote something that is not a message: ${line.slice(0, 200)}`);
      }
      if (message?.t === "call") {
        const id = Number(message.id);
        job.bridge.call(String(message.path), String(message.args)).then(
          (json) => send({ t: "reply", id, json }),
          (error: unknown) =>
            send({
              t: "reply",
              id,
              json: JSON.stringify({ ok: false, error: { kind: "tool", message: String(error) } }),
            }),
        );
      } else if (message?.t === "log") {
        if (logCut) return;
        const text = String(message.text);
        logChars += text.length;
        // The prelude cuts output itself; this bound holds even if the runner was subverted.
        if (logChars > job.limits.maxLogChars + CUT_NOTE.length + 1) {
          logCut = true;
          if (logs.at(-1)?.message !== CUT_NOTE) logs.push({ level: "warn", message: CUT_NOTE });
        } else {
          logs.push({ level: LEVELS.has(message.level) ? message.level : "log", message: text });
        }
      } else if (message?.t === "done") {
        end({ done: true, outcome: { ...checkedOutcome(message.outcome), logs } });
      }
    };

    const stdout = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        const text = chunk.toString("utf8");
        let from = 0;
        let newline = text.indexOf("\n");
        while (newline >= 0 && !ended) {
          const line = buffered + text.slice(from, newline);
          buffered = "";
          from = newline + 1;
          if (line) onLine(line);
          newline = text.indexOf("\n", from);
        }
        buffered += text.slice(from);
        if (buffered.length > MAX_LINE_CHARS) broken("The runner sent a message larger than 64 MB.");
        callback();
      },
    });
    const stderrSink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        stderr = (stderr + chunk.toString("utf8")).slice(-4000);
        callback();
      },
    });
    demux(stream, stdout, stderrSink);
    stream.on("end", () => end({ done: false, stderr }));
    stream.on("close", () => end({ done: false, stderr }));
    stream.on("error", (error) => end({ done: false, stderr: `${stderr}\n${error.message}` }));

    send({
      t: "run",
      js: job.js,
      apiPaths: job.apiPaths,
      maxResultChars: job.limits.maxResultChars,
      maxLogChars: job.limits.maxLogChars,
      toolCallTimeoutMs,
    });
  });
  return { logs, ended };
}

function checkedOutcome(value: any): Omit<RawOutcome, "logs"> {
  if (typeof value !== "object" || value === null) {
    return { ok: false, error: { kind: "executor", message: "The runner's answer was not an outcome." } };
  }
  const outcome: Omit<RawOutcome, "logs"> = { ok: value.ok === true };
  if (outcome.ok && typeof value.resultJson === "string") {
    try {
      JSON.parse(value.resultJson);
      outcome.resultJson = value.resultJson;
    } catch {
      return { ok: false, error: { kind: "executor", message: "The runner's result was not JSON." } };
    }
  }
  if (value.resultCut === true) outcome.resultCut = true;
  if (!outcome.ok) {
    const error = typeof value.error === "object" && value.error !== null ? value.error : {};
    let kind: ErrorKind = KINDS.has(error.kind) ? error.kind : "runtime";
    const message = typeof error.message === "string" ? error.message : "The program failed.";
    // Off-heap allocations fail softly in plain V8; in the vm runtime they hit the isolate's limit.
    if (kind === "runtime" && /Array buffer allocation failed/.test(message)) kind = "memory";
    outcome.error = { kind, message, ...(typeof error.stack === "string" && { stack: error.stack.slice(0, 4000) }) };
  }
  return outcome;
}
