import type Docker from "dockerode";
import { LABEL_EXECUTOR, LABEL_OWNER, LABEL_RUNNER, OWNER } from "./engine.ts";

/** What every container of one pool shares. */
export interface ContainerSpec {
  image: string;
  /** The program's heap limit; the container gets this plus room for Node itself. */
  memoryLimitMb: number;
  /** Labels containers with the executor that made them, so `close()` finds every one. */
  executorId: string;
}

/** Memory for Node itself beside the program's heap: the idle process, code, young generation. */
export const NODE_OVERHEAD_MB = 128;

/**
 * The hardened container: no network, read-only root with a small tmpfs, memory with swap off,
 * one CPU, a pids limit, no capabilities, no privilege gain, a non-root user. Its main process
 * only idles; each execution is a `docker exec` of the runner.
 */
export function hardenedConfig(spec: ContainerSpec): Docker.ContainerCreateOptions {
  const memory = (spec.memoryLimitMb + NODE_OVERHEAD_MB) * 1024 * 1024;
  return {
    Image: spec.image,
    Cmd: ["node", "--max-old-space-size=16", "-e", "setInterval(() => {}, 1 << 30)"],
    User: "65534:65534",
    WorkingDir: "/tmp",
    Env: [],
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
      Ulimits: [{ Name: "core", Soft: 0, Hard: 0 }],
      LogConfig: { Type: "none", Config: {} },
      AutoRemove: false,
    },
  };
}

/**
 * Containers created and started ahead of need. Each is used once: `take` hands one out and the
 * caller gives it back to `discard`, which removes it; the pool refills in the background.
 */
export class ContainerPool {
  readonly spec: ContainerSpec;
  readonly #docker: Docker;
  readonly #size: number;
  readonly #ready: Docker.Container[] = [];
  readonly #busy = new Set<Promise<unknown>>();
  #creating = 0;
  #closed = false;
  /** Set when a refill failed; refilling waits for the next `take` rather than spinning. */
  #failed = false;
  #waiters: (() => void)[] = [];

  constructor(docker: Docker, spec: ContainerSpec, size: number) {
    this.#docker = docker;
    this.spec = spec;
    this.#size = size;
  }

  /** A started container for one execution: a ready one, or a new one when none is. */
  async take(): Promise<Docker.Container> {
    this.#failed = false;
    const container = this.#ready.shift();
    this.fill();
    if (container) return container;
    return this.#track(this.#create());
  }

  /** Removes a used (or broken) container, in the background. */
  discard(container: Docker.Container): void {
    this.#track(container.remove({ force: true, v: true })).catch(() => {});
  }

  /** Starts creating containers until `size` are ready or on their way. */
  fill(): void {
    while (!this.#closed && !this.#failed && this.#ready.length + this.#creating < this.#size) {
      this.#creating++;
      this.#track(this.#create())
        .then(
          (container) => {
            if (this.#closed) this.discard(container);
            else this.#ready.push(container);
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
    await Promise.allSettled(ready.map((c) => c.remove({ force: true, v: true })));
    this.#wake();
  }

  async #create(): Promise<Docker.Container> {
    const container = await this.#docker.createContainer(hardenedConfig(this.spec));
    try {
      await container.start();
    } catch (error) {
      await container.remove({ force: true }).catch(() => {});
      throw error;
    }
    return container;
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
