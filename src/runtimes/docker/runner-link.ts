import type { Duplex } from "node:stream";
import { Writable } from "node:stream";
import type { ExecutionJob, LogEntry, LogLevel, RawOutcome } from "../executor.ts";
import { CUT_NOTE, checkedOutcome } from "../outcome.ts";

/** Splits a multiplexed exec or attach stream into stdout and stderr (dockerode's `demuxStream`). */
export type Demux = (stream: Duplex, stdout: Writable, stderr: Writable) => void;

// The runner speaks for a program we do not trust: every message is bounded and checked.
const MAX_LINE_CHARS = 64 * 1024 * 1024;
/** The runner's first line, once its sandbox is made. */
const READY = '{"t":"ready"}';

/**
 * One runner's standard streams, as lines: read from the moment the exec starts (so a runner
 * that dies while it waits in the pool is noticed), handed to one execution later.
 */
export class RunnerChannel {
  readonly #stream: Duplex;
  #buffered = "";
  #stderr = "";
  #closed = false;
  #onLine: ((line: string) => void) | undefined;
  #onClose: (() => void) | undefined;
  #markReady!: () => void;
  /** Resolves when the runner has made its sandbox and waits for a program; rejects if it dies first. */
  readonly ready: Promise<void>;

  constructor(stream: Duplex, demux: Demux) {
    this.#stream = stream;
    let fail!: (error: Error) => void;
    this.ready = new Promise<void>((resolve, reject) => {
      this.#markReady = resolve;
      fail = reject;
    });
    this.ready.catch(() => {});
    const channel = this;
    const stdout = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        channel.#read(chunk.toString("utf8"));
        callback();
      },
    });
    const stderr = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        channel.#stderr = (channel.#stderr + chunk.toString("utf8")).slice(-4000);
        callback();
      },
    });
    demux(stream, stdout, stderr);
    const close = () => {
      if (this.#closed) return;
      this.#closed = true;
      fail(
        new Error(
          `The runner ended before it was ready: ${this.#stderr.trim().split("\n").slice(-3).join(" ") || "no output"}`,
        ),
      );
      this.#onClose?.();
    };
    stream.on("end", close);
    stream.on("close", close);
    stream.on("error", (error) => {
      this.#stderr += `\n${error.message}`;
      close();
    });
  }

  /** True once the runner's streams ended: it exited, or its container is gone. */
  get closed(): boolean {
    return this.#closed;
  }

  /** The last few KB the runner wrote to stderr. */
  get stderr(): string {
    return this.#stderr;
  }

  /** Receives each line the runner writes, and the end of its streams. */
  listen(onLine: (line: string) => void, onClose: () => void): void {
    this.#onLine = onLine;
    this.#onClose = onClose;
    if (this.#closed) onClose();
  }

  write(message: unknown): void {
    if (!this.#closed && !this.#stream.destroyed) this.#stream.write(`${JSON.stringify(message)}\n`);
  }

  destroy(): void {
    this.#stream.destroy();
  }

  #read(text: string): void {
    let from = 0;
    let newline = text.indexOf("\n");
    while (newline >= 0) {
      const line = this.#buffered + text.slice(from, newline);
      this.#buffered = "";
      from = newline + 1;
      if (line === READY) this.#markReady();
      else if (line) this.#onLine?.(line);
      newline = text.indexOf("\n", from);
    }
    this.#buffered += text.slice(from);
    if (this.#buffered.length > MAX_LINE_CHARS) {
      this.#stderr += "\nThe runner sent a message larger than 64 MB.";
      this.#buffered = "";
      this.destroy();
    }
  }
}

/** How one conversation with a runner ended: its `done` message, or the streams closing first. */
export type LinkEnd = { done: true; outcome: RawOutcome } | { done: false; stderr: string };

/** A conversation in progress: the logs so far (kept when the host stops it), and its end. */
export interface RunnerLink {
  logs: LogEntry[];
  ended: Promise<LinkEnd>;
}

const LEVELS = new Set<LogLevel>(["log", "info", "warn", "error", "debug"]);

/**
 * The host's side of the runner protocol (see `src/sandbox/container-runner.ts`): sends the
 * program, carries `api` calls to the job's bridge, gathers logs, and resolves when the runner
 * reports `done` or its streams end without it.
 */
export function linkRunner(channel: RunnerChannel, job: ExecutionJob, toolCallTimeoutMs: number): RunnerLink {
  const logs: LogEntry[] = [];
  let logChars = 0;
  let logCut = false;
  const ended = new Promise<LinkEnd>((resolve) => {
    let over = false;
    const end = (result: LinkEnd) => {
      if (over) return;
      over = true;
      resolve(result);
    };
    const onLine = (line: string) => {
      if (over) return;
      let message: any;
      try {
        message = JSON.parse(line);
      } catch {
        end({
          done: false,
          stderr: `${channel.stderr}\nThe runner wrote something that is not a message: ${line.slice(0, 200)}`,
        });
        channel.destroy();
        return;
      }
      if (message?.t === "call") {
        const id = Number(message.id);
        job.bridge.call(String(message.path), String(message.args)).then(
          (json) => !over && channel.write({ t: "reply", id, json }),
          (error: unknown) => {
            const json = JSON.stringify({ ok: false, error: { kind: "tool", message: String(error) } });
            if (!over) channel.write({ t: "reply", id, json });
          },
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
        end({ done: true, outcome: { ...checkedOutcome(message.outcome, job.limits.maxResultChars), logs } });
      }
    };
    channel.listen(onLine, () => end({ done: false, stderr: channel.stderr }));
  });
  channel.write({ t: "run", js: job.js, apiPaths: job.apiPaths, limits: job.limits, toolCallTimeoutMs });
  return { logs, ended };
}
