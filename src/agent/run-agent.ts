import { generateText, type LanguageModel, type StepResult, stepCountIs, type ToolSet } from "ai";
import { ApprovalGate, type ApprovalHook, approvalSetup } from "../bridge/approval.ts";
import { type CodeModeToolOutput, createCodeModeTool } from "../execute-code/code-mode-tool.ts";
import type { ExecutionEvent } from "../execute-code/events.ts";
import { type CodeModeOptions, resolveOptions } from "../execute-code/options.ts";
import type { ExecutionResult } from "../runtimes/executor.ts";
import { ToolRegistry } from "../tools/registry.ts";
import type { Tool } from "../tools/tool.ts";
import { toAiSdkTool } from "./ai-sdk.ts";
import { type CallObserver, toClassicTools } from "./classic-tools.ts";
import { observedRegistry } from "./observed-registry.ts";

/** `classic`: the model sees every tool and calls them one round trip at a time. `code`: it sees `execute_code` only. */
export type AgentMode = "classic" | "code";

export interface RunAgentOptions {
  /** Any AI SDK language model (see `resolveModel` for the CLI's names). */
  model: LanguageModel;
  tools: ToolRegistry | Tool[];
  mode: AgentMode;
  /** The system prompt; default: a short one per mode. */
  system?: string;
  prompt: string;
  /** Model calls at most; default 20. */
  maxSteps?: number;
  /** Options of the `execute_code` tool in `code` mode (runtime, timeout, ...). */
  codeMode?: CodeModeOptions;
  /** Progress: each step, each program and its events, each tool call (inside programs too). */
  onEvent?: (event: AgentEvent) => void;
  /**
   * Asks a person about the calls `codeMode.approval.require` marks, in either mode (a terminal,
   * a UI), after `codeMode.approve`, which must agree too. A refused call is an error the model
   * (or its program) reads.
   */
  approve?: ApprovalHook;
  /**
   * Told when a call needs approval and neither `approve` nor `codeMode.approve` can answer: why
   * nobody can be asked and how to allow the call.
   */
  approvalUnavailable?: string;
  /** More tool patterns whose calls need approval in this run, in either mode (the CLI's --deny). */
  approvalRequire?: readonly string[];
  signal?: AbortSignal;
  /** Retries of a failed model call (the AI SDK's `maxRetries`); default 2. */
  maxRetries?: number;
}

export type AgentEvent =
  | { type: "step-start"; step: number }
  | { type: "step-end"; step: AgentStep }
  | { type: "program"; step: number; code: string }
  /** What the program is doing, as it happens: start, console lines, calls, approvals, end. */
  | { type: "program-event"; step: number; event: ExecutionEvent }
  | { type: "program-result"; step: number; result: ExecutionResult; text: string }
  | { type: "tool-call"; step: number; tool: string; input: unknown; inProgram: boolean }
  | { type: "tool-result"; step: number; tool: string; ok: boolean; ms: number; error?: string; inProgram: boolean };

/** One model call and the tool calls it asked for. */
export interface AgentStep {
  index: number;
  text: string;
  finishReason: string;
  /** What the model asked for: registry keys in classic mode, `execute_code` in code mode. */
  toolCalls: { tool: string; input: unknown }[];
  /** What went back to the model, as it read it. */
  toolResults: { tool: string; ok: boolean; output: string }[];
  usage: AgentUsage;
  ms: number;
}

/** Token counts as the provider reported them (absent when it did not). */
export interface AgentUsage {
  inputTokens?: number;
  outputTokens?: number;
  totalTokens?: number;
}

/** A host tool call, made by the model directly (classic) or by a program (code). */
export interface AgentToolCall {
  tool: string;
  ok: boolean;
  ms: number;
  step: number;
  /** Index into `programs` when a program made the call. */
  program?: number;
}

export interface AgentProgram {
  step: number;
  code: string;
  result: ExecutionResult;
}

export interface AgentRun {
  mode: AgentMode;
  /** The model's final answer. */
  text: string;
  finishReason: string;
  /** True when `maxSteps` ran out while the model still wanted tools. */
  stoppedAtMaxSteps: boolean;
  steps: AgentStep[];
  modelCalls: number;
  toolCalls: AgentToolCall[];
  programs: AgentProgram[];
  usage: AgentUsage;
  ms: number;
}

const SYSTEM: Record<AgentMode, string> = {
  classic: "You are an agent. Use the tools to complete the task, then answer briefly with the outcome.",
  code: "You are an agent. Complete the task with execute_code: write one TypeScript program that does every step through `api`. If it fails, read the error, fix the program and run it again. Then answer briefly with the outcome.",
};

/**
 * Runs one task on the AI SDK's tool loop (`generateText` with a step limit), in classic or code
 * mode, and reports what happened: answer, steps, model calls, tool calls (inside programs too),
 * usage and time. A failed program goes back to the model as its tool result, to be fixed.
 *
 * @example
 * import { runAgent } from "code-mode/ai";
 * const run = await runAgent({ model, tools: registry, mode: "code", prompt: "How many notes mention Ada?" });
 * console.log(run.text, run.modelCalls, run.programs.length);
 */
export async function runAgent(options: RunAgentOptions): Promise<AgentRun> {
  const started = performance.now();
  const maxSteps = options.maxSteps ?? 20;
  const source = options.tools instanceof ToolRegistry ? options.tools : new ToolRegistry(options.tools);
  const emit = (event: AgentEvent) => {
    try {
      options.onEvent?.(event);
    } catch {
      // A progress display that fails must not change the run.
    }
  };
  let step = 0;
  const toolCalls: AgentToolCall[] = [];
  const programs: AgentProgram[] = [];
  // In code mode every host call comes from a program; in classic mode none does.
  const inProgram = options.mode === "code";
  const observer: CallObserver = {
    start: (tool, input) => emit({ type: "tool-call", step, tool, input, inProgram }),
    end(tool, ok, ms, error) {
      emit({ type: "tool-result", step, tool, ok, ms, inProgram, ...(error !== undefined && { error }) });
      if (!inProgram) toolCalls.push({ tool, ok, ms, step });
    },
  };

  const asker = {
    ...(options.approve && { approve: options.approve }),
    ...(options.approvalUnavailable && { approvalUnavailable: options.approvalUnavailable }),
    ...(options.approvalRequire && { approvalRequire: options.approvalRequire }),
  };
  const cleanups: (() => Promise<void> | void)[] = [];
  let tools: ToolSet;
  let keyOf = (name: string) => name;
  if (options.mode === "classic") {
    // The model calls tools itself here: the approval policy guards them as it guards programs' calls.
    const resolved = resolveOptions(options.codeMode);
    const setup = approvalSetup(resolved.approval, resolved.approve, asker);
    // One gate for the whole run: questions one at a time, and an unanswered one ends the asking.
    const gate = setup && new ApprovalGate(setup, options.signal ?? new AbortController().signal);
    const classic = toClassicTools(source.list(), observer, gate);
    tools = classic.tools;
    keyOf = classic.keyOf;
  } else {
    const mirror = observedRegistry(source, observer);
    const codeTool = createCodeModeTool(mirror.registry, options.codeMode);
    cleanups.push(mirror.detach, () => codeTool.close());
    // generateText keeps final results only: the program's events go to onEvent instead.
    const sdkTool = toAiSdkTool(codeTool, { progress: false });
    sdkTool.execute = async (input, callOptions) => {
      const programStep = step;
      emit({ type: "program", step: programStep, code: input.code });
      const output = await codeTool.execute(input, {
        ...(callOptions.abortSignal && { signal: callOptions.abortSignal }),
        onEvent: (event) => emit({ type: "program-event", step: programStep, event }),
        ...asker,
      });
      const program = programs.push({ step: programStep, code: input.code, result: output.result }) - 1;
      for (const call of output.result.toolCalls) toolCalls.push({ ...call, step: programStep, program });
      emit({ type: "program-result", step: programStep, result: output.result, text: output.text });
      return output;
    };
    tools = { execute_code: sdkTool };
  }

  const stepStarts: number[] = [];
  const stepMs: number[] = [];
  try {
    const result = await generateText({
      model: options.model,
      instructions: options.system ?? SYSTEM[options.mode],
      prompt: options.prompt,
      tools,
      stopWhen: stepCountIs(maxSteps),
      maxRetries: options.maxRetries ?? 2,
      ...(options.signal && { abortSignal: options.signal }),
      onStepStart: (event) => {
        step = event.stepNumber;
        stepStarts[step] = performance.now();
        emit({ type: "step-start", step });
      },
      onStepEnd: (stepResult) => {
        const index = stepResult.stepNumber;
        stepMs[index] = round(performance.now() - (stepStarts[index] ?? started));
        emit({ type: "step-end", step: describeStep(stepResult, index, stepMs[index] ?? 0, keyOf) });
      },
    });
    const steps = result.steps.map((s, i) => describeStep(s, i, stepMs[i] ?? 0, keyOf));
    const last = result.steps.at(-1);
    return {
      mode: options.mode,
      text: result.text,
      finishReason: result.finishReason,
      stoppedAtMaxSteps: result.steps.length >= maxSteps && last?.finishReason === "tool-calls",
      steps,
      modelCalls: result.steps.length,
      toolCalls,
      programs,
      usage: usageOf(result.totalUsage),
      ms: round(performance.now() - started),
    };
  } finally {
    for (const cleanup of cleanups) await cleanup();
  }
}

function describeStep(s: StepResult<ToolSet>, index: number, ms: number, keyOf: (name: string) => string): AgentStep {
  const toolCalls: AgentStep["toolCalls"] = [];
  const toolResults: AgentStep["toolResults"] = [];
  for (const part of s.content) {
    if (part.type === "tool-call") toolCalls.push({ tool: keyOf(part.toolName), input: part.input });
    else if (part.type === "tool-result") toolResults.push({ tool: keyOf(part.toolName), ...readOutput(part.output) });
    else if (part.type === "tool-error")
      toolResults.push({ tool: keyOf(part.toolName), ok: false, output: errorText(part.error) });
  }
  return { index, text: s.text, finishReason: s.finishReason, toolCalls, toolResults, usage: usageOf(s.usage), ms };
}

function readOutput(output: unknown): { ok: boolean; output: string } {
  if (isCodeModeOutput(output)) return { ok: output.result.ok, output: output.text };
  return { ok: true, output: typeof output === "string" ? output : (JSON.stringify(output) ?? "undefined") };
}

function isCodeModeOutput(value: unknown): value is CodeModeToolOutput {
  return typeof value === "object" && value !== null && "text" in value && "result" in value;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function usageOf(usage: {
  inputTokens?: number | undefined;
  outputTokens?: number | undefined;
  totalTokens?: number | undefined;
}): AgentUsage {
  return {
    ...(usage.inputTokens !== undefined && { inputTokens: usage.inputTokens }),
    ...(usage.outputTokens !== undefined && { outputTokens: usage.outputTokens }),
    ...(usage.totalTokens !== undefined && { totalTokens: usage.totalTokens }),
  };
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
