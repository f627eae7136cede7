import type { ApprovalHook, ApprovalRule } from "../bridge/approval.ts";
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
export interface CodeModeOptions extends Omit<Settings, "runtime" | "approval"> {
  /** Where programs run, or an Executor you manage yourself. Default "auto". */
  runtime?: RuntimeChoice | Executor;
  /**
   * Which calls wait for a person's approval: `require` holds tool patterns (as in the config) or
   * a predicate; `timeout` bounds one wait, in seconds (default 300). Who is asked: the `approve`
   * below and the `approve` given to `execute`, each that exists, and both must agree; with
   * neither, such calls are refused (`approvalSetup` in src/bridge/approval.ts).
   */
  approval?: { require?: ApprovalRule; timeout?: number };
  /**
   * Asked before a call runs: before every call, or, when `approval.require` is set, before the
   * calls it matches. Answer true, false, or `{ approved, reason }`. Waiting for it does not count
   * against the program's timeout (within `approval.timeout`).
   */
  approve?: ApprovalHook;
}

export interface ResolvedOptions {
  runtime: RuntimeChoice | Executor;
  limits: ExecutionLimits;
  maxTextChars: number;
  maxTextTokens: number;
  approve?: ApprovalHook;
  /** Which calls need approval (absent: every call, when `approve` is set) and the bound of one wait. */
  approval: { rule?: ApprovalRule; timeoutMs: number };
  docker: Required<DockerSettings>;
  typecheck: { mode: TypecheckMode; timeoutMs: number };
  catalog: Required<CatalogSettings>;
}

/** Fills defaults and checks ranges once, at the edge; inner code trusts the result. */
export function resolveOptions(options: CodeModeOptions = {}): ResolvedOptions {
  const { runtime, approve, approval, ...rest } = options;
  const executor = typeof runtime === "object" && runtime !== null ? runtime : undefined;
  if (runtime !== undefined && typeof runtime !== "string" && !executor)
    throw new ConfigError(`runtime is ${JSON.stringify(runtime)}; expected "vm", "docker", "auto" or an Executor.`);
  // A predicate is code, not a setting: the table checks patterns only.
  const predicate = typeof approval?.require === "function" ? approval.require : undefined;
  const settings: Settings = {
    ...rest,
    ...(typeof runtime === "string" && { runtime }),
    ...(approval && {
      approval: { ...approval, require: predicate ? undefined : (approval.require as string[] | undefined) },
    }),
  };
  if (approve !== undefined && typeof approve !== "function")
    throw new ConfigError(`approve is ${typeof approve}; expected a function that answers true or false.`);
  const checked = resolveSettings(settings);
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
    approval: {
      timeoutMs: Math.round(s.approval.timeout * 1000),
      // Patterns from a config without a hook still guard: such calls are refused, saying why.
      ...(predicate
        ? { rule: predicate }
        : approval?.require !== undefined || s.approval.require.length > 0
          ? { rule: s.approval.require }
          : {}),
    },
    docker: s.docker,
    typecheck: { mode: s.typecheck, timeoutMs: Math.round(s.typecheckTimeout * 1000) },
    catalog: s.catalog,
  };
}
