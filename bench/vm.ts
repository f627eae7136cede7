import vm from "node:vm";
import { ApiIndex } from "../src/bridge/api-index.ts";
import { Bridge } from "../src/bridge/bridge.ts";
import { resolveOptions } from "../src/execute-code/options.ts";
import { runProgram } from "../src/execute-code/run-program.ts";
import { VmExecutor } from "../src/runtimes/vm/vm-executor.ts";
import type { Tool } from "../src/tools/tool.ts";
import { transpile } from "../src/transpile/transpile.ts";
import { round, sample } from "./stats.ts";

export interface RuntimeFigures {
  p50Ms: number;
  p95Ms: number;
  baselineP50Ms: number;
  baselineP95Ms: number;
  callsPerSec: number;
  baselineCallsPerSec: number;
  /** Executions started back to back, without idle time between them. */
  backToBackP50Ms: number;
  baselineBackToBackP50Ms: number;
  /** The same program with a listener for its events and every call approved by a hook. */
  liveP50Ms?: number;
}

/** The benchmark's program: three dependent tool calls, with TypeScript syntax to strip. */
export const THREE_CALLS = `const a: number = await api.add({ a: 1, b: 2 });
const b = await api.add({ a, b: 3 } as { a: number; b: number });
return await api.add({ a: b, b: 4 });`;

const LOOP_CALLS = 10_000;
const LOOP = `let s = 0;\nfor (let i = 0; i < ${LOOP_CALLS}; i++) s = await api.add({ a: s, b: 1 });\nreturn s;`;

export const addTool: Tool<{ a: number; b: number }, number> = {
  name: "add",
  description: "Adds two numbers.",
  inputSchema: { type: "object", properties: { a: { type: "number" }, b: { type: "number" } }, required: ["a", "b"] },
  outputSchema: { type: "number" },
  execute: ({ a, b }) => a + b,
};

/**
 * The vm runtime against the unsafe approach it replaces, in one process: the same program,
 * transpiled the same way, on plain `node:vm` with the tools as host functions. A short idle gap
 * precedes each timed execution, as a model's turn would; back-to-back figures are given too.
 */
export async function benchVm(runs = 300): Promise<RuntimeFigures> {
  const index = new ApiIndex([addTool]);
  const { limits } = resolveOptions({ maxToolCalls: LOOP_CALLS + 10, timeout: 60 });
  const executor = new VmExecutor();
  await executor.ready();
  try {
    const isolated = (code: string) => async () => {
      const result = await runProgram(code, { index, executor, limits });
      if (!result.ok) throw new Error(`bench program failed: ${result.error?.message}`);
    };
    const plain = (code: string) => () => runOnNodeVm(code, index, limits);
    const gap = 2;
    const vmRun = await sample(isolated(THREE_CALLS), runs, 30, gap);
    const baseRun = await sample(plain(THREE_CALLS), runs, 30, gap);
    let events = 0;
    const live = async () => {
      const result = await runProgram(THREE_CALLS, {
        index,
        executor,
        limits,
        onEvent: () => void events++,
        approval: { askers: [() => true], timeoutMs: 1000 },
      });
      if (!result.ok || events === 0) throw new Error(`bench program failed: ${result.error?.message}`);
    };
    const liveRun = await sample(live, runs, 30, gap);
    const vmBurst = await sample(isolated(THREE_CALLS), runs, 10);
    const baseBurst = await sample(plain(THREE_CALLS), runs, 10);
    return {
      p50Ms: vmRun.p50,
      p95Ms: vmRun.p95,
      baselineP50Ms: baseRun.p50,
      baselineP95Ms: baseRun.p95,
      callsPerSec: await callsPerSecond(isolated(LOOP)),
      baselineCallsPerSec: await callsPerSecond(plain(LOOP)),
      backToBackP50Ms: vmBurst.p50,
      baselineBackToBackP50Ms: baseBurst.p50,
      liveP50Ms: liveRun.p50,
    };
  } finally {
    await executor.close();
  }
}

async function callsPerSecond(fn: () => Promise<unknown>): Promise<number> {
  await fn();
  const started = performance.now();
  await fn();
  return Math.round(LOOP_CALLS / ((performance.now() - started) / 1000));
}

/**
 * The baseline: what the original design did. No isolation (node:vm is not a security
 * boundary), no process hop; the same transpile, bridge and validation, for a fair comparison.
 */
async function runOnNodeVm(code: string, index: ApiIndex, limits: ReturnType<typeof resolveOptions>["limits"]) {
  const program = transpile(code);
  const bridge = new Bridge(index, limits);
  const api: Record<string, (input: unknown) => Promise<unknown>> = {};
  for (const path of index.paths) {
    const dotted = path.join(".");
    api[dotted] = async (input) => {
      const reply = JSON.parse(await bridge.call(dotted, JSON.stringify(input)));
      if (!reply.ok) throw new Error(reply.error.message);
      return reply.value;
    };
  }
  const context = vm.createContext({ api });
  const main = vm.runInContext(`(${program.js})`, context, { filename: "program.js" }) as () => Promise<unknown>;
  const value = await main();
  bridge.end();
  return round(Number(value));
}
