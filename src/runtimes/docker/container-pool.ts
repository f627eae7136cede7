import { randomUUID } from "node:crypto";
import type { Duplex } from "node:stream";
import type Docker from "dockerode";
import { withDeadline } from "../deadline.ts";
import {
  bounded,
  LABEL_EXECUTOR,
  LABEL_OWNER,
  LABEL_RUNNER,
  OWNER,
  REQUEST_TIMEOUT_MS,
  removeContainer,
  statusOf,
} from "./engine.ts";
import { noSandboxInImage } from "./image.ts";
import { RunnerChannel } from "./runner-link.ts";
import { RUNNER_HEAP_MB, runnerCommand } from "./runner-source.ts";

/** What every container of one pool shares. */
export interface ContainerSpec {
  image: string;
  /** The program's heap limit; the container gets this plus room for Node itself. */
  memoryLimitMb: number;
  /** Labels containers with the executor that made them, so `close()` finds every one. */
  executorId: string;
}

/**
 * Memory beside the program's isolate heap: the runner's Node (~50 MB with its isolate made) and
 * its own heap for messages (`RUNNER_HEAP_MB`).
 */
export const NODE_OVERHEAD_MB = 64 + RUNNER_HEAP_MB;

/**
 * Private writable address space Node takes before any program (RLIMIT_DATA counts the 512 MB
 * code range V8 reserves, thread stacks and the heap), measured at ~575 MB for Node 24 on x64.
 */
const NODE_DATA_BASE_MB = 640;
/** Each isolated-vm isolate reserves a code range of its own: without it, creating one fails. */
const ISOLATE_CODE_RANGE_MB = 512;

/**
 * The hardened container: no network, read-only root with a small tmpfs, memory with swap off,
 * a data limit, one CPU, a pids limit, no capabilities, no privilege gain, a non-root user. Its
 * one process is the runner, whose standard streams the host attaches before the start.
 *
 * Nothing outlives the host: with `StdinOnce` the engine closes the runner's stdin when the
 * attach's connection goes away, as it does when the host process dies (SIGKILL included). The
 * runner then exits, the container stops, and `AutoRemove` removes it; no later start sweeps.
 */
export function hardenedConfig(spec: ContainerSpec): Docker.ContainerCreateOptions {
  const memory = (spec.memoryLimitMb + NODE_OVERHEAD_MB) * 1024 * 1024;
  const data = (NODE_DATA_BASE_MB + ISOLATE_CODE_RANGE_MB + RUNNER_HEAP_MB + 2 * spec.memoryLimitMb) * 1024 * 1024;
  return {
    Image: spec.image,
    Cmd: runnerCommand(spec.memoryLimitMb),
    OpenStdin: true,
    StdinOnce: true,
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
    User: "65534:65534",
    WorkingDir: "/tmp",
    Env: [],
    // The runner is PID 1 without a SIGTERM handler, so it ignores SIGTERM: a stopping engine
    // would wait its 10 s stop timeout for each container. Nothing in it needs a clean stop.
    StopSignal: "SIGKILL",
    NetworkDisabled: true,
    Labels: { [LABEL_RUNNER]: "1", [LABEL_OWNER]: OWNER, [LABEL_EXECUTOR]: spec.executorId },
    HostConfig: {
      NetworkMode: "none",
      ReadonlyRootfs: true,
      Tmpfs: { "/tmp": "rw,noexec,nosuid,nodev,size=16m" },
      Memory: memory,
      MemorySwap: memory,
      NanoCpus: 1_000_000_000,
      PidsLimit: 64,
      CapDrop: ["ALL"],
      SecurityOpt: ["no-new-privileges"],
      Ulimits: [
        { Name: "core", Soft: 0, Hard: 0 },
        // ArrayBuffers live outside the V8 heap and untouched pages never reach the cgroup's
        // limit; a data limit makes a buffer bomb fail as "Array buffer allocation failed".
        { Name: "data", Soft: data, Hard: data },
      ],
      LogConfig: { Type: "none", Config: {} },
      AutoRemove: true,
    },
  };
}

const READY_TIMEOUT_MS = 30_000;

/** A started container whose runner is already up and waiting for its program on stdin. */
export interface WarmRunner {
  container: Docker.Container;
  /** The runner's standard streams, through the attach: when it closes, the container ends. */
  channel: RunnerChannel;
}

/**
 * Containers created and started ahead of need, each with its runner already up and waiting
 * (Node's start-up is off the execution's path). Each is used once: `take` hands
 * one out and the caller gives it back to `discard`, which removes it; the pool refills in the
 * background.
 */
export class ContainerPool {
  readonly spec: ContainerSpec;
  readonly #docker: Docker;
  readonly #size: number;
  readonly #requestTimeoutMs: number;
  readonly #ready: WarmRunner[] = [];
  readonly #busy = new Set<Promise<unknown>>();
  #creating = 0;
  #taken = 0;
  #closed = false;
  /** Set when a refill failed; refilling waits for the next `take` rather than spinning. */
  #failed = false;
  #waiters: (() => void)[] = [];
  /** Containers whose removal failed (the engine was away): removed again once it answers. */
  readonly #unremoved = new Set<Docker.Container>();

  /** `requestTimeoutMs` bounds each engine request of making a container (create, attach, start). */
  constructor(docker: Docker, spec: ContainerSpec, size: number, requestTimeoutMs = REQUEST_TIMEOUT_MS) {
    this.#docker = docker;
    this.spec = spec;
    this.#size = size;
    this.#requestTimeoutMs = requestTimeoutMs;
  }

  /** Runners handed out so far. */
  get taken(): number {
    return this.#taken;
  }

  /**
   * A runner for one execution: a ready one whose runner still lives, or a new one. When `signal`
   * aborts (the caller stopped waiting), making the new one stops and what was made is removed.
   */
  async take(signal?: AbortSignal): Promise<WarmRunner> {
    this.#taken++;
    this.#failed = false;
    let runner = this.#ready.shift();
    while (runner?.channel.closed) {
      // Died while it waited (killed from outside, the engine restarted): replace it.
      this.discard(runner);
      runner = this.#ready.shift();
    }
    this.fill();
    if (runner) return runner;
    return this.#track(this.#create(signal));
  }

  /** Removes a used (or broken) container, in the background. */
  discard(runner: WarmRunner): void {
    runner.channel.destroy();
    this.#remove(runner.container);
  }

  /** Starts creating containers until `size` are ready or on their way. */
  fill(): void {
    while (!this.#closed && !this.#failed && this.#ready.length + this.#creating < this.#size) {
      this.#creating++;
      this.#track(this.#create())
        .then(
          (runner) => {
            if (this.#closed) this.discard(runner);
            else this.#ready.push(runner);
          },
          () => {
            this.#failed = true;
          },
        )
        .finally(() => {
          this.#creating--;
          this.#wake();
        });
    }
  }

  /** Resolves when the pool is full (or cannot fill): for benchmarks and tests. */
  async warm(): Promise<void> {
    this.fill();
    while (!this.#closed && !this.#failed && this.#ready.length < this.#size) {
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  /** Stops refilling and removes every container of this pool, waiting for work in flight. */
  async close(): Promise<void> {
    this.#closed = true;
    while (this.#busy.size > 0) await Promise.allSettled([...this.#busy]);
    const ready = this.#ready.splice(0);
    for (const runner of ready) runner.channel.destroy();
    const unremoved = [...this.#unremoved];
    this.#unremoved.clear();
    await Promise.allSettled(
      [...ready.map((r) => r.container), ...unremoved].map((c) => removeContainer(c, this.#requestTimeoutMs)),
    );
    this.#wake();
  }

  /** Removes a container in the background; one the engine could not remove is tried again later. */
  #remove(container: Docker.Container): void {
    this.#unremoved.delete(container);
    this.#track(removeContainer(container, this.#requestTimeoutMs)).catch((error) => {
      // Gone already (404) is done; otherwise (engine away, removal in progress) try again later.
      // A 409 is a removal already under way (AutoRemove's, after the container stopped).
      const status = statusOf(error);
      if (status !== 404 && status !== 409 && !this.#closed) this.#unremoved.add(container);
    });
  }

  async #create(signal?: AbortSignal): Promise<WarmRunner> {
    const ms = this.#requestTimeoutMs;
    // Named, so that a container whose creation we gave up on can still be found and removed.
    const name = `code-mode-${randomUUID()}`;
    let container: Docker.Container;
    try {
      // Not abandoned when `signal` aborts: only the engine's answer tells which container to remove.
      // docker-modem copies every create option into the query string unless told what goes
      // where; the runner's source in `Cmd` would make the request line tens of KB long.
      container = await bounded(ms, "creating a container", (abortSignal) =>
        this.#docker.createContainer({
          _query: { name },
          _body: hardenedConfig(this.spec),
          abortSignal,
        } as Docker.ContainerCreateOptions),
      );
    } catch (error) {
      // No answer (given up, or the connection broke): the engine may have made it all the same,
      // or make it late. It is removed by name with what could not be removed before.
      if (statusOf(error) === undefined) this.#unremoved.add(this.#docker.getContainer(name));
      throw error;
    }
    // The engine answers again: what it could not remove before (it went away, and its containers
    // with it, stopped) goes now.
    for (const left of this.#unremoved) this.#remove(left);
    let stream: Duplex | undefined;
    try {
      signal?.throwIfAborted();
      // Attached before the start, so no output is missed and the runner never runs without the
      // host holding its stdin. The signal only bounds the wait for the stream; it lives on.
      stream = (await bounded(
        ms,
        "attaching to a container",
        (abortSignal) =>
          container.attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true, abortSignal }),
        signal,
      )) as Duplex;
      const channel = new RunnerChannel(stream, (s, out, err) => this.#docker.modem.demuxStream(s, out, err));
      await bounded(ms, "starting a container", (abortSignal) => container.start({ abortSignal }), signal);
      try {
        await withDeadline(
          () => channel.ready,
          READY_TIMEOUT_MS,
          signal,
          () => new Error(`The runner did not start within ${READY_TIMEOUT_MS / 1000} s.`),
        );
      } catch (error) {
        channel.destroy();
        if (
          /ERR_MODULE_NOT_FOUND|Cannot find (package|module)|NODE_MODULE_VERSION|ERR_DLOPEN_FAILED/.test(
            channel.stderr,
          ) &&
          /isolated-vm|node-gyp-build/.test(channel.stderr)
        ) {
          throw noSandboxInImage(this.spec.image, channel.stderr);
        }
        throw error;
      }
      return { container, channel };
    } catch (error) {
      stream?.destroy();
      this.#remove(container);
      throw error;
    }
  }

  #track<T>(promise: Promise<T>): Promise<T> {
    this.#busy.add(promise);
    const untrack = () => this.#busy.delete(promise);
    promise.then(untrack, untrack);
    return promise;
  }

  #wake(): void {
    for (const wake of this.#waiters.splice(0)) wake();
  }
}
