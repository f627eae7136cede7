// One case per attack, on every runtime: each asserts the error kind (or the harmless result),
// and afterwards that the host lives on and the next program runs normally.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveOptions } from "../src/execute-code/options.ts";
import { type CodeModeTool, createCodeModeTool, createExecutor, type Executor, ToolRegistry } from "../src/index.ts";
import { runtimesUnderTest } from "./support/runtimes.ts";
import { testTools } from "./support/tools.ts";

const runtimes = await runtimesUnderTest();
const TIMEOUT_S = 2;
// The host's promise: every program ends within its timeout plus a small grace.
const GRACE_MS = 3000;

describe.each(runtimes)("hostile programs on %s", (runtime) => {
  const fixtures = testTools();
  let executor: Executor;
  let tool: CodeModeTool;
  // Memory bombs get more time: the heap limit is met at a garbage collection, which a loaded
  // machine runs late; the point there is the kind, not the speed.
  let roomyTool: CodeModeTool;
  const run = async (code: string) => (await tool.execute({ code })).result;
  const runRoomy = async (code: string) => (await roomyTool.execute({ code })).result;

  beforeAll(async () => {
    executor = createExecutor({ runtime, docker: resolveOptions({}).docker });
    // The type check is no wall: the sandbox must hold on its own, so these programs reach it.
    tool = createCodeModeTool(new ToolRegistry(fixtures.tools), {
      runtime: executor,
      typecheck: "off",
      timeout: TIMEOUT_S,
      memoryLimit: 64,
      maxToolCalls: 200,
      maxConcurrentCalls: 4,
      maxLogChars: 5000,
      maxResultChars: 10_000,
      maxToolInputChars: 100_000,
      toolCallTimeout: 1,
    });
    roomyTool = createCodeModeTool(new ToolRegistry(fixtures.tools), {
      runtime: executor,
      typecheck: "off",
      timeout: 20,
      memoryLimit: 64,
    });
  });
  afterAll(async () => {
    await tool.close();
    await roomyTool.close();
    await executor.close();
  });

  // After every attack: the same runtime still answers a plain program.
  const stillWorks = async () => {
    const after = await run("return await api.add({ a: 40, b: 2 });");
    expect(after.ok).toBe(true);
    expect(after.result).toBe(42);
  };

  describe("escapes", () => {
    it.each([
      ["the global's constructor", "return this.constructor.constructor('return typeof process')();"],
      ["Function on globalThis", "return Function('return typeof process + typeof require')();"],
      ["a bridged function's constructor", "return api.add.constructor('return typeof process')();"],
      [
        "a bridged promise's constructor",
        "const p = api.add({ a: 1, b: 2 }); await p; return p.constructor.constructor('return typeof process')();",
      ],
      [
        "a result's constructor",
        "const r = await api.echo({ x: 1 }); return r.constructor.constructor('return typeof process')();",
      ],
      ["console's constructor", "return console.log.constructor('return typeof process')();"],
    ])("%s reaches no host", async (_name, code) => {
      const result = await run(code);
      expect(result.ok).toBe(true);
      expect(result.result).toMatch(/^undefined/);
      expect(result.result).not.toContain("object");
      await stillWorks();
    });

    it("a tool error's constructor and stack reach no host", async () => {
      const result = await run(`
        try { await api.fail({}); } catch (e) {
          return [e.constructor.constructor("return typeof process")(), typeof e.stack, e.message];
        }`);
      expect(result.ok).toBe(true);
      expect(result.result).toEqual(["undefined", "string", "api.fail failed: the fail tool failed on purpose"]);
      await stillWorks();
    });

    it("Error.prepareStackTrace sees only sandbox frames", async () => {
      const result = await run(`
        Error.prepareStackTrace = (error, frames) => frames.map((f) => {
          const fn = f.getFunction?.();
          const self = f.getThis?.();
          return [typeof fn === "function" ? fn.constructor("return typeof process")() : "none",
                  self && self.constructor ? self.constructor.constructor("return typeof require")() : "none"];
        });
        try { await api.fail({}); } catch (e) { return JSON.stringify(e.stack) + JSON.stringify(new Error("x").stack); }`);
      expect(result.ok).toBe(true);
      expect(String(result.result)).not.toMatch(/"(object|function)"/);
      await stillWorks();
    });

    it("a stack overflow on the way to the host leaks no host error", async () => {
      // Each unwinding frame calls the bridge with the stack nearly full, so some call overflows
      // on entry to the host's function; the error the program sees must still be its own realm's.
      const result = await run(`
        const seen = new Set();
        const probe = (e) => { try { seen.add(String(e.constructor.constructor("return typeof process")())); } catch { seen.add("threw"); } };
        function deep(n) {
          try { deep(n + 1); } catch { try { api.add({ a: 1, b: 1 }).catch(probe); } catch (e) { probe(e); } }
        }
        deep(0);
        await new Promise((r) => setTimeout(r, 100));
        return [...seen];`);
      expect(result.ok).toBe(true);
      expect(result.result).not.toContain("object");
      await stillWorks();
    });

    it("a program cannot report an outcome of its own making", async () => {
      const result = await run("return [typeof globalThis.__codeModeFinish, typeof __cm_send];");
      expect(result.result).toEqual(["undefined", "undefined"]);
      const forged = await run(`
        try { await api.fail({}); } catch (e) { e.kind = "executor"; e.message = { x: 1 }; throw e; }`);
      expect(forged.error?.kind).toBe("tool");
      expect(typeof forged.error?.message).toBe("string");
    });

    it("the globals of Node are absent", async () => {
      const result = await run(
        "return [typeof process, typeof require, typeof module, typeof fetch, typeof Buffer, typeof setImmediate, typeof __dirname, typeof globalThis.global];",
      );
      expect(result.result).toEqual(Array(8).fill("undefined"));
    });

    it.each([
      ["plainly", "const fs = await import('node:fs'); return typeof fs.readFileSync;"],
      ["with a comment in the way", "const name = 'node:fs';\nconst fs = await import /* hidden */ (name);"],
      // At a nearly full stack, the runtime's import hook itself overflows, in the host's realm.
      [
        "at a nearly full stack",
        "function deep(n) { try { deep(n + 1); } catch { import('node:fs').catch((e) => e); } }\ndeep(0);",
      ],
    ])("dynamic import is refused before the program runs: %s", async (_how, code) => {
      const result = await run(code);
      expect(result.ok).toBe(false);
      expect(result.error?.kind).toBe("syntax");
      expect(result.error?.message).toMatch(/import\(\) is not available/);
      await stillWorks();
    });

    it("a static import is a syntax error that says there are no modules", async () => {
      const result = await run("import fs from 'node:fs';\nreturn 1;");
      expect(result.error?.kind).toBe("syntax");
      expect(result.error?.message).toMatch(/not modules/);
    });

    it("getters on arguments run in the sandbox; the tool gets plain data", async () => {
      const result = await run(`
        let reads = 0;
        const input = { get x() { reads++; return typeof globalThis.process; } };
        const echoed = await api.echo(input);
        return { echoed, reads };`);
      expect(result.result).toEqual({ echoed: { x: "undefined" }, reads: 1 });
      const received = fixtures.echoed.at(-1) as Record<string, unknown>;
      expect(Object.getOwnPropertyDescriptor(received, "x")?.get).toBeUndefined();
      await stillWorks();
    });

    it("__proto__ and constructor in arguments pollute nothing on the host", async () => {
      const result = await run(`
        await api.echo(JSON.parse('{"__proto__": {"polluted": "yes"}}'));
        await api.echo({ constructor: { prototype: { polluted: "yes" } } });
        return "sent";`);
      expect(result.ok).toBe(true);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.prototype).not.toHaveProperty("polluted");
      await stillWorks();
    });
  });

  describe("loops and promises", () => {
    it.each([
      ["a synchronous loop", "while (true) {}"],
      ["a loop after await", "await api.add({ a: 1, b: 1 }); while (true) {}"],
      ["a microtask flood", "const f = () => { Promise.resolve().then(f); }; f(); await new Promise(() => {});"],
      ["a promise that never settles", "await new Promise(() => {});"],
      ["an endless chain of timers", "await new Promise(() => { const t = () => setTimeout(t, 0); t(); });"],
    ])("%s ends as a timeout", async (_name, code) => {
      const started = Date.now();
      const result = await run(code);
      expect(result.ok).toBe(false);
      expect(result.error?.kind).toBe("timeout");
      expect(result.error?.message).toMatch(/did not finish within 2 s/);
      expect(Date.now() - started).toBeLessThan(TIMEOUT_S * 1000 + GRACE_MS);
      await stillWorks();
    });
  });

  describe("memory", () => {
    it("a huge array ends as a memory error, or a timeout while V8 fills it", async () => {
      // Under a small heap V8 makes `new Array(1e8)` a dictionary, and fill() then grows it slowly
      // inside a builtin that ignores termination: whichever limit it meets first ends it.
      const started = Date.now();
      const result = await run("const a = new Array(1e8).fill(0); return a.length;");
      expect(result.ok).toBe(false);
      expect(["memory", "timeout"]).toContain(result.error?.kind);
      expect(Date.now() - started).toBeLessThan(TIMEOUT_S * 1000 + GRACE_MS);
      await stillWorks();
    });

    it.each([
      ["string doubling", "let s = 'x'; const keep = []; while (true) { s += s; keep.push(s); }"],
      ["a growing array", "const a = []; while (true) a.push({ n: Math.random(), s: 'abc' + a.length });"],
      ["ArrayBuffers", "const keep = []; while (true) keep.push(new ArrayBuffer(8 * 1024 * 1024));"],
    ])("%s ends as a memory error", async (_name, code) => {
      const result = await runRoomy(code);
      expect(result.ok).toBe(false);
      expect(result.error?.kind).toBe("memory");
      expect(result.error?.message).toMatch(/64 MB memory limit/);
      await stillWorks();
    });

    it("deep recursion is a runtime error, not a crash", async () => {
      const result = await run("const f = (n) => f(n + 1) + 1;\nreturn f(0);");
      expect(result.ok).toBe(false);
      expect(result.error?.kind).toBe("runtime");
      expect(result.error?.message).toMatch(/call stack/i);
      await stillWorks();
    });
  });

  describe("floods and limits", () => {
    it("a console flood is cut with a visible note", async () => {
      const result = await run("for (let i = 0; i < 1e6; i++) console.log('line', i, { i });\nreturn 'done';");
      expect(result.ok).toBe(true);
      const total = result.logs.reduce((n, l) => n + l.message.length, 0);
      expect(total).toBeLessThanOrEqual(5000 + 200);
      expect(result.logs.at(-1)?.message).toMatch(/output cut/);
    });

    it("a sequential call flood stops at the call limit", async () => {
      const result = await run("for (let i = 0; i < 1000; i++) await api.add({ a: i, b: 1 });");
      expect(result.ok).toBe(false);
      expect(result.error?.kind).toBe("limit");
      expect(result.error?.message).toMatch(/200 tool calls/);
      expect(result.toolCalls.length).toBe(200);
      await stillWorks();
    });

    it("a parallel call flood runs at most maxConcurrentCalls at once", async () => {
      fixtures.resetInFlight();
      const result = await run(
        "const r = await Promise.all(Array.from({ length: 40 }, () => api.slow({ ms: 5 })));\nreturn r.length;",
      );
      expect(result.result).toBe(40);
      expect(fixtures.maxInFlight()).toBeLessThanOrEqual(4);
      expect(fixtures.maxInFlight()).toBeGreaterThan(1);
    });

    it("a huge argument is refused before it reaches the tool", async () => {
      const before = fixtures.echoed.length;
      const result = await run("return await api.echo({ s: 'x'.repeat(1_000_000) });");
      expect(result.error?.kind).toBe("limit");
      expect(result.error?.message).toMatch(/more than the 100000 a call may send/);
      expect(fixtures.echoed.length).toBe(before);
      await stillWorks();
    });

    it("a flood of calls to long unknown names costs the host little", async () => {
      const started = Date.now();
      const result = await run(`
        const name = "q".repeat(100_000);
        let last;
        for (let i = 0; i < 150; i++) { try { await api[name + i]({}); } catch (e) { last = e.message; } }
        return last.length;`);
      expect(result.ok).toBe(true);
      expect(result.result).toBeLessThan(400);
      expect(Date.now() - started).toBeLessThan(TIMEOUT_S * 1000 + GRACE_MS);
      await stillWorks();
    });

    it("a huge result is cut and says so", async () => {
      const result = await run("return 'x'.repeat(5_000_000);");
      expect(result.ok).toBe(true);
      expect(result.resultCut).toBe(true);
      expect(JSON.stringify(result.result).length).toBeLessThanOrEqual(10_100);
    });

    it("timers left running end with the program", async () => {
      const result = await run(
        "setInterval(() => console.log('tick'), 1);\nawait new Promise((r) => setTimeout(r, 20));\nreturn 'returned';",
      );
      expect(result.result).toBe("returned");
      // It returned (a timer keeping it alive would have ended it as a timeout) and ticked meanwhile.
      expect(result.logs.length).toBeGreaterThan(0);
      await stillWorks();
    });

    it("a tool that never answers trips the per-call timeout", async () => {
      const result = await run("try { await api.never({}); } catch (e) { return e.message; }");
      expect(result.ok).toBe(true);
      expect(result.result).toMatch(/api\.never failed: no answer within 1 s/);
    });
  });

  describe("bad programs", () => {
    it("an unhandled rejection does not fail the program that returned", async () => {
      const result = await run("Promise.reject(new Error('ignored'));\nreturn 1;");
      expect(result.ok).toBe(true);
      expect(result.result).toBe(1);
    });

    it("a timer callback that throws is logged, and the program goes on", async () => {
      const result = await run(
        "setTimeout(() => { throw new Error('tick failed'); }, 0);\nawait new Promise((r) => setTimeout(r, 20));\nreturn 'went on';",
      );
      expect(result.result).toBe("went on");
      expect(result.logs).toContainEqual({
        level: "error",
        message: "Uncaught error in a timer callback: tick failed",
      });
    });

    it("a thrown non-Error is reported as such", async () => {
      const result = await run("throw { code: 42 };");
      expect(result.error?.kind).toBe("runtime");
      expect(result.error?.message).toMatch(/non-Error value: \{ code: 42 \}/);
    });

    it("a syntax error names the model's line and column", async () => {
      const result = await run("const a = 1;\nconst = 2;");
      expect(result.error).toMatchObject({ kind: "syntax", line: 2 });
    });

    it("a runtime error names the model's line", async () => {
      const result = await run("const a: number = 1;\n\nconst o: any = null;\nreturn o.x + a;");
      expect(result.error).toMatchObject({ kind: "runtime", line: 4 });
      expect(result.error?.message).toMatch(/TypeError/);
    });

    it("wrong arguments name the tool, the path, what was expected and what came", async () => {
      const result = await run("return await api.add({ a: '1', b: 2 });");
      expect(result.error?.kind).toBe("type");
      expect(result.error?.message).toMatch(/api\.add got invalid input/);
      expect(result.error?.message).toMatch(/input\.a must be a number, but got "1" \(string\)/);
    });

    it("an unknown tool gets a did-you-mean", async () => {
      const result = await run("return await api.ad({ a: 1, b: 2 });");
      expect(result.error?.kind).toBe("type");
      expect(result.error?.message).toMatch(/api\.ad is not a tool\. Did you mean api\.add\?/);
    });

    it("a tool error that is not caught fails the program as a tool error", async () => {
      const result = await run("await api.fail({});");
      expect(result.error?.kind).toBe("tool");
      expect(result.toolCalls).toEqual([expect.objectContaining({ tool: "fail", ok: false })]);
    });
  });
});
