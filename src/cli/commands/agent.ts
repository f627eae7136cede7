import { chooseModelName, describeModelError, resolveModel } from "../../agent/model.ts";
import { type AgentEvent, type AgentMode, type AgentRun, runAgent } from "../../agent/run-agent.ts";
import { loadCodeMode } from "../../config/open-code-mode.ts";
import { eventLine } from "../../execute-code/event-line.ts";
import { resolveOptions } from "../../execute-code/options.ts";
import { APPROVAL_FLAGS, commandApprovals, readApprovalFlags } from "../approval-flags.ts";
import { closeOnSignals } from "../shutdown.ts";
import { printable, type Terminal } from "../terminal.ts";
import { parseFlags, readSettingFlags, settingFlags, UsageError } from "../usage.ts";

/** The settings `agent` offers as flags. */
export const AGENT_SETTINGS = ["runtime", "approval.timeout"] as const;

/**
 * `code-mode agent "TASK"`: runs the task on a model in classic or code mode, with progress on
 * standard error and the answer (or, with --json, the whole run) on standard output.
 */
export async function agentCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(argv, {
    mode: { type: "string" },
    model: { type: "string" },
    config: { type: "string" },
    tools: { type: "string", multiple: true },
    ...settingFlags(AGENT_SETTINGS),
    "max-steps": { type: "string" },
    ...APPROVAL_FLAGS,
    json: { type: "boolean" },
  });
  if (positionals.length !== 1 || !positionals[0]?.trim()) {
    throw new UsageError('agent needs the task as one argument, in quotes: code-mode agent "what to do".');
  }
  const mode = (values.mode ?? "code") as AgentMode;
  if (mode !== "classic" && mode !== "code")
    throw new UsageError(`--mode is "${values.mode}"; expected classic or code.`);
  const maxSteps = values["max-steps"] === undefined ? 20 : Number(values["max-steps"]);
  if (!Number.isInteger(maxSteps) || maxSteps < 1) {
    throw new UsageError(`--max-steps is "${values["max-steps"]}"; expected a whole number of at least 1.`);
  }
  const overrides = readSettingFlags(values, AGENT_SETTINGS);
  const { require, flags } = readApprovalFlags(values, (message) => new UsageError(message));
  if (require) overrides.approval = { ...overrides.approval, require };

  // The agent makes its own execute_code tool (code mode only): the session starts no runtime.
  const session = await loadCodeMode({
    ...(values.config && { configFile: values.config }),
    toolModules: values.tools ?? [],
    overrides,
  });
  const abort = new AbortController();
  const removeHandlers = closeOnSignals(async () => {
    abort.abort();
    await session.close();
  });
  // Calls the policy marks are decided by --deny/--approve, else asked on the terminal.
  const policy = resolveOptions(session.options).approval;
  const onTerminal = process.stderr.isTTY === true;
  const { terminal, context: approval } = commandApprovals("agent", flags, policy, onTerminal);
  try {
    const resolved = resolveModel(chooseModelName(values.model, session.config.model));
    // Progress goes where it always went, standard error; through the terminal when that is it.
    const progress = new Progress(mode, onTerminal ? terminal : undefined);
    progress.start(resolved.provider, resolved.modelId, resolved.endpoint, session.registry.size);
    let run: AgentRun;
    try {
      run = await runAgent({
        model: resolved.model,
        tools: session.registry,
        mode,
        prompt: positionals[0],
        maxSteps,
        codeMode: session.options,
        onEvent: (event) => progress.show(event),
        ...approval,
        signal: abort.signal,
      });
    } catch (error) {
      const message = describeModelError(error, resolved);
      if (!message) throw error;
      process.stderr.write(`code-mode agent: ${message}\n`);
      return 2;
    }
    progress.end(run);
    if (values.json) {
      const out = { model: { provider: resolved.provider, id: resolved.modelId, endpoint: resolved.endpoint }, ...run };
      process.stdout.write(`${JSON.stringify(out)}\n`);
    } else {
      process.stdout.write(`${run.text.trimEnd()}\n`);
    }
    return run.stoppedAtMaxSteps ? 1 : 0;
  } finally {
    terminal?.close();
    removeHandlers();
    await session.close();
  }
}

/** The running commentary on standard error: each step, each program, each call. */
class Progress {
  readonly #mode: AgentMode;
  // Through the terminal when there is one, so no line breaks into an approval prompt.
  readonly #terminal: Terminal | undefined;
  // A person watching sees programs' console lines and approvals live; logs keep the old lines.
  readonly #live = process.stderr.isTTY === true;

  constructor(mode: AgentMode, terminal: Terminal | undefined) {
    this.#mode = mode;
    this.#terminal = terminal;
  }

  start(provider: string, modelId: string, endpoint: string, tools: number): void {
    this.#write(
      `${this.#mode} mode, ${provider} model ${modelId} at ${endpoint}, ${tools} tool${tools === 1 ? "" : "s"}`,
    );
  }

  show(event: AgentEvent): void {
    switch (event.type) {
      case "step-start":
        this.#write(`step ${event.step + 1}: asking the model`);
        break;
      case "program": {
        const lines = event.code.split("\n");
        this.#write(`  program (${lines.length} line${lines.length === 1 ? "" : "s"}):`);
        for (const line of lines.slice(0, 40)) this.#write(`    | ${line}`);
        if (lines.length > 40) this.#write(`    | … ${lines.length - 40} more lines`);
        break;
      }
      case "program-event":
        // Calls have their own lines (tool-call, tool-result), start and end the program's.
        if (this.#live && (event.event.type === "log" || event.event.type === "approval"))
          this.#write(`    ${eventLine(event.event)}`);
        break;
      case "tool-call":
        this.#write(`${event.inProgram ? "    " : "  "}→ ${event.tool} ${preview(event.input)}`);
        break;
      case "tool-result":
        this.#write(
          `${event.inProgram ? "    " : "  "}${event.ok ? "✓" : "✗"} ${event.tool} (${event.ms} ms)${event.error ? `: ${firstLine(event.error)}` : ""}`,
        );
        break;
      case "program-result": {
        const r = event.result;
        const calls = `${r.toolCalls.length} call${r.toolCalls.length === 1 ? "" : "s"}, ${r.ms} ms`;
        if (r.ok) this.#write(`  program ok (${calls})`);
        else {
          const where = r.error?.line === undefined ? "" : ` at line ${r.error.line}`;
          this.#write(`  program failed (${calls}): ${r.error?.kind}${where}: ${firstLine(r.error?.message ?? "")}`);
        }
        break;
      }
      case "step-end":
        if (event.step.toolCalls.length === 0) this.#write(`  answered (${event.step.ms} ms)`);
        break;
    }
  }

  end(run: AgentRun): void {
    const tokens = run.usage.inputTokens === undefined ? "" : `, ${run.usage.inputTokens} input tokens`;
    const programs =
      run.mode === "code" ? `, ${run.programs.length} program${run.programs.length === 1 ? "" : "s"}` : "";
    this.#write(
      `done: ${run.modelCalls} model calls, ${run.toolCalls.length} tool calls${programs}${tokens}, ${(run.ms / 1000).toFixed(1)} s`,
    );
    if (run.stoppedAtMaxSteps)
      this.#write("stopped: the step limit ran out before the model answered (raise --max-steps)");
  }

  #write(line: string): void {
    // Code, console lines and errors come from the model and its programs: never raw to a terminal.
    if (this.#terminal) this.#terminal.say(printable(line));
    else process.stderr.write(`${process.stderr.isTTY ? printable(line) : line}\n`);
  }
}

function preview(input: unknown): string {
  const text = JSON.stringify(input) ?? "";
  return text.length > 120 ? `${text.slice(0, 120)}…` : text;
}

function firstLine(text: string): string {
  return text.split("\n")[0] ?? "";
}
