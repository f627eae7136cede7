// The type check before run, end to end through execute_code on the vm runtime: what blocks (with
// the model's line and the misused tool's declaration, and no tool call), what only warns, the
// modes, registry changes, the time bound, and a thread that ends with the tool.
import { readdirSync, readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { type CodeModeOptions, createCodeModeTool, type Tool, ToolRegistry } from "../../src/index.ts";
import { testTools } from "../support/tools.ts";

// Generous, so a cold checker on a loaded machine never turns a blocking test into a skipped check.
const PATIENT = { runtime: "vm", timeout: 10, typecheckTimeout: 120 } as const;

const fixtures = testTools();
const calls: string[] = [];
const lookup: Tool = {
  name: "find_user",
  namespace: "people",
  description: "Finds a user by login.",
  inputSchema: {
    type: "object",
    properties: { login: { type: "string" }, state: { enum: ["active", "away"] } },
    required: ["login"],
    additionalProperties: false,
  },
  outputSchema: {
    type: "object",
    properties: { login: { type: "string" }, manager: { type: "string" } },
    required: ["login"],
  },
  execute: ({ login }: { login: string }) => {
    calls.push(login);
    return { login, manager: "grace" };
  },
};
const registry = new ToolRegistry([...fixtures.tools, lookup]);
const tool = createCodeModeTool(registry, PATIENT);
afterAll(() => tool.close());

const run = async (code: string) => {
  calls.length = 0;
  const output = await tool.execute({ code });
  return { ...output, calls: [...calls] };
};

describe("type check: what blocks", () => {
  it("an unknown tool: kind type, the model's line and column, a did-you-mean, its declaration, nothing run", async () => {
    const { result, text, calls } = await run(
      `await api.people.find_user({ login: "ada" });\nconst u = await api.people.find_usr({ login: "ada" });\nreturn u;`,
    );
    expect(result).toMatchObject({ ok: false, error: { kind: "type", line: 2, column: 28 }, toolCalls: [] });
    expect(calls).toEqual([]);
    expect(result.error?.message).toContain("api.people.find_usr is not a tool. Did you mean api.people.find_user?");
    expect(result.error?.message).toContain("find_user(input: {");
    expect(text).toMatch(/^Error \(type\) at line 2, column 28: The program was not run/);
  });

  it("a tool called without its namespace is pointed to the right one", async () => {
    const { result } = await run(`return await api.find_user({ login: "ada" });`);
    expect(result.error?.message).toContain("api.find_user is not a tool. Did you mean api.people.find_user?");
  });

  it.each([
    [
      "a wrong argument type",
      `await api.people.find_user({ login: 42 });`,
      /Type 'number' is not assignable to type 'string'/,
    ],
    ["a missing required field", `await api.add({ a: 1 });`, /Property 'b' is missing/],
    ["an excess property", `await api.people.find_user({ login: "a", name: "b" });`, /'name' does not exist/],
    ["a literal outside an enum", `await api.people.find_user({ login: "a", state: "busy" });`, /"busy"/],
    ["no argument at all", `await api.add();`, /Expected 1 arguments, but got 0/],
  ])("%s, with the tool's declaration", async (_name, code, words) => {
    const { result, calls } = await run(`console.log("started");\n${code}`);
    expect(result).toMatchObject({ ok: false, error: { kind: "type", line: 2 }, logs: [], toolCalls: [] });
    expect(calls).toEqual([]);
    expect(result.error?.message).toMatch(words);
    expect(result.error?.message).toMatch(/Declaration of api\.(add|people\.find_user):\ndeclare const api/);
  });

  it.each([
    ["require", `const fs = require("fs");`],
    ["process", `return process.env.HOME;`],
    ["fetch", `return await fetch("https://example.com");`],
    ["document", `return document.title;`],
  ])("%s is an unknown name in the sandbox", async (name, code) => {
    const { result } = await run(code);
    expect(result.error).toMatchObject({ kind: "type", line: 1 });
    expect(result.error?.message).toContain(`Cannot find name '${name}'`);
    expect(result.error?.message).toContain("no require, import, process, fetch, DOM or Node APIs");
  });

  it("calling what is not a function, or a namespace", async () => {
    const notFunction = await run(`const u = await api.people.find_user({ login: "a" });\nreturn u.login();`);
    expect(notFunction.result.error).toMatchObject({ kind: "type", line: 2 });
    expect(notFunction.calls).toEqual([]);
    const namespace = await run(`return await api.people({ login: "a" });`);
    expect(namespace.result.error?.message).toContain("api.people is a namespace, not a tool");
    expect(namespace.result.error?.message).toContain("api.people has: find_user.");
  });

  it("shows at most three problems, api misuse first", async () => {
    const { result } = await run(
      [`require("a");`, `process.exit();`, `await api.nope();`, `await api.add({ a: "1", b: 2 });`, `fetch("x");`].join(
        "\n",
      ),
    );
    const message = result.error?.message ?? "";
    expect(message).toContain("(5 problems;");
    const shown = message.split("\n").filter((line) => line.startsWith("- "));
    expect(shown).toEqual([
      expect.stringMatching(/^- line 3, column 11: api\.nope is not a tool/),
      expect.stringMatching(/^- line 4, column 17: api\.add: Type 'string' is not assignable/),
      expect.stringMatching(/^- line 1, column 1: Cannot find name 'require'/),
      "- (2 more)",
    ]);
    expect(result.error).toMatchObject({ line: 3, column: 11 });
  });

  it("maps positions of an async function expression program to the model's lines", async () => {
    const { result } = await run(`async () => {\n  const x = 1;\n  return await api.nope(x);\n}`);
    expect(result.error).toMatchObject({ kind: "type", line: 3, column: 20 });
  });
});

describe("type check: what never blocks", () => {
  it.each([
    ["a widened string for an enum", `let state = "away";\nreturn await api.people.find_user({ login: "a", state });`],
    [
      "a possibly undefined value",
      `const login = ["a"].find((l) => l === "a");\nreturn await api.people.find_user({ login });`,
    ],
    [
      "an output's optional field",
      `const u = await api.people.find_user({ login: "a" });\nreturn u.manager.toUpperCase();`,
    ],
    ["`as any`", `const input: any = { login: "a" };\nreturn await api.people.find_user(input as any);`],
    [
      "typeof of a missing global",
      `return typeof require === "undefined" ? await api.people.find_user({ login: "a" }) : 0;`,
    ],
    [
      "a name used only as a type",
      `const b: Buffer | undefined = undefined;\nreturn await api.people.find_user({ login: "a" });`,
    ],
    ["an implicit any", `function pick(x) { return x; }\nreturn await api.people.find_user({ login: pick("a") });`],
    ["a sloppy global", `found = await api.people.find_user({ login: "a" });\nreturn found;`],
    ["a Date, which crosses as its JSON string", `return await api.people.find_user({ login: new Date() });`],
    ["an extra argument", `return await api.people.find_user({ login: "a" }, { verbose: true });`],
    [
      "ECMAScript past es2024",
      `const all = await Array.fromAsync([api.people.find_user({ login: "a" })]);\nreturn all[0];`,
    ],
  ])("%s runs, with any finding as a warning", async (_name, code) => {
    const { result, calls } = await run(code);
    expect(result.error).toBeUndefined();
    expect(result.ok).toBe(true);
    expect(calls).toHaveLength(1);
  });

  it("is no wall: `as any` passes the check, and the bridge still refuses the call", async () => {
    const { result, calls } = await run(`return await (api as any).people.find_user({ login: 42 });`);
    expect(result.error?.kind).toBe("type");
    expect(result.error?.message).toMatch(/^api\.people\.find_user got invalid input:/);
    expect(calls).toEqual([]);
  });

  it.each([
    ["the global's constructor", "return this.constructor.constructor('return typeof process')();"],
    ["Function on globalThis", "return Function('return typeof process + typeof require')();"],
    ["a bridged function's constructor", "return (api.add.constructor as any)('return typeof process')();"],
    ["console's constructor", "return (console.log.constructor as any)('return typeof process')();"],
  ])("an escape attempt through %s passes the check and still reaches no host", async (_name, code) => {
    const { result } = await run(code);
    expect(result.ok).toBe(true);
    expect(result.result).toMatch(/^undefined/);
  });

  it("reports what it found as warnings, in the result and in the text", async () => {
    const { result, text } = await run(
      `const u = await api.people.find_user({ login: "a" });\nreturn u.manager.length;`,
    );
    expect(result.ok).toBe(true);
    expect(result.warnings).toEqual(["line 2, column 8: 'u.manager' is possibly 'undefined'. (TS18048)"]);
    expect(text).toContain("Type-check warnings:\nline 2, column 8: 'u.manager' is possibly 'undefined'.");
  });

  it("a clean program has no warnings field", async () => {
    const { result } = await run(`return await api.add({ a: 1, b: 2 });`);
    expect(result).toMatchObject({ ok: true, result: 3 });
    expect(result).not.toHaveProperty("warnings");
  });
});

describe("type check: modes, changes, bounds, threads", () => {
  const withTool = async (
    options: CodeModeOptions,
    body: (t: ReturnType<typeof createCodeModeTool>) => Promise<void>,
  ) => {
    const t = createCodeModeTool(new ToolRegistry(testTools().tools), options);
    try {
      await body(t);
    } finally {
      await t.close();
    }
  };

  it('"warn" blocks nothing: the misuse is a warning and the program runs into it', async () => {
    await withTool({ ...PATIENT, typecheck: "warn" }, async (t) => {
      const { result } = await t.execute({
        code: `const n = await api.add({ a: 1, b: 2 });\nreturn await api.ad({ a: n });`,
      });
      expect(result.toolCalls.map((c) => c.tool)).toEqual(["add"]);
      expect(result.error?.message).toMatch(/^api\.ad is not a tool\. Did you mean api\.add\?/);
      expect(result.warnings?.[0]).toMatch(
        /^line 2, column 18: api\.ad is not a tool\. Did you mean api\.add\? \(TS2339\)$/,
      );
    });
  });

  it('"off" checks nothing: the bridge answers a wrong call at run time', async () => {
    await withTool({ ...PATIENT, typecheck: "off" }, async (t) => {
      const { result } = await t.execute({ code: `const x: number = "no";\nreturn await api.ad({});` });
      expect(result.error?.kind).toBe("type");
      expect(result.error?.message).toMatch(/^api\.ad is not a tool/);
      expect(result).not.toHaveProperty("warnings");
    });
  });

  it("follows the registry: a tool added later is known, a removed one is not", async () => {
    const late: Tool = { name: "late", description: "Late.", inputSchema: { type: "object" }, execute: () => "here" };
    const changing = new ToolRegistry(testTools().tools);
    const t = createCodeModeTool(changing, PATIENT);
    try {
      expect((await t.execute({ code: "return await api.late({});" })).result.error?.kind).toBe("type");
      changing.register(late);
      expect((await t.execute({ code: "return await api.late({});" })).result).toMatchObject({
        ok: true,
        result: "here",
      });
      changing.unregister("late");
      expect((await t.execute({ code: "return await api.late({});" })).result.toolCalls).toEqual([]);
    } finally {
      await t.close();
    }
  });

  it("a check that does not finish in time is skipped: the program runs and the result says so", async () => {
    // A fresh checker cannot even load the compiler in 10 ms.
    await withTool({ runtime: "vm", typecheckTimeout: 0.01 }, async (t) => {
      // The excess property would block; unchecked, the tool accepts it.
      const { result, text } = await t.execute({ code: "return await api.add({ a: 1, b: 2, c: 3 });" });
      expect(result).toMatchObject({ ok: true, result: 3 });
      expect(result.warnings).toEqual([
        "The type check was skipped (it took longer than 0.01 s); the program ran unchecked.",
      ]);
      expect(text).toContain("The type check was skipped");
    });
  });

  it("rejects a wrong setting with a clear error", () => {
    expect(() => createCodeModeTool(new ToolRegistry(), { typecheck: "strict" as "error" })).toThrow(
      /typecheck is "strict"; expected "error", "warn" or "off"/,
    );
    expect(() => createCodeModeTool(new ToolRegistry(), { typecheckTimeout: 0 })).toThrow(
      /typecheckTimeout is 0; expected a number of seconds/,
    );
  });

  it("runs on a thread of its own that close() ends", async () => {
    const threads = () => readdirSync("/proc/self/task").length;
    // Settle the threads Node starts lazily (file system pool) before counting.
    readFileSync(new URL(import.meta.url));
    await withTool(PATIENT, async () => {});
    const before = threads();
    const t = createCodeModeTool(new ToolRegistry(testTools().tools), PATIENT);
    await t.execute({ code: "return 1;" });
    expect(threads()).toBeGreaterThan(before);
    await t.close();
    expect(threads()).toBe(before);
  });
});
