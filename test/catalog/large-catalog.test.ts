// The large-catalog agent scenario (bench's catalog section) meets its targets: the model finds three
// tools it was not shown, in at most 3 model calls and under 15% of classic mode's prompt tokens.
import { afterAll, describe, expect, it } from "vitest";
import { corpusTools } from "../../bench/corpus.ts";
import { benchLargeCatalog } from "../../bench/scenarios/large-catalog.ts";
import { VmExecutor } from "../../src/index.ts";

const executor = new VmExecutor({ processes: 1 });
afterAll(() => executor.close());

describe.skipIf(!corpusTools())("the large-catalog scenario", () => {
  it("code mode searches, then calls the three tools: the same work as classic for a fraction of the tokens", async () => {
    const figures = (await benchLargeCatalog(executor))!;
    expect(figures.tools).toBe(258);
    expect(figures.classic.modelCalls).toBe(3);
    expect(figures.code.modelCalls).toBeLessThanOrEqual(3);
    // Three searches and one $describe, then three tool calls: two programs.
    expect(figures.code.toolCalls).toBe(7);
    expect(figures.code.promptTokens).toBeLessThanOrEqual(figures.classic.promptTokens * 0.15);
  });
});
