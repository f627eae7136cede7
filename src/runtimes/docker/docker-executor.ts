import { randomUUID } from "node:crypto";
import type Docker from "dockerode";
import { ExecutorError } from "../../errors.ts";
import { PausableTimer } from "../../sandbox/pausable-timer.ts";
import { cancelledError, closedMessage, isOutOfMemory, memoryError, timeoutError } from "../../sandbox/verdicts.ts";
import { DEFAULTS } from "../../settings.ts";
import { withDeadline } from "../deadline.ts";
import type { ExecutionJob, Executor, RawError, RawOutcome } from "../executor.ts";
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
  /** Image to run: Node 24 with isolated-vm, as `code-mode image build` makes it. Default `code-mode-runner:ivm`. */
  image?: string;
  /** Containers kept started ahead of need. Default 2. */
  poolSize?: number;
  /** Seconds a tool call may go unanswered before it fails inside the container. Default 120. */
  toolCallTimeout?: number;
  /** The memory limit the pool prepares for before the first job says otherwise, MB. Default 128. */
  memoryLimitMb?: number;
  /** How long to wait for the engine to answer, ms. Default 5000. */
  connectTimeoutMs?: number;
  /** How long one engine request (create, attach, start, list, image lookup) may go unanswered, ms. Default 30000. */
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

/** Why a wait ended at the execution's deadline (a cancelled one ends with the signal's reason). */
const DEADLINE = Symbol("deadline");

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
 * The `docker` runtime: each execution runs in a fresh hardened container from a warm pool, whose
 * one process is our runner, started ahead of need; the program and its `api` calls travel over
 * the runner's standard streams, attached. The engine is reached through its API (dockerode), so `DOCKER_HOST` may be remote.
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
    if (this.#closed) throw new ExecutorError(closedMessage("docker", false));
    const cancelled = (): RawOutcome => ({ ok: false, error: cancelledError(), logs: [] });
    if (job.signal?.aborted) return cancelled();
    // The deadline runs from here: an engine that is slow to give a container uses it up too.
    const deadline = Date.now() + job.limits.timeoutMs + this.#graceMs;
    const acquired = await this.#acquire(job, deadline);
    if (!acquired) return cancelled();
    const { pool, runner } = acquired;

    // The core in the container stops the program at its timeout and says so; the host's own
    // deadline, a grace later, is for a runner that does not answer. Both stop while a call
    // waits for a person.
    const expired = new AbortController();
    const guard = new PausableTimer(deadline - Date.now(), () => expired.abort(DEADLINE));
    const link = linkRunner(runner.channel, job, this.#toolCallTimeoutMs, guard);
    let outcome: RawOutcome;
    try {
      outcome = await withDeadline(
        () => link.ended.then((end) => this.#conclude(end, runner, job, link.logs)),
        undefined,
        job.signal ? AbortSignal.any([expired.signal, job.signal]) : expired.signal,
      );
    } catch (reason) {
      outcome = {
        ok: false,
        error: reason === DEADLINE ? timeoutError(job.limits) : cancelledError(),
        logs: link.logs,
      };
    }
    // Removing the container ends the runner, whatever the program is doing; closing its stdin
    // first tells a runner that answered that its last message arrived.
    guard.clear();
    pool.discard(runner);
    return outcome;
  }

  async close(): Promise<void> {
    this.#closed = true;
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    // Bounded: an engine that stopped answering must not hang the host's shutdown.
    await withDeadline(() => Promise.allSettled(pools.map((pool) => pool.close())), 10_000).catch(() => {});
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
    await withDeadline(sweep, this.#connectTimeoutMs).catch(() => {});
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
    let waitingFor = "a ping, the sweep of leftovers or the image lookup";
    try {
      return await withDeadline(
        async (giveUp) => {
          const image = await this.#start();
          if (giveUp.aborted) return undefined;
          waitingFor = "creating and starting a container";
          const pool = this.#pool(job.limits.memoryLimitMb, image);
          const runner = await this.#take(pool, giveUp);
          // Made after we stopped waiting: removed, not leaked.
          if (!giveUp.aborted) return { pool, runner };
          pool.discard(runner);
          return undefined;
        },
        deadline - Date.now(),
        job.signal,
        () => DEADLINE,
      );
    } catch (reason) {
      if (reason !== DEADLINE) {
        if (job.signal?.aborted) return undefined;
        throw reason;
      }
      const total = job.limits.timeoutMs + this.#graceMs;
      throw new ExecutorError(
        `The docker runtime got no container from the Docker engine at ${engineDescription(this.#docker)} within ${total / 1000} s (the execution's ${job.limits.timeoutMs / 1000} s timeout plus ${this.#graceMs / 1000} s): it left ${waitingFor} unanswered. Start dockerd (or restart a stalled one), set DOCKER_HOST to a reachable engine, or use runtime "vm".`,
      );
    }
  }

  /** A warm runner; engine trouble becomes an ExecutorError that says what to do. */
  async #take(pool: ContainerPool, signal: AbortSignal): Promise<WarmRunner> {
    try {
      return await pool.take(signal);
    } catch (error) {
      if (error instanceof ExecutorError) throw error;
      if (isConnectionError(error) || error instanceof EngineTimeout) throw unreachable(this.#docker, error);
      throw new ExecutorError(`The docker runtime could not start a container: ${describe(error)}`, { cause: error });
    }
  }

  /** The outcome of a runner that ended on its own: its answer, or why it gave none. */
  async #conclude(
    end: LinkEnd,
    { container }: WarmRunner,
    job: ExecutionJob,
    logs: RawOutcome["logs"],
  ): Promise<RawOutcome> {
    if (end.done) return end.outcome;
    const fail = (error: RawError): RawOutcome => ({ ok: false, error, logs });
    // The runner's own heap ran out: V8 said so on stderr before it died.
    if (isOutOfMemory(end.stderr)) return fail(memoryError(job.limits));
    // The runner is the container's process: its streams end first; give the engine a moment to
    // see the container stop, and whether the kernel killed it for memory.
    let state: Docker.ContainerInspectInfo["State"] | undefined;
    let engineGone: unknown;
    for (let i = 0; i < 8; i++) {
      try {
        state = (await container.inspect()).State;
      } catch (error) {
        state = undefined; // Removed (AutoRemove, or from outside), or the engine went away.
        if (isConnectionError(error)) engineGone = error;
      }
      if (!state?.Running || state.OOMKilled) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    if (state?.OOMKilled) return fail(memoryError(job.limits));
    const tail = end.stderr.trim().split("\n").slice(-3).join(" ");
    const how = state
      ? `status ${state.Status}, exit code ${state.ExitCode}`
      : engineGone
        ? `the Docker engine at ${engineLocation(this.#docker)} went away: ${(engineGone as NodeJS.ErrnoException).code}`
        : "it was removed";
    return fail({
      kind: "executor",
      message:
        `The container running the program stopped during the execution (${how}). The program may be run again. ${tail}`.trim(),
    });
  }
}

function describe(error: unknown): string {
  if (statusOf(error) !== undefined) {
    const json = (error as { json?: { message?: string } }).json;
    return json?.message ?? (error as Error).message;
  }
  return error instanceof Error ? error.message : String(error);
}
