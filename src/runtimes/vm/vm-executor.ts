import { type ChildProcess, fork } from "node:child_process";
import { availableParallelism } from "node:os";
import { ExecutorError } from "../../errors.ts";
import { PausableTimer } from "../../sandbox/pausable-timer.ts";
import {
  cancelledError,
  closedMessage,
  isOutOfMemory,
  LogCap,
  memoryError,
  timeoutError,
  toolFailureReply,
} from "../../sandbox/verdicts.ts";
import { DEFAULTS } from "../../settings.ts";
import { type ExecutionJob, type Executor, type RawOutcome, reportLog } from "../executor.ts";
import type { FromChild, ToChild } from "./protocol.ts";

export interface VmExecutorOptions {
  /** Child processes kept running; each runs many isolates at once. Default: 2 (at most the core count). */
  processes?: number;
  /**
   * Extra time the host waits beyond `timeoutMs` for the child's own verdict. Past it the execution
   * ends as a timeout and the child is retired. Default 1000 ms.
   */
  graceMs?: number;
  /** The memory limit most runs will use (MB): children prepare isolates for it ahead of time. Default 128. */
  memoryLimitMb?: number;
}

interface Pending {
  job: ExecutionJob;
  /** Console lines as the child sent them, kept within the job's limit. */
  logs: LogCap;
  resolve(outcome: RawOutcome): void;
  /** Call messages received for this execution, refused ones included. */
  calls: number;
  /** The host's give-up timer; it stops while a call waits for a person, as the child's watchdog does. */
  clock: PausableTimer;
}

const DEFAULT_GRACE_MS = 1000;
const UNANSWERING_NOTE =
  "Meanwhile the runtime's process running it had stopped answering because of another program; if this program does not loop, run it again.";
// Past its call limit, a program still gets this many refusals (cheap answers that let a program
// catch the limit error and finish); beyond them it is stopped, so a flood of calls costs the host
// a bounded number of answers whatever the sandbox lets through.
const REFUSALS_BEFORE_STOP = 1000;

const CHILD = new URL(import.meta.url.endsWith(".ts") ? "./child.ts" : "./child.js", import.meta.url);

/** One supervised child process; a crash ends its executions and the pool replaces it. */
class Child {
  readonly process: ChildProcess;
  readonly running = new Map<number, Pending>();
  readonly ready: Promise<void>;
  #stderrTail = "";
  #exited = false;

  readonly #onRetire: (child: Child) => void;

  constructor(memoryLimitMb: number, onExit: (child: Child) => void, onRetire: (child: Child) => void) {
    this.#onRetire = onRetire;
    this.process = fork(CHILD, [String(memoryLimitMb)], {
      // isolated-vm needs --no-node-snapshot on Node 20+. The child gets none of our environment
      // variables: it holds no secrets to leak if a program ever got out of its isolate. It bundles
      // the prelude once at start; without worker threads esbuild does that in a process that
      // ends with the call, rather than a service that would outlive a killed child.
      execArgv: ["--no-node-snapshot", "--disable-warning=ExperimentalWarning"],
      stdio: ["ignore", "ignore", "pipe", "ipc"],
      env: { ESBUILD_WORKER_THREADS: "0" },
    });
    this.process.stderr!.setEncoding("utf8");
    this.process.stderr!.on("data", (chunk: string) => {
      this.#stderrTail = (this.#stderrTail + chunk).slice(-2000);
    });
    this.ready = new Promise((resolve, reject) => {
      const onMessage = (message: FromChild) => {
        if (message.t === "ready") {
          this.process.off("message", onMessage);
          resolve();
        }
      };
      this.process.on("message", onMessage);
      this.process.once("exit", (code, signal) =>
        reject(
          new ExecutorError(
            `The vm runtime's child process could not start (exit ${code ?? signal}). ${this.#stderrTail.trim()}`,
          ),
        ),
      );
    });
    this.ready.catch(() => {});
    // A send to a child that is going away fails here; its exit reports the executions.
    this.process.on("error", (error) => {
      this.#stderrTail = `${this.#stderrTail}\n${error.message}`.slice(-2000);
    });
    this.process.on("message", (message: FromChild) => this.#onMessage(message));
    this.process.once("exit", (code, signal) => {
      this.#exited = true;
      this.#failAll(code, signal);
      onExit(this);
    });
  }

  get alive(): boolean {
    return !this.#exited;
  }

  /** Ends every running execution with an executor error (the runtime is shutting down). */
  abandon(message: string): void {
    for (const [id, pending] of this.running) {
      this.running.delete(id);
      pending.resolve({ ok: false, logs: pending.logs.entries, error: { kind: "executor", message } });
    }
  }

  /** Set once the child takes no new work; it ends when its running executions are done. */
  retired = false;

  retire(): void {
    if (this.retired) return;
    this.retired = true;
    this.#onRetire(this);
    this.killWhenIdle();
  }

  /** Ends one execution from the host's side, without waiting for the child's word. */
  #endFromHost(id: number, outcome: RawOutcome): void {
    const pending = this.running.get(id);
    this.running.delete(id);
    pending?.resolve(outcome);
    this.send({ t: "cancel", id });
    this.killWhenIdle();
  }

  /** Set once the host gave up on the child's answers (see `giveUp`). */
  unanswering = false;

  /**
   * The child did not answer for an execution past its deadline: its event loop is clogged (a
   * flood of messages) or hung. It takes no new program from this moment, although its exit may
   * be seconds away, and ends once the executions still on it have ended, each with its verdict.
   */
  giveUp(id: number, outcome: RawOutcome): void {
    this.unanswering = true;
    this.#endFromHost(id, outcome);
    this.retire();
  }

  killWhenIdle(): void {
    if (this.retired && this.running.size === 0) this.process.kill("SIGKILL");
  }

  send(message: ToChild): void {
    if (this.#exited || !this.process.connected) return;
    this.process.send(message);
  }

  #onMessage(message: FromChild): void {
    if (message.t === "wedged") {
      this.retire();
    } else if (message.t === "call") {
      // Calls of an execution that has ended are dropped here, unanswered and unbuffered.
      const pending = this.running.get(message.id);
      if (!pending) return;
      const { maxToolCalls } = pending.job.limits;
      if (++pending.calls > maxToolCalls + REFUSALS_BEFORE_STOP) {
        const error = { kind: "limit" as const, message: callFloodMessage(maxToolCalls) };
        // The child's event loop is busy relaying the flood: it leaves the pool like an unanswering one.
        this.giveUp(message.id, { ok: false, logs: [], error });
        return;
      }
      const { id, callId } = message;
      const clock = {
        hold: () => {
          pending.clock.hold();
          this.send({ t: "hold", id, callId });
        },
        release: () => {
          pending.clock.release();
          this.send({ t: "release", id, callId });
        },
      };
      pending.job.bridge
        .call(message.path, message.args, { clock })
        .catch((error: unknown) => toolFailureReply(message.path, error))
        .then((json) => this.send({ t: "reply", id: message.id, callId: message.callId, json }));
    } else if (message.t === "log") {
      const pending = this.running.get(message.id);
      if (!pending) return;
      for (const entry of pending.logs.add(message.level, message.message)) reportLog(pending.job, entry);
    } else if (message.t === "done") {
      const pending = this.running.get(message.id);
      this.running.delete(message.id);
      pending?.resolve({ ...message.outcome, logs: pending.logs.entries });
      this.killWhenIdle();
    }
  }

  // V8 aborts the whole process on some out-of-memory paths; that is the program's limit,
  // not a runtime failure. Anything else is reported as an executor error.
  #failAll(code: number | null, signal: NodeJS.Signals | null): void {
    const oom = isOutOfMemory(this.#stderrTail) || signal === "SIGABRT" || signal === "SIGTRAP";
    for (const [id, pending] of this.running) {
      this.running.delete(id);
      pending.resolve({
        ok: false,
        logs: pending.logs.entries,
        error: oom
          ? memoryError(pending.job.limits)
          : {
              kind: "executor",
              message:
                `The vm runtime's child process died (${signal ?? `exit code ${code}`}) during the execution. ${this.#stderrTail.trim().split("\n").slice(-3).join(" ")}`.trim(),
            },
      });
    }
  }
}

/**
 * The `vm` runtime: a fresh isolated-vm isolate per execution, inside a small pool of
 * long-lived child processes, so a program that aborts V8 kills a child and never the host.
 *
 * @example
 * const vm = new VmExecutor({ processes: 2 });
 * await vm.ready();
 * const tool = createCodeModeTool(registry, { runtime: vm }); // shared: the tool will not close it
 * // ...
 * await vm.close();
 */
export class VmExecutor implements Executor {
  readonly name = "vm" as const;
  readonly #children: Child[] = [];
  readonly #size: number;
  readonly #graceMs: number;
  readonly #memoryLimitMb: number;
  #nextId = 1;
  #turn = 0;
  readonly #retired = new Set<Child>();
  #closed = false;
  /** Set when children keep failing to start: respawning would only loop. */
  #broken: ExecutorError | undefined;
  #startFailures = 0;

  constructor(options: VmExecutorOptions = {}) {
    this.#size = Math.max(1, options.processes ?? Math.min(2, availableParallelism()));
    this.#graceMs = options.graceMs ?? DEFAULT_GRACE_MS;
    this.#memoryLimitMb = options.memoryLimitMb ?? DEFAULTS.memoryLimit;
    for (let i = 0; i < this.#size; i++) this.#spawn();
  }

  /** The child processes' ids (for supervision and tests). */
  get processIds(): number[] {
    return this.#children.flatMap((c) => (c.alive && c.process.pid !== undefined ? [c.process.pid] : []));
  }

  /** Resolves when every child is up; rejects with an executor error if they cannot start. */
  async ready(): Promise<void> {
    await Promise.all(this.#children.map((c) => c.ready));
  }

  async run(job: ExecutionJob): Promise<RawOutcome> {
    if (this.#closed) throw new ExecutorError(closedMessage("vm", false));
    const child = await this.#readyChild();
    if (job.signal?.aborted) return { ok: false, logs: [], error: cancelledError() };
    const id = this.#nextId++;
    return new Promise<RawOutcome>((resolve) => {
      let settled = false;
      const finish = (outcome: RawOutcome) => {
        if (settled) return;
        settled = true;
        guard.clear();
        job.signal?.removeEventListener("abort", onAbort);
        resolve(outcome);
      };
      // The child's own watchdog should answer first. When it does not (its event loop clogged by
      // a flood of messages, or hung), the child leaves the pool now and dies once idle.
      const logs = new LogCap(job.limits.maxLogChars);
      const guard = new PausableTimer(job.limits.timeoutMs + this.#graceMs, () => {
        // On a child already given up on, the deadline may have passed for another program's fault.
        const note = child.unanswering ? ` ${UNANSWERING_NOTE}` : "";
        const error = { ...timeoutError(job.limits), message: `${timeoutError(job.limits).message}${note}` };
        child.giveUp(id, { ok: false, logs: logs.entries, error });
      });
      const onAbort = () => child.send({ t: "cancel", id });
      job.signal?.addEventListener("abort", onAbort, { once: true });
      child.running.set(id, { job, logs, resolve: finish, calls: 0, clock: guard });
      child.send({ t: "run", id, js: job.js, apiPaths: job.apiPaths, limits: job.limits });
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    const children = [...this.#children.splice(0), ...this.#retired];
    for (const child of children) child.abandon(closedMessage("vm", true));
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (!child.alive) return resolve();
            child.process.once("exit", () => resolve());
            child.process.kill("SIGKILL");
          }),
      ),
    );
  }

  /** A started child; one killed while starting (by an operator, say) is replaced and retried. */
  async #readyChild(): Promise<Child> {
    for (let attempt = 1; ; attempt++) {
      if (this.#broken) throw this.#broken;
      if (this.#closed) throw new ExecutorError(closedMessage("vm", false));
      const child = this.#pick();
      try {
        await child.ready;
        // It may have died or been retired since it started; its exit fails what it was running.
        if (child.alive && !child.retired) return child;
        if (attempt >= 3)
          throw new ExecutorError("The vm runtime's child processes keep dying before they can run a program.");
      } catch (error) {
        if (attempt >= 3) throw error;
      }
    }
  }

  // Least busy first; ties rotate, so a child that just finished can prepare its next
  // isolate while another serves the next program.
  #pick(): Child {
    const count = this.#children.length;
    let best = this.#children[this.#turn++ % count]!;
    for (const child of this.#children) if (child.running.size < best.running.size) best = child;
    return best;
  }

  #spawn(): void {
    const remove = (gone: Child) => {
      const index = this.#children.indexOf(gone);
      if (index < 0) return;
      this.#children.splice(index, 1);
      if (!this.#closed && !this.#broken) this.#spawn();
    };
    // A retired child leaves the pool at once (a replacement starts) and dies when idle.
    const child = new Child(this.#memoryLimitMb, remove, (retired) => {
      remove(retired);
      this.#retired.add(retired);
      retired.process.once("exit", () => this.#retired.delete(retired));
    });
    child.ready.then(
      () => {
        this.#startFailures = 0;
      },
      (error: ExecutorError) => {
        if (++this.#startFailures >= 3) this.#broken ??= error;
      },
    );
    this.#children.push(child);
  }
}

function callFloodMessage(maxToolCalls: number): string {
  return `The program kept calling tools long after its ${maxToolCalls} tool calls (the limit per execution) were used, and was stopped. Batch work into fewer calls, and stop calling once a call fails with a limit error.`;
}
