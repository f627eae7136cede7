// api.$search and api.$describe inside programs, through the real execute_code tool on the vm runtime.
import { afterAll, describe, expect, it } from "vitest";
import { createCodeModeTool, type Tool, ToolRegistry } from "../../src/index.ts";
import { runtimesUnderTest } from "../support/runtimes.ts";
import { testTools } from "../support/tools.ts";
import { typeErrors } from "../typegen/type-check.ts";

const weather: Tool = {
  name: "get_forecast",
  namespace: "weather",
  description: "Weather forecast for a city: temperature and rain for the coming days.",
  inputSchema: {
    type: "object",
    properties: { city: { type: "string", description: "City name" }, days: { type: "integer", minimum: 1 } },
    required: ["city"],
  },
  outputSchema: { type: "object", properties: { tempC: { type: "number" } }, required: ["tempC"] },
  execute: ({ city }: { city: string }) => ({ tempC: city.length }),
};
const registry = new ToolRegistry([...testTools().tools, weather]);
// Index form even for this small catalog, so programs must look tools up. The type check is off:
// these programs misuse the lookups on purpose, to show what the sandbox answers (the checker would
// block them first; test/typecheck covers that).
const tool = createCodeModeTool(registry, { runtime: "vm", timeout: 10, catalog: { mode: "index" }, typecheck: "off" });
afterAll(() => tool.close());

const run = async (code: string) => (await tool.execute({ code })).result;

describe("api.$search and api.$describe in programs", () => {
  it("search and call in one program: matches carry the call path, a summary and a declaration", async () => {
    const result = await run(`
      const [match] = await api.$search("temperature forecast for a city", { limit: 1 });
      const [ns, name] = match.name.split(".");
      const forecast = await api[ns][name]({ city: "Lima" });
      return { match, forecast };`);
    expect(result.ok).toBe(true);
    const { match, forecast } = result.result as { match: Record<string, string>; forecast: unknown };
    expect(match.name).toBe("weather.get_forecast");
    expect(match.summary).toBe("Weather forecast for a city: temperature and rain for the coming days");
    expect(match.declaration).toMatch(
      /get_forecast\(input: \{\s+city: string; \/\/ City name\s+days\?: number;[\s\S]*\}\): Promise<\{ tempC: number \}>;/,
    );
    expect(forecast).toEqual({ tempC: 4 });
    // Lookups count as calls and show in the trace; the tool call too.
    expect(result.toolCalls.map((c) => c.tool)).toEqual(["$search", "weather.get_forecast"]);
  });

  it("$describe gives declarations that type-check a right call and reject a wrong one", async () => {
    const result = await run(
      `return [await api.$describe("weather.get_forecast"), await api.$describe(["add", "api.weather.get_forecast"])];`,
    );
    expect(result.ok).toBe(true);
    const [one, two] = result.result as [string, string];
    expect(one).toMatch(/^declare const api: \{\n\s*weather: \{\n[\s\S]*get_forecast\(input: \{/);
    expect(two).toContain("add(input: { a: number; b: number }): Promise<number>;");
    expect(two).toContain("get_forecast(input:");
    const program = (body: string) => `${two}async function program() {\n${body}\n}\n`;
    expect(
      typeErrors(
        program(
          `const t = await api.weather.get_forecast({ city: "Oslo" }); t.tempC.toFixed(1); await api.add({ a: 1, b: 2 });`,
        ),
      ),
    ).toEqual([]);
    expect(typeErrors(program(`await api.weather.get_forecast({ town: "Oslo" });`))).not.toEqual([]);
  });

  it("the declarations the tool exposes declare both lookups, so programs using them type-check", () => {
    const errors = typeErrors(
      `${tool.declarations}async function program() {\nconst found = await api.$search("x", { limit: 3 });\nconst text: string = await api.$describe([found[0]!.name]);\nreturn found.map((m) => m.summary + m.declaration + text);\n}\n`,
    );
    expect(errors).toEqual([]);
  });

  it.each([
    ['api.$search("")', /api\.\$search needs a query/],
    ["api.$search(42)", /api\.\$search needs a query.*it got 42/],
    ['api.$search("x".repeat(501))', /query of 501 characters; keep it under 500/],
    ['api.$search("a the of")', /has no words to search for/],
    ['api.$search("add", { limit: 0 })', /limit is 0; expected a whole number from 1 to 50/],
    ['api.$search("add", { limit: 51 })', /limit is 51/],
    ['api.$search("add", { limit: 2.5 })', /limit is 2\.5/],
    ['api.$search("add", { max: 3 })', /has no option "max"; the only option is limit/],
    ['api.$search("add", 3)', /second argument is options such as \{ limit: 5 \}/],
    [
      'api.$describe("weather.get_forcast")',
      /"weather\.get_forcast" is not a tool\. Did you mean "weather\.get_forecast"\?/,
    ],
    ["api.$describe([])", /needs a tool's call path or an array of 1 to 50/],
    ["api.$describe([1])", /needs a tool's call path/],
  ])("%s is a catchable type error that says what to do", async (call, message) => {
    const result = await run(`try { await ${call}; return "no error"; } catch (e) { return [e.name, e.message]; }`);
    expect(result.ok).toBe(true);
    const [name, text] = result.result as [string, string];
    expect(name).toBe("ToolInputError");
    expect(text).toMatch(message);
  });

  it("an uncaught lookup error ends the program with kind type", async () => {
    const result = await run(`await api.$describe("nope");`);
    expect(result.ok).toBe(false);
    expect(result.error?.kind).toBe("type");
    expect(result.toolCalls).toEqual([expect.objectContaining({ tool: "$describe", ok: false })]);
  });

  it("an unknown tool's error points to $search", async () => {
    const result = await run(`await api.get_forecast({ city: "Oslo" });`);
    expect(result.error?.message).toMatch(/Did you mean api\.weather\.get_forecast\?.*api\.\$search/);
  });

  it("a misspelt lookup gets a did-you-mean", async () => {
    const result = await run(`await api.$serch("add");`);
    expect(result.error?.message).toMatch(/api\.\$serch is not a tool\. Did you mean api\.\$search\?/);
  });

  it("lookups count toward the call limit", async () => {
    const limited = createCodeModeTool(registry, { runtime: "vm", maxToolCalls: 2 });
    try {
      const { result } = await limited.execute({
        code: `for (let i = 0; i < 3; i++) await api.$search("add numbers");`,
      });
      expect(result.error?.kind).toBe("limit");
    } finally {
      await limited.close();
    }
  });

  it("search and describe follow registry changes", async () => {
    const before = await run(`return (await api.$search("translate text into french")).map((m) => m.name);`);
    expect(before.result).not.toContain("translate");
    registry.register({
      name: "translate",
      description: "Translate text into another language, such as French.",
      inputSchema: { type: "object", properties: { text: { type: "string" }, to: { type: "string" } } },
      execute: ({ text }: { text: string }) => `[fr] ${text}`,
    });
    const after = await run(`
      const [m] = await api.$search("translate text into french");
      return [m.name, await api[m.name]({ text: "hello", to: "fr" })];`);
    expect(after.result).toEqual(["translate", "[fr] hello"]);
    registry.unregister("translate");
    const gone = await run(`try { return await api.$describe("translate"); } catch (e) { return e.message; }`);
    expect(gone.result).toMatch(/"translate" is not a tool/);
    expect((await run(`return (await api.$search("translate text")).map((m) => m.name);`)).result).not.toContain(
      "translate",
    );
  });
});

describe.each(await runtimesUnderTest())("lookups on the %s runtime", (runtime) => {
  it("$search with options and $describe reach the host with all their arguments", async () => {
    const onRuntime = createCodeModeTool(registry, { runtime, timeout: 20, catalog: { mode: "index" } });
    try {
      const { result } = await onRuntime.execute({
        code: `const found = await api.$search("forecast", { limit: 1 });
          return [found.length, found[0].name, (await api.$describe(found[0].name)).includes("get_forecast(")];`,
      });
      expect(result).toMatchObject({ ok: true, result: [1, "weather.get_forecast", true], runtime });
    } finally {
      await onRuntime.close();
    }
  });
});
