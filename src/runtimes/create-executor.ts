import type { ResolvedOptions } from "../tool/options.ts";
import type { Executor } from "./executor.ts";
import { VmExecutor } from "./vm/vm-executor.ts";

/** The executor for a runtime choice. */
export function createExecutor(options: Pick<ResolvedOptions, "runtime" | "docker">): Executor {
  const runtime = options.runtime;
  if (typeof runtime !== "string") return runtime;
  switch (runtime) {
    case "vm":
    case "auto":
      return new VmExecutor();
    case "docker":
      throw new Error("docker runtime: not built yet");
  }
}
