import type { ApiIndex } from "../bridge/api-index.ts";
import type { ApprovalSetup } from "../bridge/approval.ts";
import { Bridge } from "../bridge/bridge.ts";
import { CodeModeError } from "../errors.ts";
import type { ExecutionLimits, ExecutionResult, Executor, RawOutcome } from "../runtimes/executor.ts";
import { transpile } from "../transpile/transpile.ts";
import type { CheckedProgram, TypeCheckVerdict } from "../typecheck/type-check.ts";
import { EventQueue, type ExecutionEventListener } from "./events.ts";

export interface RunProgramDeps {
  index: ApiIndex;
  executor: Executor;
  limits: ExecutionLimits;
  /** Who approves which calls; absent, no call waits. */
  approval?: ApprovalSetup;
  signal?: AbortSignal;
  /** Told of the execution's events as they happen (see `EventQueue`). */
  onEvent?: ExecutionEventListener;
  /** Type-checks the program before it runs; absent when the check is off. */
  typecheck?: (program: CheckedProgram) => Promise<TypeCheckVerdict>;
}

/** Transpiles, type-checks, runs and reports one program: the whole path of one `execute_code` call. */
export async function runProgram(code: string, deps: RunProgramDeps): Promise<ExecutionResult> {
  const events = deps.onEvent ? new EventQueue(deps.onEvent) : undefined;
  events?.push({ type: "start", runtime: deps.executor.name });
  const result = await runChecked(code, deps, events);
  if (events) {
    const { ok, runtime, ms, error } = result;
    events.push({
      type: "end",
      ok,
      runtime,
      ms,
      ...(error && { error: { kind: error.kind, message: error.message } }),
    });
    // Front ends that forward events (MCP progress) send them before the result.
    await events.drained();
  }
  return result;
}

async function runChecked(
  code: string,
  deps: RunProgramDeps,
  events: EventQueue | undefined,
): Promise<ExecutionResult> {
  const started = performance.now();
  let warnings: string[] = [];
  const finish = (
    outcome: RawOutcome,
    toolCalls: ExecutionResult["toolCalls"],
    position?: { line: number; column: number },
  ) => {
    const result = toResult(outcome, toolCalls, deps.executor.name, performance.now() - started, position);
    if (warnings.length > 0) result.warnings = warnings;
    return result;
  };

  let program: ReturnType<typeof transpile>;
  try {
    program = transpile(code);
  } catch (error) {
    return finish({ ok: false, logs: [], error: asRawError(error) }, [], positionOf(error));
  }

  if (deps.typecheck) {
    const verdict = await deps.typecheck({
      source: program.source,
      lineOffset: program.lineOffset,
      lines: code.split("\n").length,
    });
    warnings = verdict.warnings;
    if (verdict.blocked) {
      const { message, line, column } = verdict.blocked;
      const position = line === undefined ? undefined : { line, column: column ?? 1 };
      return finish({ ok: false, logs: [], error: { kind: "type", message } }, [], position);
    }
  }

  const bridge = new Bridge(deps.index, deps.limits, {
    ...(deps.approval && { approval: deps.approval }),
    ...(events && { onCall: (event) => events.push(event) }),
  });
  let outcome: RawOutcome;
  try {
    outcome = await deps.executor.run({
      js: program.js,
      apiPaths: deps.index.paths,
      bridge,
      limits: deps.limits,
      ...(deps.signal && { signal: deps.signal }),
      ...(events && { onLog: (entry) => events.push({ type: "log", ...entry }) }),
    });
  } catch (error) {
    outcome = { ok: false, logs: [], error: asRawError(error) };
  } finally {
    bridge.end();
  }
  const position = outcome.error ? program.positions.fromStack(outcome.error.stack) : undefined;
  return finish(outcome, bridge.trace, position);
}

function toResult(
  outcome: RawOutcome,
  toolCalls: ExecutionResult["toolCalls"],
  runtime: ExecutionResult["runtime"],
  ms: number,
  position?: { line: number; column: number },
): ExecutionResult {
  const result: ExecutionResult = {
    ok: outcome.ok,
    logs: outcome.logs,
    toolCalls,
    runtime: outcome.runtime ?? runtime,
    ms: Math.round(ms * 1000) / 1000,
  };
  if (outcome.ok && outcome.resultJson !== undefined) {
    try {
      result.result = JSON.parse(outcome.resultJson);
    } catch {
      result.ok = false;
      result.error = {
        kind: "executor",
        message: "The sandbox's result was not valid JSON; running the program again may work.",
      };
      return result;
    }
  }
  if (outcome.resultCut) result.resultCut = true;
  if (outcome.error) {
    result.error = { kind: outcome.error.kind, message: outcome.error.message };
    if (position) Object.assign(result.error, position);
  }
  if (outcome.fallback) result.fallback = outcome.fallback;
  return result;
}

function asRawError(error: unknown): NonNullable<RawOutcome["error"]> {
  if (CodeModeError.isInstance(error)) return { kind: error.kind, message: error.message };
  return { kind: "executor", message: error instanceof Error ? error.message : String(error) };
}

function positionOf(error: unknown): { line: number; column: number } | undefined {
  if (CodeModeError.isInstance(error) && error.line !== undefined)
    return { line: error.line, column: error.column ?? 1 };
  return undefined;
}
