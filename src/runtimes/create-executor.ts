import type { DockerSettings, RuntimeChoice } from "../settings.ts";
import { AutoExecutor } from "./auto/auto-executor.ts";
import type { DockerExecutorOptions } from "./docker/docker-executor.ts";
import type { ExecutionLimits, Executor } from "./executor.ts";
import { LazyExecutor } from "./lazy-executor.ts";
import { VmExecutor } from "./vm/vm-executor.ts";

/** What `createExecutor` needs; `ResolvedOptions` fits. */
export interface CreateExecutorOptions {
  runtime: RuntimeChoice | Executor;
  docker?: DockerSettings;
  /** The docker pool warms up for this memory limit. */
  limits?: Pick<ExecutionLimits, "memoryLimitMb">;
}

/**
 * The executor for a runtime choice; an Executor given as the runtime is returned as is.
 *
 * @example
 * const executor = createExecutor({ runtime: "vm", limits: { memoryLimitMb: 64 } });
 * const tool = createCodeModeTool(registry, { runtime: executor }); // the tool will not close it
 * // ...
 * await executor.close();
 */
export function createExecutor(options: CreateExecutorOptions): Executor {
  const runtime = options.runtime;
  if (typeof runtime !== "string") return runtime;
  const docker: DockerExecutorOptions = {
    ...options.docker,
    ...(options.limits && { memoryLimitMb: options.limits.memoryLimitMb }),
  };
  const vm = options.limits ? { memoryLimitMb: options.limits.memoryLimitMb } : {};
  switch (runtime) {
    case "vm":
      return new VmExecutor(vm);
    case "docker":
      // Loaded now but imported lazily: dockerode stays out of programs that never use docker.
      return new LazyExecutor(
        "docker",
        async () => new (await import("./docker/docker-executor.ts")).DockerExecutor(docker),
        { start: true },
      );
    case "auto":
      return new AutoExecutor({ vm: new VmExecutor(vm), docker });
  }
}
