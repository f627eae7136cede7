import { CodeModeError } from "../../errors.ts";
import type { DockerExecutorOptions } from "../docker/docker-executor.ts";
import type { ExecutionJob, Executor, RawOutcome, RuntimeName } from "../executor.ts";
import { LazyExecutor } from "../lazy-executor.ts";
import { VmExecutor } from "../vm/vm-executor.ts";

export interface AutoExecutorOptions {
  /** The first choice; default a new VmExecutor. */
  vm?: Executor;
  /** Settings of the docker runtime made on the first fallback, or a factory for it. */
  docker?: DockerExecutorOptions | (() => Executor);
}

/**
 * The `auto` runtime: `vm` first. Only when the vm runtime itself fails (an `executor` error: it
 * cannot load, or its child died for a reason other than the program's limits) and no tool call
 * was dispatched yet, the same job runs again on `docker`, so no side effect runs twice. Program
 * errors, timeouts and memory limits never fall back. Docker is started on the first fallback.
 *
 * @example
 * const auto = new AutoExecutor({ docker: { poolSize: 1 } });
 * const tool = createCodeModeTool(registry, { runtime: auto });
 * const { result } = await tool.execute({ code: "return 1" });
 * console.log(result.runtime, result.fallback); // "vm", undefined while vm works
 * await auto.close();
 */
export class AutoExecutor implements Executor {
  /** The runtime that normally runs; each outcome's `runtime` says which one did. */
  readonly name: RuntimeName = "vm";
  readonly #vm: Executor;
  readonly #dockerOptions: AutoExecutorOptions["docker"];
  #docker: Executor | undefined;
  #closed = false;

  constructor(options: AutoExecutorOptions = {}) {
    this.#vm = options.vm ?? new VmExecutor();
    this.#dockerOptions = options.docker;
  }

  async run(job: ExecutionJob): Promise<RawOutcome> {
    let outcome: RawOutcome;
    try {
      outcome = await this.#vm.run(job);
    } catch (error) {
      if (!CodeModeError.isInstance(error) || error.kind !== "executor") throw error;
      outcome = { ok: false, logs: [], error: { kind: "executor", message: error.message } };
    }
    const failed = outcome.error?.kind === "executor";
    if (!failed || job.bridge.dispatched > 0 || job.signal?.aborted || this.#closed)
      return { ...outcome, runtime: "vm" };
    const fallback = `The vm runtime failed before any tool call (${outcome.error!.message}); the program ran on docker instead.`;
    try {
      const second = await this.#dockerRuntime().run(job);
      return { ...second, runtime: "docker", fallback };
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      const message = `${outcome.error!.message} The docker runtime could not take over: ${why}`;
      return { ok: false, logs: outcome.logs, error: { kind: "executor", message }, runtime: "vm" };
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([this.#vm.close(), this.#docker?.close()]);
  }

  #dockerRuntime(): Executor {
    if (!this.#docker) {
      const options = this.#dockerOptions;
      // dockerode loads on the first fallback only.
      this.#docker =
        typeof options === "function"
          ? options()
          : new LazyExecutor(
              "docker",
              async () => new (await import("../docker/docker-executor.ts")).DockerExecutor(options),
              { start: true },
            );
    }
    return this.#docker;
  }
}
