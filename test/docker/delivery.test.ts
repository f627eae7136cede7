// Every result and every console line up to the limits arrives, every time (issue 12): the runner
// once exited before its last message left the pipe, losing about one large result in three.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveOptions } from "../../src/execute-code/options.ts";
import { type CodeModeTool, createCodeModeTool, createExecutor, type Executor, ToolRegistry } from "../../src/index.ts";
import { runtimesUnderTest } from "../support/runtimes.ts";
import { testTools } from "../support/tools.ts";

const runtimes = await runtimesUnderTest();
// A one-in-three loss survives ten tries with odds of (2/3)^10, under 2 %.
const TRIES = 10;

const objects = (count: number) =>
  `return Array.from({ length: ${count} }, (_, i) => ({ id: i, name: "item-" + i, done: i % 2 === 0 }));`;
const expected = (count: number) =>
  Array.from({ length: count }, (_, i) => ({ id: i, name: `item-${i}`, done: i % 2 === 0 }));
// 600 lines of 99 characters plus their numbers: about 60 KB of console output.
const LOG_PROGRAM = `for (let i = 0; i < 600; i++) console.log(String(i).padStart(4, "0") + " " + "x".repeat(95)); return "logged";`;
const line = (i: number) => `${String(i).padStart(4, "0")} ${"x".repeat(95)}`;

describe.each(runtimes)("results and logs arrive whole on %s", (runtime) => {
  let executor: Executor;
  let roomy: CodeModeTool;
  let tight: CodeModeTool;

  beforeAll(async () => {
    executor = createExecutor({ runtime, docker: resolveOptions({}).docker });
    const registry = new ToolRegistry(testTools().tools);
    roomy = createCodeModeTool(registry, {
      runtime: executor,
      timeout: 20,
      maxResultChars: 2_000_000,
      maxLogChars: 100_000,
    });
    tight = createCodeModeTool(registry, {
      runtime: executor,
      timeout: 20,
      maxResultChars: 50_000,
      maxLogChars: 10_000,
    });
  });
  afterAll(async () => {
    await roomy?.close();
    await tight?.close();
    await executor?.close();
  });

  it.each([1000, 3000, 20_000])(
    "a result of %i objects, ten times in a row",
    async (count) => {
      const want = expected(count);
      for (let i = 0; i < TRIES; i++) {
        const { result } = await roomy.execute({ code: objects(count) });
        expect(result.error).toBeUndefined();
        expect(result.resultCut).toBeUndefined();
        expect(result.result).toEqual(want);
      }
    },
    120_000,
  );

  it("60 KB of console output, every line in order", async () => {
    const want = Array.from({ length: 600 }, (_, i) => ({ level: "log", message: line(i) }));
    for (let i = 0; i < TRIES; i++) {
      const { result } = await roomy.execute({ code: LOG_PROGRAM });
      expect(result.error).toBeUndefined();
      expect(result.result).toBe("logged");
      expect(result.logs).toEqual(want);
    }
  }, 120_000);

  it("past the limits, the result and the logs arrive cut and say so", async () => {
    for (let i = 0; i < TRIES; i++) {
      const big = (await tight.execute({ code: objects(20_000) })).result;
      expect(big.ok).toBe(true);
      expect(big.resultCut).toBe(true);
      // A cut result arrives as the first maxResultChars of the JSON, as a string.
      expect(typeof big.result).toBe("string");
      expect(big.result).toHaveLength(50_000);
      expect(JSON.stringify(expected(20_000)).startsWith(big.result as string)).toBe(true);

      const logged = (await tight.execute({ code: LOG_PROGRAM })).result;
      expect(logged.result).toBe("logged");
      expect(logged.logs.at(-1)?.message).toMatch(/console output cut here/);
      const kept = logged.logs.slice(0, -1);
      expect(kept.length).toBeGreaterThan(90);
      kept.slice(0, -1).forEach((entry, n) => {
        expect(entry.message).toBe(line(n));
      });
      expect(kept.reduce((sum, entry) => sum + entry.message.length, 0)).toBeLessThanOrEqual(10_000);
    }
  }, 120_000);
});
