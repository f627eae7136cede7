import type { ApprovalHook } from "../bridge/bridge.ts";
import { type CatalogSettings, type ResolvedCatalogSettings, resolveCatalogSettings } from "../catalog/settings.ts";
import { ConfigError } from "../errors.ts";
import type { ExecutionLimits, Executor } from "../runtimes/executor.ts";

export type RuntimeChoice = "vm" | "docker" | "auto";

/** Docker runtime settings (see the docker runtime). */
export interface DockerSettings {
  image?: string;
  poolSize?: number;
  /** Seconds a tool call may go unanswered inside the container. */
  toolCallTimeout?: number;
}

/** Options of `createCodeModeTool`; every field has a default. */
export interface CodeModeOptions {
  /** Where programs run, or an Executor you manage yourself. Default "auto". */
  runtime?: RuntimeChoice | Executor;
  /** Seconds for a whole execution. Default 30. */
  timeout?: number;
  /** Sandbox heap limit, MB. Default 128. */
  memoryLimit?: number;
  /** Tool calls per execution. Default 1000. */
  maxToolCalls?: number;
  /** Tool calls in flight at once. Default 16. */
  maxConcurrentCalls?: number;
  /** Seconds one tool call may take. Default: 120, or the execution timeout if shorter. */
  toolCallTimeout?: number;
  /** Console characters kept per execution. Default 20,000. */
  maxLogChars?: number;
  /** Characters of the result's JSON. Default 100,000. */
  maxResultChars?: number;
  /** Characters of one tool call's input as JSON. Default 4,000,000. */
  maxToolInputChars?: number;
  /** Characters of the text returned to the model. Default 20,000. */
  maxTextChars?: number;
  /** Asked before every tool call; return false to refuse it. */
  approve?: ApprovalHook;
  docker?: DockerSettings;
  /**
   * How much of the tool catalog the description carries: every declaration while they fit
   * `budget` tokens (default 4,000), else an index within `indexBudget` (default 1,750) and the
   * lookup methods `api.$search` / `api.$describe`. `mode` "full" or "index" forces one form.
   */
  catalog?: CatalogSettings;
}

export interface ResolvedOptions {
  runtime: RuntimeChoice | Executor;
  limits: ExecutionLimits;
  maxTextChars: number;
  approve?: ApprovalHook;
  docker: Required<DockerSettings>;
  catalog: ResolvedCatalogSettings;
}

export const DEFAULTS = {
  runtime: "auto",
  timeout: 30,
  memoryLimit: 128,
  maxToolCalls: 1000,
  maxConcurrentCalls: 16,
  maxLogChars: 20_000,
  maxResultChars: 100_000,
  maxToolInputChars: 4_000_000,
  maxTextChars: 20_000,
  docker: { image: "node:24-slim", poolSize: 2, toolCallTimeout: 120 },
} as const;

/** Fills defaults and checks ranges once, at the edge; inner code trusts the result. */
export function resolveOptions(options: CodeModeOptions = {}): ResolvedOptions {
  const timeout = positive("timeout", options.timeout ?? DEFAULTS.timeout, "seconds", 0.01, 3600);
  const memoryLimit = positive("memoryLimit", options.memoryLimit ?? DEFAULTS.memoryLimit, "MB", 8, 65536);
  const toolCallTimeout = positive(
    "toolCallTimeout",
    options.toolCallTimeout ?? Math.min(120, timeout),
    "seconds",
    0.01,
    3600,
  );
  const runtime = options.runtime ?? DEFAULTS.runtime;
  if (typeof runtime === "string" && !["vm", "docker", "auto"].includes(runtime)) {
    throw new ConfigError(`runtime is ${JSON.stringify(runtime)}; expected "vm", "docker" or "auto".`);
  }
  const docker = options.docker ?? {};
  return {
    runtime,
    limits: {
      timeoutMs: Math.round(timeout * 1000),
      memoryLimitMb: Math.round(memoryLimit),
      maxToolCalls: integer("maxToolCalls", options.maxToolCalls ?? DEFAULTS.maxToolCalls, 1),
      maxConcurrentCalls: integer("maxConcurrentCalls", options.maxConcurrentCalls ?? DEFAULTS.maxConcurrentCalls, 1),
      toolCallTimeoutMs: Math.round(toolCallTimeout * 1000),
      maxLogChars: integer("maxLogChars", options.maxLogChars ?? DEFAULTS.maxLogChars, 100),
      maxResultChars: integer("maxResultChars", options.maxResultChars ?? DEFAULTS.maxResultChars, 100),
      maxToolInputChars: integer("maxToolInputChars", options.maxToolInputChars ?? DEFAULTS.maxToolInputChars, 100),
    },
    maxTextChars: integer("maxTextChars", options.maxTextChars ?? DEFAULTS.maxTextChars, 500),
    ...(options.approve && { approve: options.approve }),
    docker: {
      image: docker.image ?? DEFAULTS.docker.image,
      poolSize: integer("docker.poolSize", docker.poolSize ?? DEFAULTS.docker.poolSize, 0),
      toolCallTimeout: positive(
        "docker.toolCallTimeout",
        docker.toolCallTimeout ?? DEFAULTS.docker.toolCallTimeout,
        "seconds",
        0.01,
        3600,
      ),
    },
    catalog: resolveCatalogSettings(options.catalog),
  };
}

function positive(name: string, value: unknown, unit: string, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max) {
    throw new ConfigError(`${name} is ${JSON.stringify(value)}; expected a number of ${unit} from ${min} to ${max}.`);
  }
  return value;
}

function integer(name: string, value: unknown, min: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    throw new ConfigError(`${name} is ${JSON.stringify(value)}; expected a whole number of at least ${min}.`);
  }
  return value;
}
