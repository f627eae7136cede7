// A program that floods the vm runtime with calls must cost only itself: it ends close to its
// timeout, the host's memory stays put, and the programs right after it run normally.
import { afterEach, describe, expect, it } from "vitest";
import { resolveOptions } from "../../src/execute-code/options.ts";
import { runProgram } from "../../src/execute-code/run-program.ts";
import { ApiIndex, VmExecutor } from "../../src/index.ts";
import { testTools } from "../support/tools.ts";

const index = new ApiIndex(testTools().tools);
const TIMEOUT_S = 2;
const { limits } = resolveOptions({ timeout: TIMEOUT_S });
const rssMb = () => Math.round(process.memoryUsage().rss / 1e6);
// The promise of the issue: an overrunning program ends within its timeout plus 1.5 s. The host
// gives up on the child 1 s past the deadline; 300 ms more allow for a loaded machine (the old
// host waited 2 s, and so ended such a flood after 4 s).
const OVERRUN_MS = 1800;
let executor: VmExecutor | undefined;
afterEach(async () => {
  await executor?.close();
});

const normals = (count: number) =>
  Promise.all(
    Array.from({ length: count }, (_, i) =>
      runProgram(`return await api.add({ a: ${i}, b: 1000 });`, { index, executor: executor!, limits }),
    ),
  );

describe("vm runtime under a call flood", () => {
  it("ends the flood near its timeout, and the next programs never land on the dying child", async () => {
    executor = new VmExecutor({ processes: 2 });
    await executor.ready();
    const rssBefore = rssMb();
    const started = performance.now();
    const flood = await runProgram("await Promise.all(Array.from({ length: 300000 }, () => api.x({})));", {
      index,
      executor,
      limits,
    });
    const floodMs = performance.now() - started;
    const after = await normals(8);
    console.log(
      `[vm flood] ended as ${flood.error?.kind} after ${Math.round(floodMs)} ms; host RSS ${rssBefore} -> ${rssMb()} MB`,
    );
    expect(flood.ok).toBe(false);
    // Refused calls park in the sandbox: a flood may also fill its heap first. Any of these is fast.
    expect(["timeout", "limit", "memory"]).toContain(flood.error?.kind);
    expect(floodMs).toBeLessThan(TIMEOUT_S * 1000 + OVERRUN_MS);
    expect(after.map((r) => r.error?.message ?? r.result)).toEqual(after.map((_, i) => i + 1000));
  });

  it("lets the other programs on a child it gives up on end with their own verdicts", async () => {
    executor = new VmExecutor({ processes: 1 });
    await executor.ready();
    const flood = runProgram("await Promise.all(Array.from({ length: 300000 }, () => api.x({})));", {
      index,
      executor,
      limits,
    });
    // On the same child, with a deadline of its own far away; its timer is answered by the child's
    // event loop, which the flood clogs for a while.
    const patient = resolveOptions({ timeout: 8 }).limits;
    const started = performance.now();
    const other = runProgram("await new Promise((r) => setTimeout(r, 2500));\nreturn 'slept';", {
      index,
      executor,
      limits: patient,
    });
    expect((await flood).ok).toBe(false);
    // The flooded child has left the pool: the next program starts on its replacement at once.
    const [next] = await normals(1);
    expect(next?.result).toBe(1000);
    const otherResult = await other;
    console.log(
      `[vm flood] the other program ended after ${Math.round(performance.now() - started)} ms: ${otherResult.error?.message ?? otherResult.result}`,
    );
    // Its own result, or its own deadline (the clogged child never answered), which then says why.
    if (!otherResult.ok) {
      expect(otherResult.error?.kind).toBe("timeout");
      expect(otherResult.error?.message).toMatch(/had stopped answering because of another program/);
    } else {
      expect(otherResult.result).toBe("slept");
    }
  });

  it("stops a flood that outlives the call limit, holding only a bounded number of calls", async () => {
    executor = new VmExecutor({ processes: 1 });
    await executor.ready();
    const long = resolveOptions({ timeout: 30, maxToolCalls: 100 }).limits;
    const rssBefore = rssMb();
    const started = performance.now();
    const flood = await runProgram(
      "await Promise.all(Array.from({ length: 200000 }, () => api.add({ a: 1, b: 2 }).catch(() => 0)));",
      { index, executor, limits: long },
    );
    const floodMs = performance.now() - started;
    console.log(
      `[vm flood, caught] ended as ${flood.error?.kind} after ${Math.round(floodMs)} ms; host RSS ${rssBefore} -> ${rssMb()} MB`,
    );
    // The prelude refuses calls past the limit before they cross, so the caught refusals let the
    // program finish; if it did not, the host's own bound would end it as `limit`. Never a timeout.
    // 200,000 pending promises may also fill the sandbox's heap first: its own limit, not the host's.
    if (flood.ok) expect(flood.toolCalls.length).toBe(100);
    else if (flood.error?.kind !== "memory") {
      expect(flood.error?.kind).toBe("limit");
      expect(flood.error?.message).toMatch(/100 tool calls/);
    }
    // Never more than the limit reached the host, however it ended.
    expect(flood.toolCalls.length).toBeLessThanOrEqual(100);
    const [next] = await normals(1);
    expect(next?.result).toBe(1000);
  });
});
