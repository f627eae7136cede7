import { randomUUID } from "node:crypto";
import type Docker from "dockerode";
import { ExecutorError } from "../../errors.ts";
import { DEFAULTS } from "../../tool/options.ts";
import type { ExecutionJob, Executor, RawError, RawOutcome } from "../executor.ts";
import { memoryMessage, timeoutMessage } from "../messages.ts";
import { ContainerPool, type WarmRunner } from "./container-pool.ts";
import {
  createDocker,
  engineLocation,
  isConnectionError,
  LABEL_EXECUTOR,
  pingEngine,
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
  /** A client of your own (e.g. for an engine over SSH with special options); default honours DOCKER_HOST. */
  docker?: Docker;
}

// Pools for this many memory limits stay warm; a job with another limit retires the oldest.
const MAX_POOLS = 2;

/**
 * The `docker` runtime: each execution runs in a fresh hardened container from a warm pool, in a
 * `docker exec` of our runner started ahead of need; the program and its `api` calls travel over
 * the exec's standard streams. The engine is reached through its API (dockerode), so `DOCKER_HOST` may be remote.
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
    const image = await this.#start();
    const pool = this.#pool(job.limits.memoryLimitMb, image);
    const runner = await this.#take(pool);

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
      timer = setTimeout(
        () => stop({ kind: "timeout", message: timeoutMessage(job.limits.timeoutMs) }),
        job.limits.timeoutMs,
      );
      onAbort = () => stop({ kind: "executor", message: "The execution was cancelled by the host." });
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
        await sweepLeftovers(this.#docker).catch(() => 0);
        const image = await resolveImage(this.#docker, this.#image);
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
    pool = new ContainerPool(this.#docker, { image, memoryLimitMb, executorId: this.id }, this.#poolSize);
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

  /** A warm runner; engine trouble becomes an ExecutorError that says what to do. */
  async #take(pool: ContainerPool): Promise<WarmRunner> {
    try {
      return await pool.take();
    } catch (error) {
      if (isConnectionError(error)) throw unreachable(this.#docker, error);
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
