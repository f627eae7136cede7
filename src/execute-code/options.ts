import type { ApprovalHook } from "../bridge/bridge.ts";
import { ConfigError } from "../errors.ts";
import type { ExecutionLimits, Executor } from "../runtimes/executor.ts";
import {
  type CatalogSettings,
  type DockerSettings,
  type RuntimeChoice,
  resolveSettings,
  type Settings,
  type TypecheckMode,
} from "../settings.ts";

export type { DockerSettings, RuntimeChoice } from "../settings.ts";

/**
 * Options of `createCodeModeTool`; every field has a default. The settings' defaults, ranges and
 * documentation are in one table, `SETTINGS` (src/settings.ts).
 */
export interface CodeModeOptions extends Omit<Settings, "runtime"> {
  /** Where programs run, or an Executor you manage yourself. Default "auto". */
  runtime?: RuntimeChoice | Executor;
  /** Asked before every tool call; return false to refuse it. */
  approve?: ApprovalHook;
}

export interface ResolvedOptions {
  runtime: RuntimeChoice | Executor;
  limits: ExecutionLimits;
  maxTextChars: number;
  maxTextTokens: number;
  approve?: ApprovalHook;
  docker: Required<DockerSettings>;
  typecheck: { mode: TypecheckMode; timeoutMs: number };
  catalog: Required<CatalogSettings>;
}

/** Fills defaults and checks ranges once, at the edge; inner code trusts the result. */
export function resolveOptions(options: CodeModeOptions = {}): ResolvedOptions {
  const { runtime, approve, ...rest } = options;
  const executor = typeof runtime === "object" && runtime !== null ? runtime : undefined;
  const checked = resolveSettings(executor ? rest : { ...rest, ...(runtime !== undefined && { runtime }) });
  if ("problem" in checked) throw new ConfigError(checked.problem);
  const s = checked.settings;
  return {
    runtime: executor ?? s.runtime,
    limits: {
      timeoutMs: Math.round(s.timeout * 1000),
      memoryLimitMb: Math.round(s.memoryLimit),
      maxToolCalls: s.maxToolCalls,
      maxConcurrentCalls: s.maxConcurrentCalls,
      toolCallTimeoutMs: Math.round(s.toolCallTimeout * 1000),
      maxLogChars: s.maxLogChars,
      maxResultChars: s.maxResultChars,
      maxToolInputChars: s.maxToolInputChars,
    },
    maxTextChars: s.maxTextChars,
    maxTextTokens: s.maxTextTokens,
    ...(approve && { approve }),
    docker: s.docker,
    typecheck: { mode: s.typecheck, timeoutMs: Math.round(s.typecheckTimeout * 1000) },
    catalog: s.catalog,
  };
}
