import { randomUUID } from "node:crypto";
import type Docker from "dockerode";
import { ExecutorError } from "../../errors.ts";
import { DEFAULTS } from "../../settings.ts";
import type { ExecutionJob, Executor, RawError, RawOutcome } from "../executor.ts";
import { memoryMessage, timeoutMessage } from "../messages.ts";
import { ContainerPool, type WarmRunner } from "./container-pool.ts";
import {
  createDocker,
  EngineTimeout,
  engineDescription,
  engineLocation,
  isConnectionError,
  LABEL_EXECUTOR,
  pingEngine,
  REQUEST_TIMEOUT_MS,
  statusOf,
  sweepLeftovers,
  unreachable,
} from "./engine.ts";
import { resolveImage } from "./image.ts";
import { type LinkEnd, linkRunner } from "./runner-link.ts";

export interface DockerExecutorOptions {
  /** Image to run; default `node:24-slim`, or the `code-mode image build` runner when only that exists. */
  image?: string;
  /** Containers kept started ahead of need. Default 2. */
  poolSize?: number;
  /** Seconds a tool call may go unanswered before it fails inside the container. Default 120. */
  toolCallTimeout?: number;
  /** The memory limit the pool prepares for before the first job says otherwise, MB. Default 128. */
  memoryLimitMb?: number;
  /** How long to wait for the engine to answer, ms. Default 5000. */
  connectTimeoutMs?: number;
  /** How long one engine request (create, start, exec, list, image lookup) may go unanswered, ms. Default 30000. */
  requestTimeoutMs?: number;
  /**
   * An execution's deadline is its timeout plus this, ms, counted from `run()`: getting a container
   * must fit in it too (warm from the pool that takes no time). Default 2000.
   */
  graceMs?: number;
  /** A client of your own (e.g. for an engine over SSH with special options); default honours DOCKER_HOST. */
  docker?: Docker;
}

// Pools for this many memory limits stay warm; a job with another limit retires the oldest.
const MAX_POOLS = 2;

const CANCELLED = "The execution was cancelled by the host.";

/**
 * The `docker` runtime: each execution runs in a fresh hardened container from a warm pool, in a
 * `docker exec` of our runner started ahead of need; the program and its `api` calls travel over
 * the exec's standard streams. The engine is reached through its API (dockerode), so `DOCKER_HOST` may be remote.
 *
 * @example
 * import { DockerExecutor } from "code-mode/docker";
 * const docker = new DockerExecutor({ poolSize: 2 });
 * await docker.ready(); // the engine answered and the pool is warm
 * const tool = createCodeModeTool(registry, { runtime: docker });
 * // ...
 * await docker.close(); // removes every container it made
 */
export class DockerExecutor implements Executor {
  readonly name = "docker" as const;
  readonly id = randomUUID();
  readonly #docker: Docker;
  readonly #image: string;
  readonly #poolSize: number;
  readonly #toolCallTimeoutMs: number;
  readonly #memoryLimitMb: number;
  readonly #connectTimeoutMs: number;
  readonly #requestTimeoutMs: number;
  readonly #graceMs: number;
  readonly #pools = new Map<number, ContainerPool>();
  #init: Promise<string> | undefined;
  #closed = false;
  /** Set once the engine answered: only then can containers of ours exist. */
  #reached = false;

  constructor(options: DockerExecutorOptions = {}) {
    this.#docker = options.docker ?? createDocker();
    this.#image = options.image ?? DEFAULTS.docker.image;
    this.#poolSize = options.poolSize ?? DEFAULTS.docker.poolSize;
    this.#toolCallTimeoutMs = Math.round((options.toolCallTimeout ?? DEFAULTS.docker.toolCallTimeout) * 1000);
    this.#memoryLimitMb = options.memoryLimitMb ?? DEFAULTS.memoryLimit;
    this.#connectTimeoutMs = options.connectTimeoutMs ?? 5000;
    this.#requestTimeoutMs = options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
    this.#graceMs = options.graceMs ?? 2000;
    // Start warming at once; a failure here is reported by the first `run` (or `ready`).
    this.#start().catch(() => {});
  }

  /** The engine's client, for tools and tests that inspect what this runtime made. */
  get docker(): Docker {
    return this.#docker;
  }

  /** Resolves when the engine answered, the image is known and the pool is full; rejects with the reason otherwise. */
  async ready(): Promise<void> {
    const image = await this.#start();
    await this.#pool(this.#memoryLimitMb, image).warm();
  }

  /** The image executions run in, once known. */
  async image(): Promise<string> {
    return this.#start();
  }

  async run(job: ExecutionJob): Promise<RawOutcome> {
    if (this.#closed) throw new ExecutorError("The docker runtime was closed; create a new one.");
    const cancelled = (): RawOutcome => ({ ok: false, error: { kind: "executor", message: CANCELLED }, logs: [] });
    if (job.signal?.aborted) return cancelled();
    // The deadline runs from here: an engine that is slow to give a container uses it up too.
    const deadline = Date.now() + job.limits.timeoutMs + this.#graceMs;
    const acquired = await this.#acquire(job, deadline);
    if (!acquired) return cancelled();
    const { pool, runner } = acquired;

    const link = linkRunner(runner.channel, job, this.#toolCallTimeoutMs);
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const stoppedByHost = new Promise<RawOutcome>((resolve) => {
      const stop = (error: RawError) => {
        if (stopped) return;
        stopped = true;
        // Removing the container kills the runner, whatever the program is doing.
        pool.discard(runner);
        resolve({ ok: false, error, logs: link.logs });
      };
      // The program gets its whole timeout unless getting the container took more than the grace.
      timer = setTimeout(
        () => stop({ kind: "timeout", message: timeoutMessage(job.limits.timeoutMs) }),
        Math.max(0, Math.min(job.limits.timeoutMs, deadline - Date.now())),
      );
      onAbort = () => stop({ kind: "executor", message: CANCELLED });
      if (job.signal?.aborted) onAbort();
      else job.signal?.addEventListener("abort", onAbort, { once: true });
    });

    const outcome = await Promise.race([
      stoppedByHost,
      link.ended.then((end) => (stopped ? stoppedByHost : this.#conclude(end, runner, job, link.logs))),
    ]);
    clearTimeout(timer);
    if (onAbort) job.signal?.removeEventListener("abort", onAbort);
    if (!stopped) pool.discard(runner);
    if (outcome.error?.kind === "memory")
      outcome.error = { kind: "memory", message: memoryMessage(job.limits.memoryLimitMb) };
    return outcome;
  }

  async close(): Promise<void> {
    this.#closed = true;
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    // Bounded: an engine that stopped answering must not hang the host's shutdown.
    await Promise.race([Promise.allSettled(pools.map((pool) => pool.close())), delay(10_000)]);
    // A last sweep by label catches anything made while we closed; an engine that never
    // answered holds nothing of ours, and one that stops answering must not hang the close.
    if (!this.#reached) return;
    const sweep = async () => {
      const left = await this.#docker.listContainers({
        all: true,
        filters: { label: [`${LABEL_EXECUTOR}=${this.id}`] },
      });
      await Promise.allSettled(left.map((info) => this.#docker.getContainer(info.Id).remove({ force: true, v: true })));
    };
    await Promise.race([sweep().catch(() => {}), delay(this.#connectTimeoutMs)]);
  }

  /** Engine reachable, leftovers swept, image resolved; retried after a failure. */
  #start(): Promise<string> {
    if (!this.#init) {
      const init = (async () => {
        await pingEngine(this.#docker, this.#connectTimeoutMs);
        this.#reached = true;
        await sweepLeftovers(this.#docker, this.#requestTimeoutMs).catch(() => 0);
        const image = await resolveImage(this.#docker, this.#image, this.#requestTimeoutMs);
        if (!this.#closed) this.#pool(this.#memoryLimitMb, image);
        return image;
      })();
      init.catch(() => {
        // The engine may come back, or the image be built: try again next time.
        if (this.#init === init) this.#init = undefined;
      });
      this.#init = init;
    }
    return this.#init;
  }

  #pool(memoryLimitMb: number, image: string): ContainerPool {
    let pool = this.#pools.get(memoryLimitMb);
    if (pool) {
      // Most recently used last.
      this.#pools.delete(memoryLimitMb);
      this.#pools.set(memoryLimitMb, pool);
      return pool;
    }
    pool = new ContainerPool(
      this.#docker,
      { image, memoryLimitMb, executorId: this.id },
      this.#poolSize,
      this.#requestTimeoutMs,
    );
    this.#pools.set(memoryLimitMb, pool);
    for (const [limit, old] of this.#pools) {
      // The warm-up guess was wrong (jobs bring another memory limit), or too many limits are in use.
      if (old !== pool && (old.taken === 0 || this.#pools.size > MAX_POOLS)) {
        this.#pools.delete(limit);
        void old.close();
      }
    }
    pool.fill();
    return pool;
  }

  /**
   * Engine ready, image known, a runner taken: raced against the execution's deadline and the
   * job's signal. Undefined when the signal aborted; an ExecutorError when the deadline passed.
   * Whatever arrives after either is discarded, so a container made late is removed, not leaked.
   */
  async #acquire(
    job: ExecutionJob,
    deadline: number,
  ): Promise<{ pool: ContainerPool; runner: WarmRunner } | undefined> {
    const giveUp = new AbortController();
    let waitingFor = "a ping, the sweep of leftovers or the image lookup";
    const acquisition = (async () => {
      const image = await this.#start();
      if (giveUp.signal.aborted) return undefined;
      waitingFor = "creating and starting a container";
      const pool = this.#pool(job.limits.memoryLimitMb, image);
      const runner = await this.#take(pool, giveUp.signal);
      if (!giveUp.signal.aborted) return { pool, runner };
      pool.discard(runner);
      return undefined;
    })();
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const interrupted = new Promise<"deadline" | "cancelled">((resolve) => {
      timer = setTimeout(() => resolve("deadline"), Math.max(0, deadline - Date.now()));
      onAbort = () => resolve("cancelled");
      job.signal?.addEventListener("abort", onAbort, { once: true });
    });
    try {
      const first = await Promise.race([acquisition, interrupted]);
      if (typeof first === "object") return first;
      giveUp.abort(new Error(first));
      // A failure after we stopped waiting is nobody's to report.
      acquisition.catch(() => {});
      if (first === "cancelled") return undefined;
      const total = job.limits.timeoutMs + this.#graceMs;
      throw new ExecutorError(
        `The docker runtime got no container from the Docker engine at ${engineDescription(this.#docker)} within ${total / 1000} s (the execution's ${job.limits.timeoutMs / 1000} s timeout plus ${this.#graceMs / 1000} s): it left ${waitingFor} unanswered. Start dockerd (or restart a stalled one), set DOCKER_HOST to a reachable engine, or use runtime "vm".`,
      );
    } finally {
      clearTimeout(timer);
      if (onAbort) job.signal?.removeEventListener("abort", onAbort);
    }
  }

  /** A warm runner; engine trouble becomes an ExecutorError that says what to do. */
  async #take(pool: ContainerPool, signal: AbortSignal): Promise<WarmRunner> {
    try {
      return await pool.take(signal);
    } catch (error) {
      if (isConnectionError(error) || error instanceof EngineTimeout) throw unreachable(this.#docker, error);
      throw new ExecutorError(`The docker runtime could not start a container: ${describe(error)}`, { cause: error });
    }
  }

  /** The outcome of a runner that ended on its own: its answer, or why it gave none. */
  async #conclude(
    end: LinkEnd,
    { container, exec }: WarmRunner,
    job: ExecutionJob,
    logs: RawOutcome["logs"],
  ): Promise<RawOutcome> {
    if (end.done) return end.outcome;
    const fail = (error: RawError): RawOutcome => ({ ok: false, error, logs });
    if (/heap out of memory|Reached heap limit|allocation failed|Fatal JavaScript out of memory/i.test(end.stderr)) {
      return fail({ kind: "memory", message: memoryMessage(job.limits.memoryLimitMb) });
    }
    // The exec's end is known first; give the engine a moment to see whether the whole container
    // went down with it (killed from outside) or lives on (only the runner died).
    const exitCode = await exitCodeOf(exec);
    let state: Docker.ContainerInspectInfo["State"] | undefined;
    let engineGone: unknown;
    for (let i = 0; i < 8; i++) {
      try {
        state = (await container.inspect()).State;
      } catch (error) {
        state = undefined; // Removed from outside, or the engine went away: treated as stopped.
        if (isConnectionError(error)) engineGone = error;
      }
      if (!state?.Running || state.OOMKilled) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    if (state?.OOMKilled) return fail({ kind: "memory", message: memoryMessage(job.limits.memoryLimitMb) });
    const tail = end.stderr.trim().split("\n").slice(-3).join(" ");
    if (!state?.Running) {
      return fail({
        kind: "executor",
        message:
          `The container running the program stopped during the execution (${state ? `status ${state.Status}, exit code ${state.ExitCode}` : engineGone ? `the Docker engine at ${engineLocation(this.#docker)} went away: ${(engineGone as NodeJS.ErrnoException).code}` : "it was removed"}). The program may be run again. ${tail}`.trim(),
      });
    }
    // The container lives on, but the runner died: the kernel's OOM killer takes the largest
    // process of a container at its memory limit, and that is the runner.
    if (exitCode === 137) return fail({ kind: "memory", message: memoryMessage(job.limits.memoryLimitMb) });
    return fail({
      kind: "executor",
      message:
        `The runner in the container ended without an answer (exit code ${exitCode ?? "unknown"}). ${tail}`.trim(),
    });
  }
}

/** Resolves after `ms`, without keeping the process alive. */
function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** The exit code of a finished exec; the engine may need a moment to notice the end. */
async function exitCodeOf(exec: Docker.Exec): Promise<number | undefined> {
  try {
    for (let i = 0; i < 40; i++) {
      const info = await exec.inspect();
      if (!info.Running) return info.ExitCode ?? undefined;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  } catch {
    // Gone meanwhile.
  }
  return undefined;
}

function describe(error: unknown): string {
  if (statusOf(error) !== undefined) {
    const json = (error as { json?: { message?: string } }).json;
    return json?.message ?? (error as Error).message;
  }
  return error instanceof Error ? error.message : String(error);
}
