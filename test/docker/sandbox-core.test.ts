// What the shared sandbox core promises on both runtimes: console lines reach the host as they are
// written, and limits on calls hold inside the sandbox before anything crosses.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Bridge } from "../../src/bridge/bridge.ts";
import { resolveOptions } from "../../src/execute-code/options.ts";
import { ApiIndex, createExecutor, type Executor, type LogEntry, type Tool, transpile } from "../../src/index.ts";
import type { ExecutionLimits, RawOutcome } from "../../src/runtimes/executor.ts";
import { runtimesUnderTest } from "../support/runtimes.ts";
import { testTools } from "../support/tools.ts";

const runtimes = await runtimesUnderTest();

describe.each(runtimes)("the sandbox core on %s", (runtime) => {
  let executor: Executor;
  beforeAll(() => {
    executor = createExecutor({ runtime, docker: resolveOptions({}).docker });
  });
  afterAll(async () => {
    await executor?.close();
  });

  /** Runs `code` straight on the executor, with its own bridge over `tools`. */
  const run = async (
    code: string,
    tools: Tool[],
    options: { limits?: Partial<ExecutionLimits>; onLog?: (entry: LogEntry) => void } = {},
  ): Promise<{ outcome: RawOutcome; bridge: Bridge; crossed: number; ms: number }> => {
    const index = new ApiIndex(tools);
    const limits = { ...resolveOptions({ timeout: 20 }).limits, ...options.limits };
    const bridge = new Bridge(index, limits);
    // Counts what reached the host at all, refused by the bridge or not.
    let crossed = 0;
    const started = Date.now();
    const outcome = await executor.run({
      js: transpile(code).js,
      apiPaths: index.paths,
      bridge: {
        call: (path, args) => {
          crossed++;
          return bridge.call(path, args);
        },
        get dispatched() {
          return bridge.dispatched;
        },
      },
      limits,
      ...(options.onLog && { onLog: options.onLog }),
    });
    bridge.end();
    return { outcome, bridge, crossed, ms: Date.now() - started };
  };

  it("hands each console line to onLog as it is written, in order, before the outcome", async () => {
    // The program cannot go on until the host has seen its first line live.
    let seen!: () => void;
    const firstSeen = new Promise<void>((resolve) => {
      seen = resolve;
    });
    const gate: Tool = {
      name: "gate",
      description: "Opens once the host saw the first line.",
      inputSchema: { type: "object" },
      execute: () => firstSeen.then(() => "open"),
    };
    const live: string[] = [];
    let resolved = false;
    const { outcome } = await run(
      `console.log("first"); const g = await api.gate({}); console.warn("second", g); for (let i = 0; i < 3; i++) console.info("n" + i); return "done";`,
      [gate],
      {
        onLog: (entry) => {
          expect(resolved).toBe(false);
          live.push(`${entry.level}:${entry.message}`);
          if (entry.message === "first") seen();
        },
      },
    ).finally(() => {
      resolved = true;
    });
    expect(outcome.ok).toBe(true);
    expect(live).toEqual(["log:first", "warn:second open", "info:n0", "info:n1", "info:n2"]);
    expect(outcome.logs.map((entry) => `${entry.level}:${entry.message}`)).toEqual(live);
  });

  it("a throwing or slow onLog does not break the run", async () => {
    const code = `for (let i = 0; i < 5; i++) console.log("line " + i); return 7;`;
    const throwing = await run(code, [], {
      onLog: () => {
        throw new Error("listener failed");
      },
    });
    expect(throwing.outcome).toMatchObject({ ok: true, resultJson: "7" });
    expect(throwing.outcome.logs).toHaveLength(5);
    const slow = await run(code, [], {
      onLog: (() => new Promise((_, reject) => setTimeout(() => reject(new Error("late")), 50))) as never,
    });
    expect(slow.outcome).toMatchObject({ ok: true, resultJson: "7" });
    expect(slow.outcome.logs).toHaveLength(5);
  });

  it("a flood of 100,000 calls at once ends as a limit error before its timeout, and at most maxToolCalls cross", async () => {
    const { outcome, crossed } = await run(
      "await Promise.all(Array.from({ length: 100000 }, (_, i) => api.add({ a: i, b: 1 })));",
      testTools().tools,
      { limits: { timeoutMs: 30_000, maxToolCalls: 200 } },
    );
    // `limit`, not `timeout`: the flood ended on the call limit, refused inside the sandbox.
    expect(outcome.error?.kind).toBe("limit");
    expect(outcome.error?.message).toMatch(/already made 200 tool calls, the limit/);
    expect(crossed).toBeLessThanOrEqual(200);
  }, 60_000);

  it("an input over maxToolInputChars is refused inside the sandbox and never reaches the bridge", async () => {
    const { outcome, crossed } = await run(
      `try { await api.echo({ text: "x".repeat(5000) }); } catch (e) { return [e.name, e.message]; }`,
      testTools().tools,
      { limits: { maxToolInputChars: 1000 } },
    );
    expect(outcome.ok).toBe(true);
    expect(JSON.parse(outcome.resultJson!)).toEqual([
      "LimitError",
      expect.stringMatching(/^api\.echo got 5\d{3} characters of input, more than the 1000 a call may send/),
    ]);
    expect(crossed).toBe(0);
  });

  // Routes that got out of node:vm inside the container when the runner used it (both reached the
  // runner's process there): objects V8 makes in the runner's realm while it formats a stack. In an
  // isolate there is no second realm to reach.
  const PROCESS = `(fn) => { try { return typeof fn.constructor.constructor("return process")(); } catch { return "none"; } }`;
  it.each([
    [
      "a Proxy as name.toString, given the formatter's argument list",
      `const reach = ${PROCESS}; let seen = "not called";
       const e = new Error("x");
       e.name = { toString: new Proxy(function () { return "N"; }, { apply(_t, _self, args) { seen = reach(args); return "N"; } }) };
       try { String(e.stack); } catch {}
       return seen;`,
    ],
    [
      "an error whose name cannot be turned into a string",
      `const reach = ${PROCESS};
       const e = new Error("x"); e.name = Object.create(null);
       try { return String(e.stack).length > 0 ? "formatted" : "empty"; } catch (thrown) { return reach(thrown); }`,
    ],
  ])("%s reaches no process", async (_name, code) => {
    const { outcome } = await run(code, []);
    expect(outcome.ok).toBe(true);
    const said = JSON.parse(outcome.resultJson!);
    expect(said).not.toMatch(/object/);
  });
});
