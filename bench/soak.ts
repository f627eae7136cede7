// The soak: runs the project as an operator would for a few minutes, ordinary and hostile programs
// mixed, on every runtime present, then loads `code-mode serve --http` with real MCP clients, some
// of which leave without closing. It prints a table and, last, one JSON line.
//
//   npm run soak -- [--vm-runs N] [--docker-runs N] [--concurrency N] [--http-clients N]
//                   [--http-calls N] [--abandoned N]        (a count of 0 skips that part)
//                   [--skip-case NAME]...                   (leaves a case out of the mix)
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { parseFlags, UsageError } from "../src/cli/usage.ts";
import type { ErrorKind } from "../src/errors.ts";
import { type CodeModeTool, createCodeModeTool } from "../src/execute-code/code-mode-tool.ts";
import type { ExecutionEvent, ExecutionEventListener } from "../src/execute-code/events.ts";
import { createExecutor } from "../src/runtimes/create-executor.ts";
import { createDocker, LABEL_OWNER, OWNER, pingEngine } from "../src/runtimes/docker/engine.ts";
import { resolveImage } from "../src/runtimes/docker/image.ts";
import type { ExecutionResult, Executor, RuntimeName } from "../src/runtimes/executor.ts";
import { VmExecutor } from "../src/runtimes/vm/vm-executor.ts";
import { DEFAULTS } from "../src/settings.ts";
import { ToolRegistry } from "../src/tools/registry.ts";
import type { Tool } from "../src/tools/tool.ts";
import { round } from "./stats.ts";

const TIMEOUT_S = 2;
const ROOMY_TIMEOUT_S = 10;
// The promise under test: every execution ends within its timeout plus this.
const OVERRUN_MS = 1500;
const RSS_TARGET_MB = 50;
const ROOT = fileURLToPath(new URL("..", import.meta.url));

type Expected = ErrorKind | "ok";

interface SoakCase {
  name: string;
  code: string;
  /** The kind the execution must end with ("ok": it succeeds). */
  expect: Expected;
  /** How often it comes up, relative to the others. */
  weight: number;
  /**
   * Its timeout, when not the usual one: a heap limit is met at a garbage collection, which a
   * loaded machine runs late, so memory bombs get room to end as what they are.
   */
  timeoutS?: number;
  /** What else must hold for an expected success. */
  check?(result: ExecutionResult): boolean;
}

// The same programs on every runtime: ordinary work first, then attacks on the host.
const CASES: SoakCase[] = [
  {
    name: "three dependent calls",
    code: "const a: number = await api.add({ a: 1, b: 2 });\nconst b = await api.add({ a, b: 3 });\nreturn await api.add({ a: b, b: 4 });",
    expect: "ok",
    weight: 12,
    check: (r) => r.result === 10,
  },
  {
    name: "parallel calls",
    code: "const r = await Promise.all(Array.from({ length: 20 }, (_, i) => api.add({ a: i, b: 1 })));\nreturn r.reduce((s, x) => s + x, 0);",
    expect: "ok",
    weight: 8,
    check: (r) => r.result === 210,
  },
  {
    name: "logs and a caught tool error",
    code: "console.log('start', { n: 1 });\ntry { await api.fail({}); } catch (e) { console.warn(e.message); }\nreturn 'recovered';",
    expect: "ok",
    weight: 6,
    check: (r) => r.result === "recovered" && r.logs.length === 2,
  },
  {
    name: "enum (esbuild path)",
    code: "enum Size { S = 1, L = 3 }\nreturn await api.add({ a: Size.S, b: Size.L });",
    expect: "ok",
    weight: 4,
    check: (r) => r.result === 4,
  },
  { name: "syntax error", code: "return (1 +;", expect: "syntax", weight: 3 },
  { name: "uncaught throw", code: "throw new TypeError('nope');", expect: "runtime", weight: 3 },
  { name: "wrong tool input", code: "return await api.add({ a: '1', b: 2 });", expect: "type", weight: 3 },
  {
    name: "escape attempts",
    code: "return [typeof process, typeof require, this.constructor.constructor('return typeof process')(), api.add.constructor('return typeof process')()];",
    expect: "ok",
    weight: 3,
    check: (r) => JSON.stringify(r.result) === JSON.stringify(["undefined", "undefined", "undefined", "undefined"]),
  },
  {
    name: "huge result",
    code: "return 'x'.repeat(5_000_000);",
    expect: "ok",
    weight: 2,
    check: (r) => r.resultCut === true,
  },
  {
    name: "huge logs",
    code: "for (let i = 0; i < 100_000; i++) console.log('line', i, { i });\nreturn 'done';",
    expect: "ok",
    weight: 2,
    check: (r) => r.result === "done" && /cut/.test(r.logs.at(-1)?.message ?? ""),
  },
  { name: "infinite loop", code: "while (true) {}", expect: "timeout", weight: 2 },
  {
    name: "loop after an await",
    code: "await api.add({ a: 1, b: 1 });\nfor (;;) {}",
    expect: "timeout",
    weight: 1,
  },
  {
    name: "memory bomb (arrays)",
    code: "const keep = [];\nwhile (true) keep.push(new Array(1_000_000).fill(keep.length));",
    expect: "memory",
    weight: 1,
    timeoutS: ROOMY_TIMEOUT_S,
  },
  {
    name: "memory bomb (string doubling)",
    code: "let s = 'x';\nwhile (true) s += s;",
    expect: "memory",
    weight: 1,
    timeoutS: ROOMY_TIMEOUT_S,
  },
  {
    name: "call flood",
    code: "await Promise.all(Array.from({ length: 300_000 }, () => api.add({ a: 1, b: 2 })));",
    expect: "limit",
    weight: 1,
  },
];

// Run alone, between drained batches: it kills the runtime's own processes mid-run.
const CRASH: SoakCase = {
  name: "runtime process killed mid-run",
  code: "await api.started({});\nawait new Promise((r) => setTimeout(r, 1500));\nreturn 'survived';",
  expect: "executor",
  weight: 0,
};

// The crash case calls `started` once it runs, so the harness kills processes with a program on them.
let onStarted: (() => void) | undefined;
const tools: Tool[] = [
  {
    name: "started",
    description: "Tells the soak that the program runs.",
    inputSchema: { type: "object" },
    execute: () => {
      onStarted?.();
      return true;
    },
  },
  {
    name: "add",
    description: "Adds two numbers.",
    inputSchema: { type: "object", properties: { a: { type: "number" }, b: { type: "number" } }, required: ["a", "b"] },
    execute: ({ a, b }: { a: number; b: number }) => a + b,
  },
  {
    name: "echo",
    description: "Returns its input.",
    inputSchema: { type: "object" },
    execute: (input: unknown) => input,
  },
  {
    name: "fail",
    description: "Always fails.",
    inputSchema: { type: "object" },
    execute: () => {
      throw new Error("the fail tool failed on purpose");
    },
  },
];

interface CaseTally {
  runs: number;
  asExpected: number;
  /** Kinds seen when not as expected ("ok" for an unexpected success, "ok?" for a failed check). */
  otherwise: Record<string, number>;
  /** The first message seen for each unexpected kind, to tell causes apart. */
  samples: Record<string, string>;
}

interface RuntimeSoak {
  runtime: RuntimeName;
  executions: number;
  asExpected: number;
  asExpectedPct: number;
  pastDeadline: number;
  slowestOverrunMs: number;
  /** Executions whose events broke their order (start first, end last, each call started before it ended). */
  eventOrderBroken: number;
  /** Approvals asked (of the `fail` tool, by the tool's hook) while everything else ran. */
  approvalsAsked: number;
  rssAfterWarmUpMb: number;
  rssEndMb: number;
  rssGrowthMb: number;
  concurrent: { runs: number; matched: number };
  leftovers: { processes: number; containers: number };
  seconds: number;
  cases: Record<string, CaseTally>;
}

interface HttpSoak {
  clients: number;
  callsPerClient: number;
  calls: number;
  callsFailed: number;
  abandoned: number;
  refusedWhileIdle: number;
  newClientAfterAbandoned: boolean;
  maxListenersWarnings: number;
  leftovers: number;
  seconds: number;
}

interface Report {
  machine: { cores: number; loadAtStart: number; loadAtEnd?: number };
  runtimes: RuntimeSoak[];
  skipped: Record<string, string>;
  http?: HttpSoak;
}

function machine(): Report["machine"] {
  return { cores: availableParallelism(), loadAtStart: round(loadavg()[0]!, 1) };
}

/** `npm run soak` / `code-mode bench --soak`. */
export async function soakCommand(argv: string[]): Promise<number> {
  const { values } = parseFlags(
    argv,
    {
      "vm-runs": { type: "string" },
      "docker-runs": { type: "string" },
      concurrency: { type: "string" },
      "http-clients": { type: "string" },
      "http-calls": { type: "string" },
      abandoned: { type: "string" },
      "skip-case": { type: "string", multiple: true },
    },
    false,
  );
  const count = (name: keyof typeof values, fallback: number) => {
    const text = values[name] as string | undefined;
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!Number.isInteger(n) || n < 0)
      throw new UsageError(`--${name} is "${text}"; expected a whole number (0 skips).`);
    return n;
  };
  const vmRuns = count("vm-runs", 1000);
  const dockerRuns = count("docker-runs", 200);
  const concurrency = Math.max(1, count("concurrency", 8));
  const httpClients = count("http-clients", 16);
  const httpCalls = count("http-calls", 50);
  const abandoned = count("abandoned", 100);
  // Leaving a case out shows what the others do without it (e.g. the co-runners of call floods).
  const skipped = values["skip-case"] ?? [];
  for (const name of skipped) {
    if (!CASES.some((c) => c.name === name)) {
      throw new UsageError(
        `--skip-case "${name}" is not a case; the cases are: ${CASES.map((c) => c.name).join(", ")}.`,
      );
    }
  }
  const kept = CASES.filter((c) => !skipped.includes(c.name));

  const report: Report = { machine: machine(), runtimes: [], skipped: {} };
  if (vmRuns > 0) report.runtimes.push(await soakRuntime("vm", vmRuns, concurrency, kept));
  if (dockerRuns > 0) {
    const why = await dockerUnavailable();
    if (why) {
      report.skipped.docker = why;
      progress(`soak: docker skipped: ${why}`);
    } else {
      report.runtimes.push(await soakRuntime("docker", dockerRuns, Math.min(concurrency, 4), kept));
    }
  }
  if (httpClients > 0) report.http = await soakHttp(httpClients, httpCalls, abandoned);
  // Timings mean little on a machine busier than its cores: the load is part of the figures.
  report.machine.loadAtEnd = round(loadavg()[0]!, 1);
  process.stdout.write(`${formatTable(report)}\n`);
  process.stdout.write(`${JSON.stringify(report)}\n`);
  return 0;
}

function progress(text: string): void {
  process.stderr.write(`${text}\n`);
}

async function dockerUnavailable(): Promise<string | undefined> {
  const client = createDocker();
  try {
    await pingEngine(client, 3000);
    await resolveImage(client, DEFAULTS.docker.image);
    return undefined;
  } catch (error) {
    return (error instanceof Error ? error.message : String(error)).split("\n")[0]!.split(". ")[0]!;
  }
}

/** A deterministic weighted sequence of cases (the same run to run). */
function schedule(runs: number, cases: SoakCase[]): SoakCase[] {
  const total = cases.reduce((sum, c) => sum + c.weight, 0);
  let seed = 12345;
  const next = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  return Array.from({ length: runs }, () => {
    let pick = next() * total;
    for (const c of cases) {
      pick -= c.weight;
      if (pick < 0) return c;
    }
    return cases[0]!;
  });
}

function kindOf(result: ExecutionResult, soakCase: SoakCase): string {
  if (!result.ok) return result.error?.kind ?? "executor";
  return !soakCase.check || soakCase.check(result) ? "ok" : "ok?";
}

async function soakRuntime(
  runtime: RuntimeName,
  runs: number,
  concurrency: number,
  mix: SoakCase[],
): Promise<RuntimeSoak> {
  progress(`soak: ${runtime}: ${runs} mixed executions, ${concurrency} at once…`);
  const begun = performance.now();
  const childrenBefore = children();
  const executor: Executor =
    runtime === "vm"
      ? new VmExecutor({ memoryLimitMb: 64 })
      : createExecutor({
          runtime: "docker",
          // A container per execution in flight, as an operator running this many at once would set.
          docker: { ...DEFAULTS.docker, poolSize: concurrency },
          limits: { memoryLimitMb: 64 },
        });
  const registry = new ToolRegistry(tools);
  // Live programs under load: every execution has a listener, and calls to `fail` wait for a
  // hook's approval (a few ms), so events and approvals run beside floods, bombs and crashes.
  let approvalsAsked = 0;
  const tool = createCodeModeTool(registry, {
    runtime: executor,
    timeout: TIMEOUT_S,
    memoryLimit: 64,
    approval: { require: ["fail"] },
    approve: async () => {
      approvalsAsked++;
      await sleep(Math.random() * 3);
      return true;
    },
  });
  const roomyTool = createCodeModeTool(registry, { runtime: executor, timeout: ROOMY_TIMEOUT_S, memoryLimit: 64 });
  const cases: Record<string, CaseTally> = {};
  let asExpected = 0;
  let pastDeadline = 0;
  let slowestOverrunMs = 0;
  let eventOrderBroken = 0;
  const runOne = async (soakCase: SoakCase, during?: () => Promise<void>) => {
    const begun = performance.now();
    const timeoutS = soakCase.timeoutS ?? TIMEOUT_S;
    const order = eventOrderCheck();
    const running = (timeoutS === TIMEOUT_S ? tool : roomyTool).execute(
      { code: soakCase.code },
      { onEvent: order.listener },
    );
    await during?.();
    const { result } = await running;
    if (!order.kept()) eventOrderBroken++;
    const ms = performance.now() - begun;
    const overrun = ms - timeoutS * 1000;
    slowestOverrunMs = Math.max(slowestOverrunMs, overrun);
    if (overrun > OVERRUN_MS) pastDeadline++;
    const kind = kindOf(result, soakCase);
    cases[soakCase.name] ??= { runs: 0, asExpected: 0, otherwise: {}, samples: {} };
    const tally = cases[soakCase.name]!;
    tally.runs++;
    if (kind === soakCase.expect) {
      tally.asExpected++;
      asExpected++;
    } else {
      tally.otherwise[kind] = (tally.otherwise[kind] ?? 0) + 1;
      tally.samples[kind] ??= (result.error?.message ?? JSON.stringify(result.result) ?? "").slice(0, 200);
    }
  };

  const plan = schedule(runs, mix);
  const warmUp = Math.min(100, Math.floor(runs / 10));
  const crashEvery = 100;
  let rssAfterWarmUpMb = rssMb();
  let done = 0;
  for (let batchStart = 0; batchStart < plan.length; batchStart += crashEvery) {
    const batch = plan.slice(batchStart, batchStart + crashEvery);
    let nextIndex = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (nextIndex < batch.length) {
          const soakCase = batch[nextIndex++]!;
          await runOne(soakCase);
          if (++done === warmUp) rssAfterWarmUpMb = rssMb();
        }
      }),
    );
    // Drained: the crash runs alone, so only its own execution is on the processes it kills.
    const started = new Promise<void>((resolve) => {
      onStarted = resolve;
    });
    await runOne(CRASH, async () => {
      await Promise.race([started, sleep(10_000)]);
      await sleep(100);
      await crashRuntime(runtime, executor);
    });
    progress(`soak: ${runtime}: ${Math.min(batchStart + crashEvery, plan.length)}/${plan.length}`);
  }

  // 32 at once, each result checked against its own program (with room to get 32 containers).
  const matched = await concurrentMatch(roomyTool, 32);
  const rssEndMb = rssMb();
  await tool.close();
  await roomyTool.close();
  await executor.close();
  const leftovers = {
    processes: children().filter((line) => !childrenBefore.includes(line)).length,
    containers: runtime === "docker" ? await ourContainers() : 0,
  };
  const executions = runs + Math.ceil(runs / crashEvery);
  return {
    runtime,
    executions,
    asExpected,
    asExpectedPct: round((100 * asExpected) / executions, 2),
    pastDeadline,
    slowestOverrunMs: Math.round(slowestOverrunMs),
    eventOrderBroken,
    approvalsAsked,
    rssAfterWarmUpMb,
    rssEndMb,
    rssGrowthMb: rssEndMb - rssAfterWarmUpMb,
    concurrent: { runs: 32, matched },
    leftovers,
    seconds: round((performance.now() - begun) / 1000, 1),
    cases,
  };
}

/** Kills the runtime's own processes from outside: the vm's children, or the docker containers. */
async function crashRuntime(runtime: RuntimeName, executor: Executor): Promise<void> {
  if (runtime === "vm") {
    const vm = executor as VmExecutor;
    const killed = vm.processIds;
    for (const pid of killed) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    }
    // Until their exit is seen, the host cannot know they are gone; the soak measures what comes
    // after a crash, not a program sent in the milliseconds between the kill and its notice.
    const deadline = performance.now() + 5000;
    while (vm.processIds.some((pid) => killed.includes(pid)) && performance.now() < deadline) await sleep(10);
    return;
  }
  const docker = createDocker();
  const running = await docker.listContainers({ filters: { label: [`${LABEL_OWNER}=${OWNER}`] } });
  await Promise.allSettled(running.map((info) => docker.getContainer(info.Id).kill()));
}

async function concurrentMatch(tool: CodeModeTool, runs: number): Promise<number> {
  const results = await Promise.all(
    Array.from({ length: runs }, (_, i) =>
      tool.execute({
        code: `const tag = "run-${i}";\nconsole.log(tag);\nconst echoed = await api.echo({ tag, n: ${i} });\nawait new Promise((r) => setTimeout(r, ${i % 7} * 5));\nreturn { tag: echoed.tag, sum: await api.add({ a: echoed.n, b: ${i} }) };`,
      }),
    ),
  );
  const wrong = results.find(({ result }) => !result.ok);
  if (wrong) progress(`soak: a concurrent execution failed: ${wrong.result.error?.message.slice(0, 300)}`);
  return results.filter(
    ({ result }, i) =>
      result.ok &&
      JSON.stringify(result.result) === JSON.stringify({ tag: `run-${i}`, sum: 2 * i }) &&
      result.logs.length === 1 &&
      result.logs[0]!.message === `run-${i}`,
  ).length;
}

async function soakHttp(clientCount: number, callsPerClient: number, abandonedCount: number): Promise<HttpSoak> {
  progress(
    `soak: http: ${clientCount} clients × ${callsPerClient} calls, then ${abandonedCount} that leave without closing…`,
  );
  const started = performance.now();
  const dir = mkdtempSync(join(tmpdir(), "code-mode-soak-"));
  const config = join(dir, "code-mode.json5");
  writeFileSync(config, JSON.stringify({ codeMode: { runtime: "vm" }, tools: [join(ROOT, "examples/tools.ts")] }));
  const serve = spawn(
    process.execPath,
    [join(ROOT, "bin/code-mode.js"), "serve", "--config", config, "--http", "127.0.0.1:0"],
    {
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  let stderr = "";
  const url = await new Promise<string>((resolve, reject) => {
    serve.stderr!.on("data", (chunk) => {
      stderr += String(chunk);
      const found = /at (http:\/\/\S+)/.exec(stderr);
      if (found) resolve(found[1]!);
    });
    serve.once("exit", () => reject(new Error(`serve exited: ${stderr}`)));
  });
  let refusedWhileIdle = 0;
  const connect = async (): Promise<Client | undefined> => {
    const client = new Client({ name: "soak", version: "1.0.0" });
    client.onerror = () => {};
    try {
      await client.connect(
        new StreamableHTTPClientTransport(new URL(url), {
          reconnectionOptions: {
            maxRetries: 0,
            initialReconnectionDelay: 1000,
            maxReconnectionDelay: 1000,
            reconnectionDelayGrowFactor: 1,
          },
        }),
      );
      return client;
    } catch (error) {
      // Every client here is idle or done when another connects: any 503 is a refusal while idle ones exist.
      if ((error as { code?: number }).code === 503) refusedWhileIdle++;
      return undefined;
    }
  };
  const call = async (client: Client, i: number): Promise<boolean> => {
    try {
      const answer = await client.callTool({
        name: "execute_code",
        arguments: {
          code: `const notes = await api.memory_read({ tag: "ada" });\nreturn { i: ${i}, notes: notes.length };`,
        },
      });
      const result = answer.structuredContent as unknown as ExecutionResult | undefined;
      return !answer.isError && result?.ok === true && (result.result as { i: number }).i === i;
    } catch {
      return false;
    }
  };

  let callsFailed = 0;
  const active = await Promise.all(Array.from({ length: clientCount }, connect));
  await Promise.all(
    active.map(async (client) => {
      for (let i = 0; i < callsPerClient; i++) if (!client || !(await call(client, i))) callsFailed++;
    }),
  );
  await Promise.all(active.map((client) => client?.close()));

  // Clients that leave without a DELETE: half drop their connection, half keep their stream open.
  const left: Client[] = [];
  for (let i = 0; i < abandonedCount; i++) {
    const client = await connect();
    if (client) left.push(client);
  }
  await Promise.all(left.filter((_, i) => i % 2 === 0).map((client) => client.close()));
  const fresh = await connect();
  const newClientAfterAbandoned = fresh !== undefined && (await call(fresh, 7));
  await fresh?.close();
  await Promise.all(left.map((client) => client.close()));

  const below = descendants(serve.pid!);
  const exited = new Promise<void>((resolve) => serve.once("exit", () => resolve()));
  serve.kill("SIGTERM");
  await exited;
  await sleep(200);
  rmSync(dir, { recursive: true, force: true });
  return {
    clients: clientCount,
    callsPerClient,
    calls: clientCount * callsPerClient,
    callsFailed,
    abandoned: abandonedCount,
    refusedWhileIdle,
    newClientAfterAbandoned,
    maxListenersWarnings: (stderr.match(/MaxListenersExceededWarning/g) ?? []).length,
    leftovers: below.filter(alive).length,
    seconds: round((performance.now() - started) / 1000, 1),
  };
}

function formatTable(report: Report): string {
  const lines: string[] = [
    `${report.machine.cores} cores; load average ${report.machine.loadAtStart} at the start, ${report.machine.loadAtEnd} at the end`,
    "",
  ];
  const row = (cells: (string | number)[]) => lines.push(`| ${cells.join(" | ")} |`);
  row(["runtime", "figure", "measured", "target", "met?"]);
  row(["---", "---", "---", "---", "---"]);
  const yes = (ok: boolean) => (ok ? "yes" : "no");
  for (const r of report.runtimes) {
    row([r.runtime, "executions (mixed, hostile included)", `${r.executions} in ${r.seconds} s`, "", ""]);
    row([
      r.runtime,
      "ended with the expected kind",
      `${r.asExpected} (${r.asExpectedPct} %)`,
      "100 %",
      yes(r.asExpected === r.executions),
    ]);
    row([
      r.runtime,
      `past timeout + ${OVERRUN_MS / 1000} s`,
      `${r.pastDeadline} (worst overrun ${r.slowestOverrunMs} ms)`,
      "0",
      yes(r.pastDeadline === 0),
    ]);
    row([
      r.runtime,
      `events out of order (listener on every execution; ${r.approvalsAsked} approvals asked)`,
      String(r.eventOrderBroken),
      "0",
      yes(r.eventOrderBroken === 0),
    ]);
    row([
      r.runtime,
      "host RSS growth after warm-up",
      `${r.rssGrowthMb} MB (${r.rssAfterWarmUpMb} → ${r.rssEndMb})`,
      `≤ ${RSS_TARGET_MB} MB`,
      yes(r.rssGrowthMb <= RSS_TARGET_MB),
    ]);
    row([
      r.runtime,
      "32 at once, result matches its program",
      `${r.concurrent.matched}/32`,
      "32/32",
      yes(r.concurrent.matched === 32),
    ]);
    row([
      r.runtime,
      "leftovers after close (processes, containers)",
      `${r.leftovers.processes}, ${r.leftovers.containers}`,
      "0, 0",
      yes(r.leftovers.processes + r.leftovers.containers === 0),
    ]);
    for (const [name, tally] of Object.entries(r.cases)) {
      if (tally.asExpected === tally.runs) continue;
      const seen = Object.entries(tally.otherwise)
        .map(([kind, n]) => `${n}× ${kind}`)
        .join(", ");
      row([r.runtime, `  unexpected: ${name}`, `${tally.runs - tally.asExpected}/${tally.runs} (${seen})`, "0", "no"]);
      for (const [kind, message] of Object.entries(tally.samples)) {
        row([r.runtime, `    e.g. ${kind}`, message.slice(0, 110).replace(/\|/g, "/").replace(/\n/g, " "), "", ""]);
      }
    }
  }
  for (const [runtime, why] of Object.entries(report.skipped)) row([runtime, "skipped", why, "", ""]);
  const h = report.http;
  if (h) {
    row([
      "http",
      `MCP calls failed (${h.clients} clients × ${h.callsPerClient})`,
      `${h.callsFailed}/${h.calls}`,
      "0",
      yes(h.callsFailed === 0),
    ]);
    row([
      "http",
      `sessions refused while idle ones exist (${h.abandoned} abandoned)`,
      h.refusedWhileIdle,
      "0",
      yes(h.refusedWhileIdle === 0),
    ]);
    row([
      "http",
      "a new client after the abandoned ones works",
      yes(h.newClientAfterAbandoned),
      "yes",
      yes(h.newClientAfterAbandoned),
    ]);
    row([
      "http",
      "MaxListenersExceededWarning printed",
      h.maxListenersWarnings,
      "0",
      yes(h.maxListenersWarnings === 0),
    ]);
    row(["http", "serve's processes left after SIGTERM", h.leftovers, "0", yes(h.leftovers === 0)]);
  }
  return lines.join("\n");
}

/** Host RSS in MB, after a collection when `--expose-gc` allows one. */
function rssMb(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return Math.round(process.memoryUsage().rss / 1e6);
}

/** This process's children, zombies included, as `ps` lists them (`ps` itself aside). */
function children(): string[] {
  let table = "";
  try {
    table = execFileSync("ps", ["--ppid", String(process.pid), "-o", "pid=,args="], { encoding: "utf8" });
  } catch {
    // ps exits 1 when there is none.
  }
  return table
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !/^\d+ ps /.test(line));
}

function descendants(pid: number): number[] {
  const table = execFileSync("ps", ["-A", "-o", "pid=,ppid="], { encoding: "utf8" })
    .trim()
    .split("\n")
    .map((line) => line.trim().split(/\s+/).map(Number) as [number, number]);
  const found: number[] = [];
  const walk = (parent: number) => {
    for (const [child, ppid] of table) {
      if (ppid === parent) {
        found.push(child);
        walk(child);
      }
    }
  };
  walk(pid);
  return found;
}

async function ourContainers(): Promise<number> {
  const docker = createDocker();
  return (await docker.listContainers({ all: true, filters: { label: [`${LABEL_OWNER}=${OWNER}`] } })).length;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// Run directly (`node bench/soak.ts`, as `npm run soak` does) rather than imported by bench/main.ts.
if (import.meta.url === `file://${process.argv[1]}`) {
  soakCommand(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: Error) => {
      process.stderr.write(`soak: ${error instanceof UsageError ? error.message : (error.stack ?? error.message)}\n`);
      process.exit(error instanceof UsageError ? 2 : 1);
    },
  );
}

/**
 * A listener that checks one execution's events: start first, end last and nothing after it,
 * and every call's end after its start. Dropped events (a flood) are allowed: order is what counts.
 */
function eventOrderCheck(): { listener: ExecutionEventListener; kept(): boolean } {
  let broken = false;
  let seen = 0;
  let ended = false;
  let unpaired = false;
  const started = new Set<number>();
  const listener = (event: ExecutionEvent) => {
    if (ended || (seen++ === 0 && event.type !== "start")) broken = true;
    if (event.type === "tool-start") started.add(event.id);
    if (event.type === "tool-end" && !started.has(event.id)) unpaired = true;
    if (event.type === "end") {
      ended = true;
      // A start the queue dropped leaves its end unpaired; that is a drop, not disorder.
      if (unpaired && !event.dropped) broken = true;
    }
  };
  return { listener, kept: () => !broken && ended };
}
