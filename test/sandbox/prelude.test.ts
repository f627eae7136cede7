// The prelude in a real isolate, with a host function that records everything that crosses: what
// the sandbox refuses, parks or cuts must never reach the host at all. (The hostile suite checks
// the same rules end to end on every runtime; there, what crossed cannot be seen.)
import ivm from "isolated-vm";
import { afterEach, describe, expect, it } from "vitest";
import { callLimitMessage, inputLimitMessage } from "../../src/sandbox/limit-messages.ts";
import type { PreludeOptions } from "../../src/sandbox/prelude.ts";
import { preludeSource } from "../../src/sandbox/prelude-source.ts";

interface Crossing {
  kind: string;
  id: number;
  a: string;
  b: string;
}

const isolates: ivm.Isolate[] = [];
afterEach(() => {
  for (const isolate of isolates.splice(0)) if (!isolate.isDisposed) isolate.dispose();
});

const LIMITS = {
  maxResultChars: 10_000,
  maxLogChars: 5_000,
  maxToolCalls: 1000,
  maxConcurrentCalls: 16,
  maxToolInputChars: 100_000,
};

/**
 * Runs `body` (the inside of an async function) under the prelude. Every call is answered with
 * `{ ok: true, value: 1 }` a little later, in the order it came; `done` ends the run.
 */
async function runInIsolate(body: string, limits: Partial<PreludeOptions> = {}, memoryLimit = 128) {
  const isolate = new ivm.Isolate({ memoryLimit });
  isolates.push(isolate);
  const context = isolate.createContextSync();
  const crossings: Crossing[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let finish!: (json: string) => void;
  const outcome = new Promise<string>((resolve) => {
    finish = resolve;
  });
  let deliver!: ivm.Reference<(id: number, json: string) => void>;
  const answer = (id: number, json: string) => {
    if (!isolate.isDisposed) deliver.applyIgnored(undefined, [id, json]);
  };
  context.global.setSync(
    "__cm_send",
    new ivm.Callback(
      (kind: string, id: number, a: string, b: string) => {
        crossings.push({ kind, id, a, b });
        if (kind === "call") {
          maxInFlight = Math.max(maxInFlight, ++inFlight);
          setTimeout(() => {
            inFlight--;
            answer(id, '{"ok":true,"value":1}');
          }, 1);
        } else if (kind === "sleep") {
          setTimeout(() => answer(id, ""), Number(a));
        } else if (kind === "done") {
          finish(a);
        }
      },
      { ignored: true },
    ),
  );
  deliver = isolate.compileScriptSync(preludeSource()).runSync(context, { reference: true });
  const options = JSON.stringify({ ...LIMITS, ...limits, apiPaths: [["add"], ["files", "read"]], runId: 7 });
  await isolate.compileScriptSync(`__codeModeFinish(${options}, async function __main() {\n${body}\n});`).run(context);
  const json = await outcome;
  const largest = Math.max(0, ...crossings.map((crossing) => crossing.a.length + crossing.b.length));
  return { outcome: JSON.parse(json), crossings, maxInFlight, largest };
}

const calls = (crossings: Crossing[]) => crossings.filter((crossing) => crossing.kind === "call");

describe("the prelude inside a real isolate", () => {
  it("answers with the outcome and the run id it was given", async () => {
    const run = await runInIsolate("return [await api.add({ a: 1 }), await api.files.read({})];");
    expect(run.outcome).toEqual({ ok: true, resultJson: "[1,1]" });
    expect(run.crossings.at(-1)).toMatchObject({ kind: "done", id: 7 });
    expect(calls(run.crossings).map((call) => call.a)).toEqual(["add", "files.read"]);
  });

  it("sends no call past maxToolCalls, and fails the flood with the bridge's words", async () => {
    const run = await runInIsolate("await Promise.all(Array.from({ length: 100_000 }, () => api.add({})));", {
      maxToolCalls: 50,
    });
    expect(run.outcome.error).toEqual(expect.objectContaining({ kind: "limit", message: callLimitMessage("add", 50) }));
    expect(calls(run.crossings).length).toBeLessThanOrEqual(50);
  });

  it("keeps at most maxConcurrentCalls calls at the host and parks the rest inside", async () => {
    const run = await runInIsolate(
      "const r = await Promise.all(Array.from({ length: 40 }, (_, i) => api.add({ i }))); return r.length;",
      { maxConcurrentCalls: 3 },
    );
    expect(run.outcome).toEqual({ ok: true, resultJson: "40" });
    expect(calls(run.crossings).length).toBe(40);
    expect(run.maxInFlight).toBe(3);
    // Parked calls leave in the order they were made.
    expect(calls(run.crossings).map((call) => JSON.parse(call.b).i)).toEqual(Array.from({ length: 40 }, (_, i) => i));
  });

  it("refuses an oversized input before it crosses", async () => {
    const run = await runInIsolate("await api.add({ s: 'x'.repeat(1000) });", { maxToolInputChars: 100 });
    expect(run.outcome.error).toEqual(
      expect.objectContaining({ kind: "limit", message: inputLimitMessage("add", 1008, 100) }),
    );
    expect(calls(run.crossings)).toEqual([]);
  });

  it("never lets a 50 MB result or 50 MB of logs cross whole", async () => {
    const result = await runInIsolate("return 'x'.repeat(50_000_000);", {}, 512);
    expect(result.outcome).toMatchObject({ ok: true, resultCut: true });
    expect(result.largest).toBeLessThanOrEqual(LIMITS.maxResultChars + 100);
    const logs = await runInIsolate(
      "const line = 'y'.repeat(1_000_000); for (let i = 0; i < 50; i++) console.log(line); return 'logged';",
      {},
      512,
    );
    expect(logs.outcome).toEqual({ ok: true, resultJson: '"logged"' });
    const logged = logs.crossings.filter((crossing) => crossing.kind === "log");
    expect(logged.reduce((sum, log) => sum + log.b.length, 0)).toBeLessThanOrEqual(LIMITS.maxLogChars + 100);
    expect(logged.at(-1)?.b).toMatch(/output cut/);
  });
});
