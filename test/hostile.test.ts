// One case per attack, on every runtime: each asserts the error kind (or the harmless result),
// and afterwards that the host lives on and the next program runs normally.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveOptions } from "../src/execute-code/options.ts";
import { type CodeModeTool, createCodeModeTool, createExecutor, type Executor, ToolRegistry } from "../src/index.ts";
import { findings, PROBE } from "./support/probe.ts";
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
    // Attacks are timed by their own 2 s timeout: the runtime is warm before the first one.
    await (executor as Partial<{ ready(): Promise<void> }>).ready?.();
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

  // The program's own attacks on the realm it runs in and on the runtime's objects inside it. Each
  // program records what it reached (see support/probe.ts); none may reach `process`, `require`
  // or an object of another realm, and the run must be reported exactly as the program left it.
  describe("attacks on the realm and on the runtime's own objects", () => {
    const attack = (code: string) => run(PROBE + code);

    it.each([
      [
        "an error whose name cannot be turned into a string",
        `for (const name of [Symbol("unprintable"), Object.create(null), { toString() { return {}; }, valueOf() { return {}; } }]) {
          const error = new Error("boom");
          error.name = name;
          try { String(error.stack); } catch (caught) { __probe("reading the stack", caught); }
          try { Error.prototype.toString.call(error); } catch (caught) { __probe("Error.prototype.toString", caught); }
          try { console.log(error); } catch (caught) { __probe("logging it", caught); }
        }
        return __found;`,
      ],
      [
        "a name.toString that is a Proxy sees only the program's argument lists",
        `const trap = (label) => new Proxy(function () {}, {
          apply(target, self, args) { __probe(label + "'s argument list", args); __probe(label + "'s this", self); return "Named"; },
        });
        const a = new Error("a"); a.name = { toString: trap("name.toString") };
        const b = new Error("b"); b.name = { [Symbol.toPrimitive]: trap("name[Symbol.toPrimitive]") };
        const c = new Error("c"); c.message = { toString: trap("message.toString") };
        const d = new TypeError("d"); Object.defineProperty(d, "name", { value: { toString: trap("an own name.toString") } });
        for (const error of [a, b, c, d]) {
          try { String(error.stack); } catch (caught) { __probe("reading the stack", caught); }
          try { console.log(error); } catch (caught) { __probe("logging it", caught); }
        }
        return __found;`,
      ],
      [
        "a stack overflow while a stack is formatted",
        `const caught = [];
        const keep = (error) => { if (caught.length < 300) caught[caught.length] = error; };
        function deep(n) {
          try { deep(n + 1); } catch {
            try { String(new Error("x").stack); } catch (error) { keep(error); }
            try { const named = new Error("y"); named.name = { toString() { return "Named"; } }; String(named.stack); } catch (error) { keep(error); }
            try { console.log(new Error("z")); } catch (error) { keep(error); }
          }
        }
        deep(0);
        for (let i = 0; i < caught.length; i++) __probe("an error thrown while formatting at a full stack", caught[i]);
        return __found;`,
      ],
      [
        "Error.prepareStackTrace hooks, plain and as a Proxy",
        `const hook = function (error, frames) {
          __probe("prepareStackTrace's this", this);
          __probe("prepareStackTrace's error", error);
          __probe("prepareStackTrace's frames", frames);
          for (let i = 0; i < frames.length; i++) {
            __probe("a call site", frames[i]);
            try { __probe("a call site's function", frames[i].getFunction()); } catch {}
            try { __probe("a call site's this", frames[i].getThis()); } catch {}
          }
          return "custom stack";
        };
        const stacks = async () => {
          try { await api.fail({}); } catch (error) { String(error.stack); }
          String(new Error("x").stack);
          try { null.x; } catch (error) { String(error.stack); }
          await new Promise((resolve) => setTimeout(() => { String(new Error("in a timer").stack); resolve(); }, 0));
        };
        Error.prepareStackTrace = hook;
        await stacks();
        Error.prepareStackTrace = new Proxy(hook, {
          apply(target, self, args) { __probe("prepareStackTrace's argument list", args); return "proxied stack"; },
        });
        await stacks();
        delete Error.prepareStackTrace;
        return __found;`,
      ],
      [
        "Error.captureStackTrace on odd targets",
        `const trap = (label) => new Proxy(function () {}, { apply(target, self, args) { __probe(label, args); return "Named"; } });
        const holder = {};
        Error.captureStackTrace(holder);
        String(holder.stack);
        const named = { name: { toString: trap("a captured object's name.toString") }, message: "m" };
        try { Error.captureStackTrace(named); String(named.stack); } catch (error) { __probe("a captured object's stack", error); }
        try { Error.captureStackTrace(named, trap("captureStackTrace's constructorOpt")); String(named.stack); } catch (error) { __probe("constructorOpt", error); }
        const spy = new Proxy({}, {
          defineProperty(target, key, descriptor) {
            __probe("captureStackTrace's descriptor", descriptor);
            __probe("captureStackTrace's getter", descriptor.get);
            return Reflect.defineProperty(target, key, descriptor);
          },
        });
        try { Error.captureStackTrace(spy); String(spy.stack); } catch (error) { __probe("captureStackTrace on a Proxy", error); }
        try { Error.captureStackTrace(Object.freeze({})); } catch (error) { __probe("captureStackTrace on a frozen object", error); }
        const accessor = Object.getOwnPropertyDescriptor(holder, "stack");
        for (const fn of [accessor && accessor.get, accessor && accessor.set]) {
          if (typeof fn !== "function") continue;
          __probe("the stack accessor", fn);
          try { fn.call({}); } catch (error) { __probe("the stack accessor on another object", error); }
        }
        return __found;`,
      ],
      [
        "errors thrown from getters while an error is formatted",
        `const make = (key, get) => { const error = new Error("x"); Object.defineProperty(error, key, { get }); return error; };
        const overflow = () => { const f = () => f() + 1; return f(); };
        const errors = [
          make("name", () => { throw new Error("from a name getter"); }),
          make("message", () => { throw Symbol("from a message getter"); }),
          make("name", overflow),
          make("message", overflow),
          make("name", () => ({ toString: overflow })),
        ];
        for (const error of errors) {
          try { String(error.stack); } catch (caught) { __probe("a getter's throw while formatting", caught); }
          try { console.log(error); } catch (caught) { __probe("a getter's throw while logging", caught); }
          try { String(error); } catch (caught) { __probe("a getter's throw in toString", caught); }
        }
        return __found;`,
      ],
      [
        "Node's inspection hooks and Symbol.toPrimitive on logged values",
        `const custom = Symbol.for("nodejs.util.inspect.custom");
        const hook = (label) => function () {
          __probe(label + "'s this", this);
          for (let i = 0; i < arguments.length; i++) __probe(label + "'s argument " + i, arguments[i]);
          return "hooked";
        };
        const value = { [custom]: hook("a logged value's inspect hook"), [Symbol.toPrimitive]: hook("a logged value's toPrimitive") };
        console.log(value);
        console.log([value], new Map([[value, value]]), new Set([value]), String(value));
        const error = new Error("logged");
        error[custom] = hook("a logged error's inspect hook");
        console.log(error);
        Object.defineProperty(Object.prototype, custom, { value: hook("Object.prototype's inspect hook"), configurable: true });
        Object.defineProperty(Error.prototype, custom, { value: hook("Error.prototype's inspect hook"), configurable: true });
        console.log({ plain: true }, new Error("plain"));
        try { await api.fail({}); } catch (caught) { console.log(caught); }
        return __found;`,
      ],
      [
        "constructors reached through api, its functions, console, timers and their callbacks",
        `const places = {
          api, "api.add": api.add, "api.missing": api.missing, "api.constructor": api.constructor, "api.__proto__": api.__proto__,
          "api's prototype": Object.getPrototypeOf(api), "api.toString": api.toString, "api[Symbol.iterator]": api[Symbol.iterator],
          console, "console.log": console.log, "console.constructor": console.constructor,
          setTimeout, setInterval, clearTimeout, clearInterval, queueMicrotask,
          "a call's promise": api.add({ a: 1, b: 2 }),
          "a refused call's error": await api.missing({}).catch((error) => error),
          "a tool error": await api.fail({}).catch((error) => error),
          "a tool's reply": await api.echo({ x: { y: [1] } }),
        };
        for (const where of Object.keys(places)) __probe(where, places[where]);
        const direct = {
          "api.constructor.constructor": () => api.constructor.constructor,
          "api.add.constructor": () => api.add.constructor,
          "api.missing.constructor": () => api.missing.constructor,
          "console.log.constructor": () => console.log.constructor,
          "setTimeout.constructor": () => setTimeout.constructor,
          "queueMicrotask.constructor": () => queueMicrotask.constructor,
        };
        for (const where of Object.keys(direct)) {
          try {
            const seen = direct[where]()("return typeof process + ' ' + typeof require")();
            if (seen !== "undefined undefined") __report(where + ": " + seen);
          } catch {}
        }
        for (const poke of [
          () => { "use strict"; api.add = 1; },
          () => { "use strict"; delete api.add; },
          () => Object.setPrototypeOf(api, null),
          () => Object.defineProperty(api, "x", { value: 1 }),
          () => { "use strict"; console.log = 1; },
          () => setTimeout("return process", 0),
          () => new api.add(),
        ]) {
          try { poke(); } catch (error) { __probe("a refused change to the runtime's objects", error); }
        }
        __probe("api's own keys", Reflect.ownKeys(api));
        await new Promise((resolve) => setTimeout(function () {
          __probe("a timer callback's this", this);
          __probe("a timer callback's arguments", arguments);
          resolve();
        }, 0, "arg"));
        await new Promise((resolve) => queueMicrotask(function () {
          __probe("a microtask's this", this);
          __probe("a microtask's arguments", arguments);
          resolve();
        }));
        return __found;`,
      ],
      [
        "a Proxy passed to a tool or to console",
        `const spy = new Proxy({ a: 1 }, {
          ownKeys(target) { __probe("ownKeys' arguments", arguments); return Reflect.ownKeys(target); },
          get(target, key, receiver) { __probe("get's arguments", arguments); return Reflect.get(target, key); },
          getOwnPropertyDescriptor(target, key) { __probe("getOwnPropertyDescriptor's arguments", arguments); return Reflect.getOwnPropertyDescriptor(target, key); },
          getPrototypeOf(target) { __probe("getPrototypeOf's arguments", arguments); return Reflect.getPrototypeOf(target); },
        });
        const echoed = await api.echo(spy);
        console.log(spy);
        if (echoed.a !== 1) __report("the tool got something else than the proxy's data");
        return __found;`,
      ],
    ])("%s reaches no host", async (_name, code) => {
      const result = await attack(code);
      expect(findings(result)).toEqual([]);
      expect(result.error).toBeUndefined();
      expect(result.result).toEqual([]);
      await stillWorks();
    });

    it.each([
      [
        "with an unprintable name and inspection hooks",
        `const custom = Symbol.for("nodejs.util.inspect.custom");
        const error = new Error("thrown with hooks");
        error[custom] = function () { for (let i = 0; i < arguments.length; i++) __probe("a thrown error's inspect hook", arguments[i]); return "hooked"; };
        error.name = { toString: new Proxy(function () {}, { apply(target, self, args) { __probe("a thrown error's name.toString", args); return "HookedError"; } }) };
        throw error;`,
        /thrown with hooks/,
      ],
      [
        "with a Symbol for a name",
        `const error = new Error("symbol-named"); error.name = Symbol("s"); throw error;`,
        /symbol-named|unprintable/,
      ],
      [
        "with getters that throw",
        `const error = new Error("x");
        for (const key of ["name", "message", "stack"]) Object.defineProperty(error, key, { get() { throw new Error("getter of " + key); } });
        throw error;`,
        /./,
      ],
      [
        "as a non-Error with hooks",
        `throw {
          [Symbol.for("nodejs.util.inspect.custom")]() { for (let i = 0; i < arguments.length; i++) __probe("a thrown value's inspect hook", arguments[i]); return "hooked"; },
          [Symbol.toPrimitive]() { __probe("a thrown value's toPrimitive", arguments); return "primitive"; },
          toJSON() { __probe("a thrown value's toJSON", arguments); return "json"; },
        };`,
        /non-Error value/,
      ],
    ])("a thrown error %s is the program's runtime error and reaches no host", async (_name, code, message) => {
      const result = await attack(code);
      expect(findings(result)).toEqual([]);
      expect(result.ok).toBe(false);
      expect(result.error?.kind).toBe("runtime");
      expect(result.error?.message).toMatch(message);
      await stillWorks();
    });

    it("a result with a toJSON Proxy and inspection hooks is serialised in the sandbox", async () => {
      const result = await attack(`
        const toJSON = new Proxy(function () {}, {
          apply(target, self, args) { __probe("toJSON's argument list", args); __probe("toJSON's this", self); return { found: __found, fine: true }; },
        });
        return { [Symbol.for("nodejs.util.inspect.custom")]() { __probe("the result's inspect hook", arguments); return "hooked"; }, toJSON };`);
      expect(findings(result)).toEqual([]);
      expect(result.result).toEqual({ found: [], fine: true });
      await stillWorks();
    });

    it("a toJSON planted on Object.prototype cannot rewrite the outcome", async () => {
      const plant = `
        Object.prototype.toJSON = function () {
          if (Object.hasOwn(this, "ok") || Object.hasOwn(this, "resultJson") || Object.hasOwn(this, "error")) {
            __report("the outcome passed through the program's toJSON");
            return { ok: true, resultJson: '"forged"' };
          }
          return this;
        };`;
      const returned = await attack(`${plant}\nawait api.add({ a: 1, b: 2 });\nreturn { value: 7 };`);
      expect(findings(returned)).toEqual([]);
      expect(returned.result).toEqual({ value: 7 });
      const thrown = await attack(`${plant}\nthrow new Error("mine");`);
      expect(findings(thrown)).toEqual([]);
      expect(thrown.error).toMatchObject({ kind: "runtime", message: "Error: mine" });
      await stillWorks();
    });

    it("getters planted on Object.prototype and Array.prototype meet no runtime object and change nothing", async () => {
      const result = await attack(`
        __found.__mine = 1;
        const names = ["then", "ok", "value", "error", "kind", "message", "resultJson", "resultCut", "stack", "name",
          "apiPaths", "maxResultChars", "maxLogChars", "maxToolCalls", "maxConcurrentCalls", "maxToolInputChars", "runId",
          "warmUp", "get", "has", "set", "ownKeys", "getOwnPropertyDescriptor", "defineProperty", "deleteProperty",
          "getPrototypeOf", "setPrototypeOf", "isExtensible", "preventExtensions", "apply", "construct", "length", "size",
          "0", "1", "2", "toJSON", "done", "next", "prototype", "caller", "callee", "arguments", "source", "flags"];
        const define = Object.defineProperty, own = Object.hasOwn;
        for (const proto of [Object.prototype, Array.prototype]) {
          for (const name of names) {
            try {
              // Descriptors without a prototype: the getters planted so far must not bend this one.
              define(proto, name, {
                __proto__: null,
                configurable: true,
                get() {
                  // The program's own data meets these getters too (a reply is checked for "then"); it carries __mine.
                  if ((typeof this === "object" && this !== null && !own(this, "__mine")) || typeof this === "function") {
                    __report("a getter for '" + name + "' was called on a runtime object");
                  }
                  return "poisoned " + name;
                },
                set(value) { define(this, name, { __proto__: null, value, writable: true, enumerable: true, configurable: true }); },
              });
            } catch {}
          }
        }
        const sum = await api.add({ __mine: 1, a: 1, b: 2 });
        const echoed = await api.echo({ __mine: 1, x: 1 });
        const nothing = await api.nothing({ __mine: 1 });
        let failed;
        try { await api.fail({ __mine: 1 }); } catch (error) { failed = error.message; }
        await new Promise((resolve) => setTimeout(resolve, 1));
        console.log("visible");
        return { __mine: 1, found: __found, sum, echoed, nothing: typeof nothing, failed };`);
      expect(findings(result)).toEqual([]);
      expect(result.result).toEqual({
        __mine: 1,
        found: [],
        sum: 3,
        echoed: { __mine: 1, x: 1 },
        nothing: "undefined",
        failed: "api.fail failed: the fail tool failed on purpose",
      });
      expect(result.logs).toContainEqual({ level: "log", message: "visible" });
      await stillWorks();
    });

    it("a replaced Promise.prototype.then is never called by the runtime and cannot hijack it", async () => {
      const spying = await attack(`
        const then = Promise.prototype.then;
        Promise.prototype.then = function (onFulfilled, onRejected) {
          __report("the runtime called the program's then");
          return then.call(this, onFulfilled, onRejected);
        };
        Object.defineProperty(Promise, Symbol.species, {
          configurable: true,
          get() { __report("the runtime asked the program's Promise[Symbol.species]"); return Promise; },
        });
        const sum = await api.add({ a: 1, b: 2 });
        await new Promise((resolve) => setTimeout(resolve, 1));
        console.log("logged");
        return { found: __found, sum };`);
      expect(findings(spying)).toEqual([]);
      expect(spying.result).toEqual({ found: [], sum: 3 });
      expect(spying.logs).toContainEqual({ level: "log", message: "logged" });

      const hijacking = await attack(`
        Promise.prototype.then = function (onFulfilled) {
          __report("the runtime called the program's then");
          try { onFulfilled('{"ok":true,"value":"forged"}'); } catch {}
          try { onFulfilled({ forged: true }); } catch {}
          return this;
        };
        const sum = await api.add({ a: 1, b: 2 });
        await new Promise((resolve) => setTimeout(resolve, 1));
        return { found: __found, sum };`);
      expect(findings(hijacking)).toEqual([]);
      expect(hijacking.result).toEqual({ found: [], sum: 3 });
      await stillWorks();
    });

    // After either, the runtime must still deliver replies, tool errors, logs, timers and the result.
    const everyday = `
      const sum = await api.add({ a: 1, b: 2 });
      const echoed = await api.echo({ list: [1, "two", null], nested: { yes: true } });
      const nothing = await api.nothing({});
      let failed;
      try { await api.fail({}); } catch (error) { failed = error.name + ": " + error.message; }
      let unknown;
      try { await api.nope({}); } catch (error) { unknown = error.name; }
      console.log("visible", { list: [1, 2] }, sample);
      await new SavedPromise((resolve) => setTimeout(resolve, 1));
      let ticks = 0;
      await new SavedPromise((resolve) => { const id = setInterval(() => { ticks++; if (ticks === 2) { clearInterval(id); resolve(); } }, 1); });
      return { found: __found, sum, echoed, nothing: typeof nothing, failed, unknown, ticks };`;
    const everydayResult = {
      found: [],
      sum: 3,
      echoed: { list: [1, "two", null], nested: { yes: true } },
      nothing: "undefined",
      failed: "ToolError: api.fail failed: the fail tool failed on purpose",
      unknown: "ToolInputError",
      ticks: 2,
    };

    it("built-ins replaced by throwing functions are never called by the runtime", async () => {
      const result = await attack(`
        const sample = new Map([[1, 2]]);
        const SavedPromise = Promise;
        const poisoned = (label) => function () { __report("the runtime called the program's " + label); throw new Error("poisoned " + label); };
        const { defineProperty } = Reflect;
        const ReflectObject = Reflect;
        const ObjectConstructor = Object;
        const replace = (owner, label, keys) => {
          for (let i = 0; i < keys.length; i++) {
            const key = keys[i];
            try {
              defineProperty(owner, key, { value: poisoned(label + "." + (typeof key === "symbol" ? key.description : key)), writable: true, configurable: true });
            } catch {}
          }
        };
        replace(Array.prototype, "Array.prototype", ["map", "join", "slice", "push", "pop", "shift", "unshift", "splice", "forEach", "filter", "indexOf", "includes", "concat", "keys", "entries", "values", Symbol.iterator]);
        replace(Array, "Array", ["isArray", "from", "of"]);
        replace(Map.prototype, "Map.prototype", ["get", "set", "has", "delete", "forEach", "keys", "values", "entries", Symbol.iterator]);
        replace(Set.prototype, "Set.prototype", ["add", "has", "delete", "clear", "forEach", "values", Symbol.iterator]);
        replace(WeakMap.prototype, "WeakMap.prototype", ["get", "set", "has", "delete"]);
        replace(Promise.prototype, "Promise.prototype", ["then", "catch", "finally"]);
        replace(Promise, "Promise", ["resolve", "reject", "all", "race", "allSettled", "any", "withResolvers"]);
        replace(String.prototype, "String.prototype", ["slice", "substring", "replace", "replaceAll", "split", "toString", "padStart", "repeat", "trim", "indexOf", "startsWith", "endsWith", "includes", "charCodeAt", "codePointAt", "toLowerCase", "concat"]);
        replace(Function.prototype, "Function.prototype", ["call", "apply", "bind", "toString"]);
        replace(JSON, "JSON", ["parse", "stringify"]);
        replace(Math, "Math", ["max", "min", "floor", "ceil", "round", "trunc"]);
        replace(Number, "Number", ["isNaN", "isInteger", "isFinite", "isSafeInteger"]);
        replace(Reflect, "Reflect", ["apply", "construct", "get", "set", "has", "ownKeys", "getPrototypeOf", "setPrototypeOf", "getOwnPropertyDescriptor", "deleteProperty"]);
        replace(Error, "Error", ["captureStackTrace"]);
        replace(Object, "Object", ["keys", "values", "entries", "freeze", "isFrozen", "hasOwn", "is", "create", "getPrototypeOf", "setPrototypeOf", "getOwnPropertyNames", "getOwnPropertyDescriptor", "assign", "fromEntries"]);
        replace(globalThis, "globalThis", ["Promise", "Map", "Set", "WeakMap", "WeakSet", "JSON", "String", "Number", "Boolean", "Array", "Error", "TypeError", "RangeError", "Proxy", "Reflect", "Symbol", "Math", "Date", "RegExp", "isNaN"]);
        replace(ReflectObject, "Reflect", ["defineProperty"]);
        replace(ObjectConstructor, "Object", ["defineProperty", "defineProperties"]);
        ${everyday}`);
      expect(findings(result)).toEqual([]);
      expect(result.error).toBeUndefined();
      expect(result.result).toEqual(everydayResult);
      expect(result.logs).toContainEqual({ level: "log", message: 'visible {"list":[1,2]} Map(1){1=>2}' });
      await stillWorks();
    });

    it("built-ins and the global frozen by the program change nothing", async () => {
      const result = await attack(`
        const sample = new Map([[1, 2]]);
        const SavedPromise = Promise;
        for (const ctor of [Object, Array, Function, Promise, Error, TypeError, RangeError, Map, Set, WeakMap, String, Number, Symbol]) {
          Object.freeze(ctor);
          Object.freeze(ctor.prototype);
        }
        for (const namespace of [JSON, Reflect, Math, globalThis]) Object.freeze(namespace);
        ${everyday}`);
      expect(findings(result)).toEqual([]);
      expect(result.error).toBeUndefined();
      expect(result.result).toEqual(everydayResult);
      expect(result.logs).toContainEqual({ level: "log", message: 'visible {"list":[1,2]} Map(1){1=>2}' });
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

    it("a flood of 100,000 parallel calls is refused inside the sandbox as a limit error", async () => {
      // The roomy tool's default limits: 1000 calls, 16 at once, 20 s. Making 100,000 promises
      // takes a loaded machine a while; the point is the kind: the flood fails fast, as a limit.
      const result = await runRoomy(
        "await Promise.all(Array.from({ length: 100_000 }, (_, i) => api.add({ a: i, b: 1 })));",
      );
      expect(result.ok).toBe(false);
      expect(result.error?.kind).toBe("limit");
      expect(result.error?.message).toMatch(/already made 1000 tool calls, the limit/);
      expect(result.toolCalls.length).toBeLessThanOrEqual(1000);
      await stillWorks();
    });

    it("a huge result is cut and says so", async () => {
      const result = await run("return 'x'.repeat(5_000_000);");
      expect(result.ok).toBe(true);
      expect(result.resultCut).toBe(true);
      expect(JSON.stringify(result.result).length).toBeLessThanOrEqual(10_100);
    });

    it("a 50 MB result and 50 MB of logs are cut inside the sandbox and reach the host cut", async () => {
      // Enough heap to build them: the point is what crosses, and that the runner still answers.
      const big = createCodeModeTool(new ToolRegistry(fixtures.tools), {
        runtime: executor,
        timeout: 30,
        memoryLimit: 512,
        maxLogChars: 5000,
        maxResultChars: 10_000,
      });
      try {
        const { result } = await big.execute({
          code: "const line = 'y'.repeat(1_000_000);\nfor (let i = 0; i < 50; i++) console.log(line);\nreturn 'x'.repeat(50_000_000);",
        });
        expect(result.error).toBeUndefined();
        expect(result.resultCut).toBe(true);
        expect(JSON.stringify(result.result).length).toBeLessThanOrEqual(10_100);
        expect(result.logs.reduce((n, l) => n + l.message.length, 0)).toBeLessThanOrEqual(5000 + 200);
        expect(result.logs.at(-1)?.message).toMatch(/output cut/);
      } finally {
        await big.close();
      }
      await stillWorks();
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
      expect(result.error?.message).toMatch(/non-Error value: \{"code":42\}/);
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
