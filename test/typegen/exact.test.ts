// One case per defect the real corpus showed: each valid call compiles, each invalid one fails, and
// no description is lost.
import { describe, expect, it } from "vitest";
import type { Tool } from "../../src/tools/tool.ts";
import { generateDeclarations } from "../../src/typegen/declarations.ts";
import { tool, typeErrors } from "./type-check.ts";

/** Diagnostics of each call, checked in one program: one entry per call, [] when it compiles. */
function verdicts(tools: Tool[], calls: string[]): string[][] {
  const decls = generateDeclarations(tools);
  const first = decls.split("\n").length + 1;
  const errors = typeErrors(`${decls}async function program() {\n${calls.join("\n")}\n}\n`);
  const out = calls.map((): string[] => []);
  for (const e of errors) {
    const line = Number(e.slice(0, e.indexOf(":")));
    if (line < first) throw new Error(`the declarations themselves do not compile: ${e}`);
    out[line - first]!.push(e);
  }
  return out;
}

/** Asserts that every `ok` call compiles and every `wrong` one does not. */
function expectCalls(tools: Tool[], ok: string[], wrong: string[]): void {
  const result = verdicts(tools, [...ok, ...wrong]);
  const accepted = [...ok, ...wrong].filter((_, i) => result[i]!.length === 0);
  expect(accepted).toEqual(ok);
}

const str = { type: "string" };
const num = { type: "number" };

describe("tuples follow minItems, maxItems and what may follow the listed items", () => {
  const tuple = (extra: object) => tool("t", { type: "object", properties: { p: { type: "array", ...extra } } });

  it("minItems below the listed items makes the rest optional", () => {
    expectCalls(
      [tuple({ items: [str, num], minItems: 1, additionalItems: false })],
      [`await api.t({ p: ["a"] });`, `await api.t({ p: ["a", 1] });`],
      [`await api.t({ p: [] });`, `await api.t({ p: ["a", 1, 2] });`, `await api.t({ p: [1] });`],
    );
  });

  it("without minItems every listed item may be left out", () => {
    expectCalls([tuple({ items: [str, num], additionalItems: false })], [`await api.t({ p: [] });`], []);
  });

  it("an additionalItems schema is the type of the rest; none said means anything", () => {
    expectCalls(
      [
        tuple({ items: [str], minItems: 1, additionalItems: num }),
        tool("u", { type: "object", properties: { p: { type: "array", items: [str] } } }),
      ],
      [`await api.t({ p: ["a", 1, 2] });`, `await api.u({ p: ["a", true, null] });`],
      [`await api.t({ p: ["a", "b"] });`],
    );
  });

  it("prefixItems with items: false is closed; with an items schema that is the rest", () => {
    expectCalls(
      [
        tuple({ prefixItems: [str, num], items: false, minItems: 2 }),
        tool("u", { type: "object", properties: { p: { type: "array", prefixItems: [str], items: num } } }),
      ],
      [`await api.t({ p: ["a", 1] });`, `await api.u({ p: ["a", 1, 2] });`, `await api.u({ p: [] });`],
      [`await api.t({ p: ["a", 1, 2] });`, `await api.t({ p: ["a"] });`, `await api.u({ p: ["a", "b"] });`],
    );
  });

  it("maxItems cuts the listed items; minItems past them requires rest items", () => {
    expectCalls(
      [
        tuple({ items: [str, num, num], maxItems: 2 }),
        tool("u", {
          type: "object",
          properties: { p: { type: "array", items: [str], additionalItems: num, minItems: 3 } },
        }),
      ],
      [`await api.t({ p: ["a", 1] });`, `await api.u({ p: ["a", 1, 2] });`, `await api.u({ p: ["a", 1, 2, 3] });`],
      [`await api.t({ p: ["a", 1, 2] });`, `await api.u({ p: ["a", 1] });`],
    );
  });
});

describe("objects", () => {
  it("a closed object with no properties takes no keys, at the root as nested", () => {
    const closed = { type: "object", additionalProperties: false };
    expectCalls(
      [tool("root", closed), tool("nested", { type: "object", properties: { o: closed }, required: ["o"] })],
      [`await api.root();`, `await api.root({});`, `await api.nested({ o: {} });`],
      [`await api.root({ a: 1 });`, `await api.nested({ o: { a: 1 } });`, `await api.root("x" as never as string);`],
    );
  });

  it("an allOf member that only requires makes those fields required", () => {
    const schema = { type: "object", properties: { a: str, b: num }, allOf: [{ required: ["a"] }] };
    expectCalls([tool("t", schema)], [`await api.t({ a: "x" });`], [`await api.t({ b: 1 });`, `await api.t();`]);
  });

  it("anyOf members that only require make one of the fields required", () => {
    const schema = {
      type: "object",
      properties: { a: str, b: num },
      anyOf: [{ required: ["a"] }, { required: ["b"] }],
    };
    expectCalls(
      [tool("t", schema)],
      [`await api.t({ a: "x" });`, `await api.t({ b: 1 });`],
      [`await api.t({});`, `await api.t({ a: 1 });`],
    );
  });

  it("a required key the properties leave out is still required", () => {
    const schema = { type: "object", properties: { a: str }, required: ["a", "b"] };
    expectCalls([tool("t", schema)], [`await api.t({ a: "x", b: 1 });`], [`await api.t({ a: "x" });`]);
  });

  it("`type` still holds next to enum", () => {
    const schema = { type: "object", properties: { e: { type: "string", enum: ["x", null] } } };
    expectCalls([tool("t", schema)], [`await api.t({ e: "x" });`], [`await api.t({ e: null });`]);
  });
});

describe("descriptions", () => {
  it("keeps the descriptions of anyOf/oneOf branches and allOf members", () => {
    const decls = generateDeclarations([
      tool("t", {
        type: "object",
        properties: {
          target: {
            anyOf: [
              { type: "string", description: "A URL" },
              { type: "number", description: "A tab index" },
            ],
          },
          mode: {
            oneOf: [
              { const: "a", description: "Fast" },
              { const: "b", description: "Careful" },
            ],
          },
          size: { allOf: [{ type: "integer" }, { description: "In pixels", default: 0 }] },
        },
      }),
    ]);
    for (const text of ["A URL", "A tab index", "Fast", "Careful", "In pixels", "@default 0"])
      expect(decls).toContain(text);
    expect(typeErrors(decls)).toEqual([]);
    expectCalls(
      [
        tool("t", {
          type: "object",
          properties: {
            target: {
              anyOf: [
                { type: "string", description: "A URL" },
                { type: "number", description: "An index" },
              ],
            },
          },
        }),
      ],
      [`await api.t({ target: "x" });`, `await api.t({ target: 1 });`],
      [`await api.t({ target: true });`],
    );
  });

  it("writes a $ref to a sibling property as that property's type, with no alias chain", () => {
    // As the sequential-thinking server does.
    const schema = {
      type: "object",
      properties: {
        next: { type: ["boolean", "string"], description: "Whether another step is needed" },
        isRevision: { $ref: "#/properties/next", description: "Whether this revises" },
        more: { $ref: "#/properties/isRevision", description: "If more are needed" },
      },
      required: ["next"],
    };
    const decls = generateDeclarations([tool("think", schema)]);
    expect(decls).not.toMatch(/\btype \w+ =/);
    expect(decls).toContain("isRevision?: boolean | string; // Whether this revises");
    expect(decls).toContain("more?: boolean | string; // If more are needed");
    expect(decls).not.toContain("Whether another step is needed\n more");
    expectCalls(
      [tool("think", schema)],
      [`await api.think({ next: true, more: "yes" });`],
      [`await api.think({ next: true, more: 1 });`],
    );
  });
});

describe("form", () => {
  it("does not repeat a bound or default the description already states", () => {
    const decls = generateDeclarations([
      tool("t", {
        type: "object",
        properties: {
          perPage: { type: "number", minimum: 1, maximum: 100, description: "Results per page (min 1, max 100)" },
          page: { type: "number", minimum: 1, default: 1, description: "Page number (default: 2)" },
        },
      }),
    ]);
    expect(decls).toContain("perPage?: number; // Results per page (min 1, max 100)\n");
    expect(decls).toContain("page?: number; // Page number (default: 2) @minimum 1 @default 1\n");
  });

  it("writes a union inside a union without parentheses", () => {
    const decls = generateDeclarations([
      tool("t", { type: "object", properties: { m: { anyOf: [{ enum: ["a", "b"] }, { type: "null" }] } } }),
    ]);
    expect(decls).toContain(`m?: "a" | "b" | null`);
    expect(decls).not.toContain('("');
  });

  it("says a namespace once in type names", () => {
    const big = {
      type: "object",
      properties: Object.fromEntries(
        ["a", "b", "c", "d", "e", "f", "g"].map((k) => [k, { type: "string", description: k }]),
      ),
    };
    const decls = generateDeclarations([
      tool("git_log", big, { namespace: "git" }),
      tool("log", { ...big, required: ["a"] }, { namespace: "github" }),
    ]);
    expect(decls).toContain("interface GitLogInput {");
    expect(decls).toContain("interface GithubLogInput {");
    expect(decls).not.toContain("GitGit");
  });
});
