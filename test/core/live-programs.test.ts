// Live programs on every runtime: events in order while a program runs (parallel calls, a failing
// tool, a timeout), and approvals (granted, refused, unanswered, the clock held while waiting,
// never a call run twice, no extra time for a busy loop).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveOptions } from "../../src/execute-code/options.ts";
import {
  type ApprovalHook,
  type CodeModeOptions,
  type CodeModeTool,
  createCodeModeTool,
  createExecutor,
  type ExecutionEvent,
  type Executor,
  type Tool,
  ToolRegistry,
} from "../../src/index.ts";
import { runtimesUnderTest } from "../support/runtimes.ts";
import { testTools } from "../support/tools.ts";

const runtimes = await runtimesUnderTest();

/** A tool with a side effect to count: how often it really ran. */
function writeTool(): { tool: Tool; writes: unknown[] } {
  const writes: unknown[] = [];
  return {
    writes,
    tool: {
      name: "write_file",
      namespace: "files",
      description: "Writes a file.",
      inputSchema: { type: "object", properties: { path: { type: "string" } }, required: ["path"] },
      execute: (input: unknown) => {
        writes.push(input);
        return "written";
      },
    },
  };
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The events with their time stamps and durations left out, for comparing orders. */
function shapes(events: ExecutionEvent[]): string[] {
  return events.map((event) => {
    switch (event.type) {
      case "log":
        return `log:${event.message}`;
      case "tool-start":
        return `start:${event.tool}#${event.id}`;
      case "tool-end":
        return `end:${event.tool}#${event.id}:${event.ok ? "ok" : "fail"}`;
      case "approval":
        return `approval:${event.tool}#${event.id}:${event.state}`;
      default:
        return event.type;
    }
  });
}

describe.each(runtimes)("live programs on %s", (runtime) => {
  const fixtures = testTools();
  const files = writeTool();
  const registry = new ToolRegistry([...fixtures.tools, files.tool]);
  let executor: Executor;
  const tools: CodeModeTool[] = [];
  const make = (options: CodeModeOptions = {}) => {
    const tool = createCodeModeTool(registry, { runtime: executor, typecheck: "off", timeout: 5, ...options });
    tools.push(tool);
    return tool;
  };

  beforeAll(async () => {
    executor = createExecutor({ runtime, docker: resolveOptions({}).docker });
    await (executor as Partial<{ ready(): Promise<void> }>).ready?.();
  });
  afterAll(async () => {
    await Promise.all(tools.map((tool) => tool.close()));
    await executor.close();
  });

  it("reports start, console lines, calls and the end in order, while the program runs", async () => {
    const tool = make();
    const events: ExecutionEvent[] = [];
    let seenBeforeEnd: string[] = [];
    const { result } = await tool.execute(
      {
        code: `console.log("first");
          const sums = await Promise.all([api.add({ a: 1, b: 2 }), api.slow({ ms: 30 }), api.add({ a: 3, b: 4 })]);
          console.warn("between");
          try { await api.fail({}); } catch (e) { console.log("caught"); }
          return sums;`,
      },
      {
        onEvent: (event) => {
          events.push(event);
          // The slow call is still running when its own start and the console line before it arrive.
          if (event.type === "tool-start" && event.tool === "slow") seenBeforeEnd = shapes(events);
        },
      },
    );
    expect(result.ok).toBe(true);
    const order = shapes(events);
    expect(order[0]).toBe("start");
    expect(order.at(-1)).toBe("end");
    expect(seenBeforeEnd).toContain("log:first");
    expect(seenBeforeEnd).not.toContain("end");
    // Parallel calls: each has a start before its end, with the same id, and ids are distinct.
    const starts = events.filter((e) => e.type === "tool-start");
    const ends = events.filter((e) => e.type === "tool-end");
    expect(starts.map((e) => e.tool)).toEqual(["add", "slow", "add", "fail"]);
    expect(new Set(starts.map((e) => e.id)).size).toBe(4);
    for (const start of starts) {
      const end = ends.find((e) => e.id === start.id)!;
      expect(events.indexOf(end)).toBeGreaterThan(events.indexOf(start));
    }
    const failed = ends.find((e) => e.tool === "fail")!;
    expect(failed).toMatchObject({ ok: false, error: expect.stringContaining("failed on purpose") });
    // Console lines keep their place among the calls.
    expect(order.indexOf("log:first")).toBeLessThan(order.indexOf(`start:add#${starts[0]!.id}`));
    expect(order.indexOf("log:between")).toBeGreaterThan(order.indexOf(`end:slow#${starts[1]!.id}:ok`));
    expect(order.indexOf("log:caught")).toBeGreaterThan(order.indexOf(`end:fail#${failed.id}:fail`));
    expect(events.at(-1)).toMatchObject({ type: "end", ok: true, runtime });
    // Time stamps never go back.
    for (let i = 1; i < events.length; i++) expect(events[i]!.at).toBeGreaterThanOrEqual(events[i - 1]!.at);
  });

  it("ends with the timeout's error, after the lines written before it", async () => {
    const tool = make({ timeout: 0.5 });
    const events: ExecutionEvent[] = [];
    const { result } = await tool.execute(
      { code: `console.log("going"); await api.slow({ ms: 10 }); while (true) {}` },
      { onEvent: (event) => void events.push(event) },
    );
    expect(result.error?.kind).toBe("timeout");
    expect(shapes(events)).toEqual(["start", "log:going", "start:slow#1", "end:slow#1:ok", "end"]);
    expect(events.at(-1)).toMatchObject({ type: "end", ok: false, error: { kind: "timeout" } });
  });

  it("a listener that throws, or is slow, changes nothing in the run and is reported once", async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on("warning", onWarning);
    try {
      const tool = make();
      const code = `for (let i = 0; i < 5; i++) console.log("line " + i); return await api.add({ a: 2, b: 2 });`;
      const throwing = () => {
        throw new Error("listener broke");
      };
      const first = await tool.execute({ code }, { onEvent: throwing });
      const second = await tool.execute({ code }, { onEvent: throwing });
      expect(first.result).toMatchObject({ ok: true, result: 4 });
      expect(second.result).toMatchObject({ ok: true, result: 4 });
      // A listener that never settles: the run still ends, its result intact.
      const stuck = await tool.execute({ code }, { onEvent: () => new Promise<void>(() => {}) });
      expect(stuck.result).toMatchObject({ ok: true, result: 4 });
      await wait(10);
      expect(warnings.filter((w) => w.includes("listener broke"))).toHaveLength(1);
    } finally {
      process.off("warning", onWarning);
    }
  });

  it("a flood of console lines reaches a slow listener cut to a bounded queue, the end always last", async () => {
    const tool = make({ maxLogChars: 1_000_000 });
    const events: ExecutionEvent[] = [];
    const { result } = await tool.execute(
      { code: `for (let i = 0; i < 3000; i++) console.log("x" + i); return "done";` },
      {
        onEvent: async (event) => {
          events.push(event);
          await wait(1);
        },
      },
    );
    expect(result).toMatchObject({ ok: true, result: "done" });
    expect(result.logs).toHaveLength(3000);
    // The listener is still behind when the result is back; the end comes to it last, in time.
    for (let i = 0; i < 200 && events.at(-1)?.type !== "end"; i++) await wait(50);
    const end = events.at(-1);
    expect(end?.type).toBe("end");
    // What the listener missed is counted, and nothing else is lost: start, 3000 lines, end.
    const dropped = (end as { dropped?: number }).dropped ?? 0;
    expect(dropped).toBeGreaterThan(0);
    expect(events.length + dropped).toBe(3002);
  });

  describe("approvals", () => {
    it("asks only for the calls the policy names; an approved call runs once, a refused one throws", async () => {
      const tool = make({ approval: { require: ["files.*"] } });
      const asked: string[] = [];
      files.writes.length = 0;
      const approve: ApprovalHook = ({ path, input }) => {
        asked.push(path);
        return (input as { path: string }).path === "ok.txt" ? true : { approved: false, reason: "not that file" };
      };
      const events: ExecutionEvent[] = [];
      const { result } = await tool.execute(
        {
          code: `const sum = await api.add({ a: 1, b: 1 });
            const first = await api.files.write_file({ path: "ok.txt" });
            let refused = "";
            try { await api.files.write_file({ path: "secret.txt" }); } catch (e) { refused = e.message; }
            return { sum, first, refused };`,
        },
        { approve, onEvent: (event) => void events.push(event) },
      );
      expect(asked).toEqual(["files.write_file", "files.write_file"]);
      expect(files.writes).toEqual([{ path: "ok.txt" }]);
      expect(result.ok).toBe(true);
      expect(result.result).toMatchObject({ sum: 2, first: "written" });
      expect((result.result as { refused: string }).refused).toMatch(
        /api\.files\.write_file was not approved \(not that file\)\. It did not run/,
      );
      expect(shapes(events).filter((s) => s.startsWith("approval"))).toEqual([
        "approval:files.write_file#2:asked",
        "approval:files.write_file#2:approved",
        "approval:files.write_file#3:asked",
        "approval:files.write_file#3:refused",
      ]);
    });

    it("waiting for a person does not count against the program's timeout", async () => {
      const tool = make({ timeout: 0.6, approval: { require: ["files.write_file"] } });
      files.writes.length = 0;
      const { result } = await tool.execute(
        { code: `await api.slow({ ms: 100 }); return await api.files.write_file({ path: "a" });` },
        { approve: () => wait(1500).then(() => true) },
      );
      expect(result).toMatchObject({ ok: true, result: "written" });
      expect(files.writes).toHaveLength(1);
      // The clock runs again after the answer: a loop after it still meets the timeout.
      const { result: looping } = await tool.execute(
        { code: `await api.files.write_file({ path: "b" }); while (true) {}` },
        { approve: () => wait(800).then(() => true) },
      );
      expect(looping.error?.kind).toBe("timeout");
    });

    it("the clock runs while the program does anything but wait: other calls in flight count", async () => {
      const tool = make({ timeout: 0.6, approval: { require: ["files.write_file"] } });
      files.writes.length = 0;
      let answered = false;
      const { result } = await tool.execute(
        {
          code: `const waiting = api.files.write_file({ path: "w" }).catch(() => "refused");
            for (;;) await api.slow({ ms: 50 });`,
        },
        {
          approve: (_request, { signal }) =>
            new Promise<boolean>((resolve) => {
              const timer = setTimeout(() => {
                answered = true;
                resolve(true);
              }, 4000);
              signal.addEventListener("abort", () => {
                clearTimeout(timer);
                resolve(false);
              });
            }),
        },
      );
      // Busy with other calls, the program met its 0.6 s timeout before the person's answer came.
      expect(result.error?.kind).toBe("timeout");
      expect(answered).toBe(false);
      expect(files.writes).toHaveLength(0);
    });

    it("the tool's own hook and the front end's person must both agree; without a rule only the hook is asked", async () => {
      const hookAsked: string[] = [];
      const personAsked: string[] = [];
      const hook: ApprovalHook = ({ input }) => {
        hookAsked.push((input as { path: string }).path);
        return (input as { path: string }).path !== "hook-says-no";
      };
      const person: ApprovalHook = ({ input }) => {
        personAsked.push((input as { path: string }).path);
        return (input as { path: string }).path !== "person-says-no";
      };
      files.writes.length = 0;
      const code = `const out = [];
        for (const path of ["fine", "hook-says-no", "person-says-no"]) {
          try { out.push(await api.files.write_file({ path })); } catch { out.push("refused"); }
        }
        return out;`;
      const guarded = make({ approve: hook, approval: { require: ["files.*"] } });
      const both = await guarded.execute({ code }, { approve: person });
      expect(both.result.result).toEqual(["written", "refused", "refused"]);
      expect(hookAsked).toEqual(["fine", "hook-says-no", "person-says-no"]);
      // The person is not asked about what the hook refused.
      expect(personAsked).toEqual(["fine", "person-says-no"]);

      hookAsked.length = 0;
      personAsked.length = 0;
      const hookOnly = make({ approve: hook });
      const plain = await hookOnly.execute({ code }, { approve: person });
      expect(plain.result.result).toEqual(["written", "refused", "written"]);
      expect(hookAsked).toEqual(["fine", "hook-says-no", "person-says-no"]);
      expect(personAsked).toEqual([]);
    });

    it("a busy loop while a call waits for approval still meets the timeout", async () => {
      const tool = make({ timeout: 0.5, approval: { require: ["files.write_file"], timeout: 30 } });
      let stoppedBy: unknown;
      const { result } = await tool.execute(
        { code: `api.files.write_file({ path: "x" }).catch(() => {}); while (true) {}` },
        {
          approve: (_request, { signal }) =>
            new Promise<boolean>((resolve) =>
              signal.addEventListener("abort", () => {
                stoppedBy = signal.reason;
                resolve(false);
              }),
            ),
        },
      );
      expect(result.error?.kind).toBe("timeout");
      await wait(50);
      // The question ended with the run (CPU counts while held), not at the 30 s approval bound.
      expect(stoppedBy).toBeDefined();
      expect((stoppedBy as { name?: string }).name).not.toBe("TimeoutError");
    });

    it("an unanswered approval fails the call after the bound, and the program goes on", async () => {
      const tool = make({ timeout: 2, approval: { require: ["files.write_file"], timeout: 0.3 } });
      files.writes.length = 0;
      const { result } = await tool.execute(
        {
          code: `try { await api.files.write_file({ path: "late" }); } catch (e) { return "caught: " + e.message; }`,
        },
        { approve: () => new Promise<boolean>(() => {}) },
      );
      expect(result.ok).toBe(true);
      expect(result.result).toMatch(
        /caught: api\.files\.write_file got no answer to its approval request within 0\.3 s \(codeMode\.approval\.timeout\); it did not run/,
      );
      expect(files.writes).toHaveLength(0);
    });

    it("after a request goes unanswered, the program's later requests are refused without asking", async () => {
      const tool = make({ timeout: 2, maxConcurrentCalls: 4, approval: { require: ["files.*"], timeout: 0.3 } });
      files.writes.length = 0;
      let asked = 0;
      const { result } = await tool.execute(
        {
          code: `const calls = Array.from({ length: 20 }, (_, i) => api.files.write_file({ path: "f" + i }));
            const settled = await Promise.allSettled(calls);
            return settled.map((s) => s.status === "rejected" && /not asked for|no answer/.test(s.reason.message));`,
        },
        {
          approve: () => {
            asked++;
            return new Promise<boolean>(() => {});
          },
        },
      );
      expect(result.ok).toBe(true);
      expect(result.result).toEqual(Array(20).fill(true));
      // Questions come one at a time: the first went unanswered, so no other was asked; nothing ran.
      expect(asked).toBe(1);
      expect(files.writes).toHaveLength(0);
    });

    it("with nobody to ask, a marked call is refused, saying why", async () => {
      const tool = make({ approval: { require: ["*.write_*"] } });
      const { result } = await tool.execute(
        { code: `return await api.files.write_file({ path: "a" });` },
        { approvalUnavailable: "this front end cannot ask anyone (test)" },
      );
      expect(result.error?.kind).toBe("tool");
      expect(result.error?.message).toMatch(
        /api\.files\.write_file needs a person's approval \(codeMode\.approval\.require\), and this front end cannot ask anyone \(test\)/,
      );
    });

    it("a predicate marks calls by their input", async () => {
      const tool = make({
        approval: { require: ({ input }) => (input as { path?: string }).path?.startsWith("/etc") === true },
      });
      const asked: string[] = [];
      const { result } = await tool.execute(
        {
          code: `await api.files.write_file({ path: "/tmp/a" });
            try { await api.files.write_file({ path: "/etc/passwd" }); } catch { return "refused"; }`,
        },
        {
          approve: ({ input }) => {
            asked.push((input as { path: string }).path);
            return false;
          },
        },
      );
      expect(result.result).toBe("refused");
      expect(asked).toEqual(["/etc/passwd"]);
    });
  });
});
