/** The error kinds of DESIGN.md; every failure a user or model sees carries one. */
export type ErrorKind = "syntax" | "type" | "runtime" | "tool" | "timeout" | "memory" | "limit" | "executor" | "config";

const MARKER = Symbol.for("code-mode.error");

/** Base class of code-mode's errors: a `kind`, a message that says what to do, maybe a position. */
export class CodeModeError extends Error {
  readonly kind: ErrorKind;
  readonly line?: number;
  readonly column?: number;
  readonly [MARKER] = true;

  constructor(kind: ErrorKind, message: string, options: { line?: number; column?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "CodeModeError";
    this.kind = kind;
    if (options.line !== undefined) this.line = options.line;
    if (options.column !== undefined) this.column = options.column;
  }

  /** True for code-mode errors from any copy of this package (survives bundling and realms). */
  static isInstance(value: unknown): value is CodeModeError {
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[MARKER] === true;
  }
}

/** A configuration, option or registration mistake; nothing starts. */
export class ConfigError extends CodeModeError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super("config", message, options);
    this.name = "ConfigError";
  }
}

/** The runtime could not run the program (could not load, child died, engine unreachable). */
export class ExecutorError extends CodeModeError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super("executor", message, options);
    this.name = "ExecutorError";
  }
}
