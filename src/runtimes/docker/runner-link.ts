import type { Duplex } from "node:stream";
import { Writable } from "node:stream";
import type { PausableTimer } from "../../sandbox/pausable-timer.ts";
import { CORE_KINDS, checkedOutcome, LogCap, toolFailureReply } from "../../sandbox/verdicts.ts";
import { type ExecutionJob, type LogEntry, type RawOutcome, reportLog } from "../executor.ts";

/** Splits a multiplexed attach stream into stdout and stderr (dockerode's `demuxStream`). */
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

/**
 * The host's side of the runner protocol (see `src/sandbox/container-runner.ts`): sends the
 * program, carries `api` calls to the job's bridge, gathers logs (handing each to `onLog` as it
 * comes), and resolves when the runner reports `done` or its streams end without it.
 */
export function linkRunner(
  channel: RunnerChannel,
  job: ExecutionJob,
  toolCallTimeoutMs: number,
  /** The host's deadline; it stops while a call waits for a person, as the core's watchdog does. */
  deadline?: PausableTimer,
): RunnerLink {
  // The core in the container cuts output too; this bound holds even if the runner was subverted.
  const logs = new LogCap(job.limits.maxLogChars);
  // Calls in flight, by id, with what aborts them when the runner gives up on them.
  const givenUp = new Map<number, AbortController>();
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
        const path = String(message.path);
        const clock = {
          hold: () => {
            deadline?.hold();
            if (!over) channel.write({ t: "hold", id });
          },
          release: () => {
            deadline?.release();
            if (!over) channel.write({ t: "release", id });
          },
        };
        const abandoned = new AbortController();
        givenUp.set(id, abandoned);
        job.bridge
          .call(path, String(message.args), { clock, abandoned: abandoned.signal })
          .catch((error: unknown) => toolFailureReply(path, error))
          .then((json) => {
            givenUp.delete(id);
            if (!over) channel.write({ t: "reply", id, json });
          });
      } else if (message?.t === "gave-up") {
        // The runner told the program this call got no answer in time: it must not run after that.
        givenUp.get(Number(message.id))?.abort(new Error("given up inside the container"));
      } else if (message?.t === "log") {
        for (const entry of logs.add(message.level, message.text)) reportLog(job, entry);
      } else if (message?.t === "done") {
        // The core in the container decides timeouts and memory errors too; never `executor`.
        const outcome = checkedOutcome(message.outcome, job.limits, CORE_KINDS);
        end({ done: true, outcome: { ...outcome, logs: logs.entries } });
      }
    };
    channel.listen(onLine, () => end({ done: false, stderr: channel.stderr }));
  });
  channel.write({ t: "run", js: job.js, apiPaths: job.apiPaths, limits: job.limits, toolCallTimeoutMs });
  return { logs: logs.entries, ended };
}
