import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AgentMode, runAgent } from "../src/agent/run-agent.ts";
import { connectMcpServers } from "../src/mcp/client.ts";
import type { Executor } from "../src/runtimes/executor.ts";
import { VmExecutor } from "../src/runtimes/vm/vm-executor.ts";
import { ToolRegistry } from "../src/tools/registry.ts";
import { SCENARIOS, type Scenario, type ScenarioContext } from "./scenarios/scenarios.ts";
import { codeModel, ScriptedModel } from "./scenarios/scripted-model.ts";
import { createWorkspace } from "./scenarios/workspace.ts";

/** One mode's figures for a scenario (or the total). */
export interface ModeFigures {
  /** Round trips to the model. */
  modelCalls: number;
  /** Host tool calls, inside programs too. */
  toolCalls: number;
  /** Tokens of every prompt the model received (o200k_base): tool definitions, messages, fed-back results. */
  promptTokens: number;
  /** Tokens the model wrote: its answers, tool-call arguments and programs. */
  completionTokens: number;
}

export interface ScenarioFigures {
  kind: string;
  classic: ModeFigures;
  code: ModeFigures;
}

/** Per scenario, by name, then `total`; every figure is a deterministic count. */
export type AgentBench = Record<string, ScenarioFigures>;

const require = createRequire(import.meta.url);

/**
 * Runs every scenario in classic and in code mode with scripted models on the real agent loop,
 * tools and sandbox, and counts model calls, tool calls and tokens. Both modes must leave the
 * world in the same state, or the run throws: the figures compare equal work.
 */
export async function benchAgent(options: { scenarios?: Scenario[] } = {}): Promise<AgentBench> {
  const executor = new VmExecutor({ processes: 1 });
  const dir = mkdtempSync(join(tmpdir(), "code-mode-bench-agent-"));
  const ctx: ScenarioContext = { filesDir: writeFiles(dir) };
  const report: AgentBench = {};
  const total: ScenarioFigures = { kind: "all scenarios", classic: zero(), code: zero() };
  try {
    for (const scenario of options.scenarios ?? SCENARIOS) {
      const classic = await runScenario(scenario, "classic", ctx, executor, dir);
      const code = await runScenario(scenario, "code", ctx, executor, dir);
      if (JSON.stringify(classic.state) !== JSON.stringify(code.state)) {
        throw new Error(
          `Scenario ${scenario.name}: the two modes did different work.\nclassic: ${JSON.stringify(classic.state)}\ncode: ${JSON.stringify(code.state)}`,
        );
      }
      report[scenario.name] = { kind: scenario.kind, classic: classic.figures, code: code.figures };
      add(total.classic, classic.figures);
      add(total.code, code.figures);
    }
  } finally {
    await executor.close();
    rmSync(dir, { recursive: true, force: true });
  }
  report.total = total;
  return report;
}

async function runScenario(scenario: Scenario, mode: AgentMode, ctx: ScenarioContext, executor: Executor, dir: string) {
  const world = await openWorld(scenario, mode, ctx, dir);
  try {
    const model =
      mode === "classic"
        ? new ScriptedModel(`${scenario.name}/classic`, scenario.classic(ctx))
        : (() => {
            const { programs, respond } = scenario.code(ctx);
            return codeModel(scenario.name, programs, respond);
          })();
    const run = await runAgent({
      model,
      tools: world.registry,
      mode,
      prompt: scenario.task(ctx),
      codeMode: { runtime: executor },
    });
    if (run.finishReason !== "stop" || !run.text) {
      throw new Error(`Scenario ${scenario.name} (${mode}) ended without an answer (${run.finishReason}).`);
    }
    const figures: ModeFigures = {
      modelCalls: run.modelCalls,
      toolCalls: run.toolCalls.length,
      promptTokens: model.calls.reduce((sum, c) => sum + c.prompt, 0),
      completionTokens: model.calls.reduce((sum, c) => sum + c.completion, 0),
    };
    return { figures, state: await world.state(), text: run.text };
  } finally {
    await world.close();
  }
}

interface OpenWorld {
  registry: ToolRegistry;
  state(): Promise<unknown>;
  close(): Promise<void>;
}

async function openWorld(scenario: Scenario, mode: AgentMode, ctx: ScenarioContext, dir: string): Promise<OpenWorld> {
  if (scenario.world === "office") {
    const office = createWorkspace();
    return { registry: new ToolRegistry(office.tools), state: async () => office.state(), close: async () => {} };
  }
  // The real MCP reference servers: files read-only from the shared folder, a fresh memory graph per run.
  const registry = new ToolRegistry();
  const warnings: string[] = [];
  const memoryFile = join(dir, `memory-${scenario.name}-${mode}.jsonl`);
  const servers = await connectMcpServers(
    {
      files: {
        command: "node",
        args: [require.resolve("@modelcontextprotocol/server-filesystem/dist/index.js"), ctx.filesDir],
      },
      memory: {
        command: "node",
        args: [require.resolve("@modelcontextprotocol/server-memory/dist/index.js")],
        env: { MEMORY_FILE_PATH: memoryFile },
      },
    },
    registry,
    { onWarning: (message) => warnings.push(message) },
  );
  if (!registry.has("files.read_multiple_files") || !registry.has("memory.read_graph")) {
    await servers.close();
    throw new Error(`The MCP reference servers did not start: ${warnings.join("; ") || "no tools listed"}`);
  }
  return {
    registry,
    state: async () => registry.get("memory.read_graph")!.execute({}, { signal: new AbortController().signal }),
    close: () => servers.close(),
  };
}

function writeFiles(dir: string): string {
  const files = join(dir, "files");
  mkdirSync(files);
  writeFileSync(
    join(files, "team.md"),
    "# Team\n- Ada: analytics lead\n- Grace: compiler engineer\n- Linus: kernel maintainer\n",
  );
  writeFileSync(join(files, "projects.md"), "# Projects\n- atlas: Ada, Grace\n- beacon: Linus\n- comet: Ada, Linus\n");
  writeFileSync(join(files, "budget.csv"), "project,eur\natlas,120000\nbeacon,80000\n");
  return files;
}

function zero(): ModeFigures {
  return { modelCalls: 0, toolCalls: 0, promptTokens: 0, completionTokens: 0 };
}

function add(into: ModeFigures, from: ModeFigures): void {
  into.modelCalls += from.modelCalls;
  into.toolCalls += from.toolCalls;
  into.promptTokens += from.promptTokens;
  into.completionTokens += from.completionTokens;
}

/** The figures as a side-by-side table (Markdown), for a terminal or BENCHMARKS.md. */
export function formatAgentBench(bench: AgentBench): string {
  const rows = [
    "| scenario | kind | model calls (classic / code) | tool calls (classic / code) | prompt tokens (classic / code) | completion tokens (classic / code) |",
    "| --- | --- | --- | --- | --- | --- |",
  ];
  for (const [name, s] of Object.entries(bench)) {
    const pair = (key: keyof ModeFigures) => `${s.classic[key]} / ${s.code[key]}`;
    const label = name === "total" ? "**total**" : name;
    rows.push(
      `| ${label} | ${s.kind} | ${pair("modelCalls")} | ${pair("toolCalls")} | ${pair("promptTokens")} | ${pair("completionTokens")} |`,
    );
  }
  return rows.join("\n");
}
