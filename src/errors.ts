/**
 * What went wrong, in one word; every failure a user or model sees carries one. The one list of
 * their meanings (the README refers here):
 *
 * - `syntax`: the program does not parse (or uses `import`); line and column are the model's own.
 * - `type`: a tool was called with input that does not match its schema, or no such tool exists.
 * - `runtime`: the program threw (its own error, or one it did not catch); line and column when known.
 * - `tool`: a tool failed, refused the call (approval) or did not answer within `toolCallTimeout`.
 * - `timeout`: the execution ran past `timeout`; the program was stopped.
 * - `memory`: the program ran past `memoryLimit`; its sandbox was thrown away.
 * - `limit`: a bound of the execution was reached: tool calls, one call's input or result size, a call after the end.
 * - `executor`: the runtime itself could not run the program (cannot start, child died, engine gone, closed).
 * - `config`: a setting, config file, tools module or registration is wrong; nothing started.
 */
export type ErrorKind = "syntax" | "type" | "runtime" | "tool" | "timeout" | "memory" | "limit" | "executor" | "config";

const MARKER = Symbol.for("code-mode.error");

/**
 * Base class of code-mode's errors: a `kind` (see ErrorKind), a message that says what to do, maybe a position.
 *
 * @example
 * try {
 *   await session.close();
 * } catch (error) {
 *   if (CodeModeError.isInstance(error) && error.kind === "config") console.error(error.message);
 * }
 */
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
