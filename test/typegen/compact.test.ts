// The declarations are prompt text: small types inline, identical big ones declared once.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Tool } from "../../src/tools/tool.ts";
import { generateDeclarations } from "../../src/typegen/declarations.ts";
import { fixtureTools, tool, typeErrors } from "./type-check.ts";

const fixture = (file: string) =>
  JSON.parse(readFileSync(new URL(`../fixtures/schemas/${file}`, import.meta.url), "utf8"));

/** Diagnostics for `body` run as an async program against `decls`. */
const check = (decls: string, body: string) => typeErrors(`${decls}async function program() {\n${body}\n}\n`);
const count = (text: string, part: string) => text.split(part).length - 1;
const object = (properties: Record<string, unknown>, required = Object.keys(properties)) => ({
  type: "object",
  properties,
  required,
});
const str = { type: "string" };
const num = { type: "number" };

describe("inline types", () => {
  it("writes small inputs and results in the signature, with no declaration", () => {
    const decls = generateDeclarations([
      tool("mkdir", object({ path: str }), { outputSchema: object({ content: str }), namespace: "files" }),
      tool("ping", { type: "object", properties: {} }),
    ]);
    expect(decls).toBe(`declare const api: {
 files: {
  mkdir(input: { path: string }): Promise<{ content: string }>; // The mkdir tool.
 };
 ping(input?: Record<string, unknown>): Promise<unknown>; // The ping tool.
};
`);
    expect(
      check(decls, `const r = await api.files.mkdir({ path: "a" }); const c: string = r.content; await api.ping();`),
    ).toEqual([]);
    expect(check(decls, `await api.files.mkdir({ path: 1 });`)).not.toEqual([]);
    expect(check(decls, `const n: number = (await api.files.mkdir({ path: "a" })).content;`)).not.toEqual([]);
  });

  it("declares a big input or result on its own, named after the tool", () => {
    const documented = (n: number) =>
      Object.fromEntries(Array.from({ length: n }, (_, i) => [`p${i}`, { type: "string", description: `Part ${i}` }]));
    const decls = generateDeclarations([
      tool("big", object(documented(6)), { outputSchema: object(documented(5)) }),
      tool("small", object(documented(2))),
    ]);
    expect(decls).toContain("interface BigInput {\n p0: string; // Part 0\n");
    expect(decls).toContain("interface BigOutput {\n");
    expect(decls).toContain("big(input: BigInput): Promise<BigOutput>;");
    // Two documented members still read well in place.
    expect(decls).toContain("small(input: {\n  p0: string; // Part 0\n  p1: string; // Part 1\n }): Promise");
    expect(typeErrors(decls)).toEqual([]);
    const all = `{ p0: "", p1: "", p2: "", p3: "", p4: "", p5: "" }`;
    expect(check(decls, `const r = await api.big(${all}); r.p2.length;`)).toEqual([]);
    expect(check(decls, `await api.big({ p0: "", p1: "", p2: "" });`)).not.toEqual([]);
    expect(check(decls, `const r = await api.big(${all}); r.p5;`)).not.toEqual([]);
  });

  it("declares a long union as a type alias", () => {
    const branch = (key: string) => object({ [`${key}_with_a_long_name`]: str, [`${key}_other`]: num });
    const decls = generateDeclarations([tool("pick", { anyOf: [branch("first"), branch("second")] })]);
    expect(decls).toMatch(/^type PickInput = \{ first_with_a_long_name: string; first_other: number \} \| \{/);
    expect(decls).toContain("pick(input: PickInput): Promise<unknown>;");
    expect(check(decls, `await api.pick({ second_with_a_long_name: "a", second_other: 1 });`)).toEqual([]);
    expect(check(decls, `await api.pick({ second_with_a_long_name: "a" });`)).not.toEqual([]);
  });

  it("moves the root schemas' descriptions to @param and @returns", () => {
    const decls = generateDeclarations([
      tool(
        "t",
        { ...object({ a: str }), description: "What to\n  look for" },
        { outputSchema: { ...object({ b: str }), description: "What came" } },
      ),
    ]);
    expect(decls).toContain(
      " t(input: { a: string }): Promise<{ b: string }>; // The t tool. @param input What to look for @returns What came\n",
    );
  });
});

describe("shared types", () => {
  const memory = fixtureTools(fixture("mcp-memory.json"));
  const decls = generateDeclarations(memory);

  it("declares the memory server's entity and relation once, used everywhere", () => {
    expect(count(decls, "interface Entity {")).toBe(1);
    expect(count(decls, "interface Relation {")).toBe(1);
    expect(count(decls, "entityType: string;")).toBe(1);
    expect(count(decls, "relationType: string;")).toBe(1);
    expect(decls).toContain("create_entities(input: { entities: Entity[] }): Promise<{ entities: Entity[] }>;");
    expect(count(decls, "Promise<{ entities: Entity[]; relations: Relation[] }>")).toBe(3);
    // JSDoc goes with the one declaration.
    expect(decls).toContain("interface Entity {\n name: string; // The name of the entity\n");
  });

  it("still checks every call and result through the shared type", () => {
    const ok = (body: string) => expect(check(decls, body)).toEqual([]);
    const wrong = (body: string) => expect(check(decls, body)).not.toEqual([]);
    ok(`const r = await api.create_entities({ entities: [{ name: "a", entityType: "t", observations: [] }] });
        const t: string = r.entities[0]!.entityType;`);
    ok(`await api.delete_relations({ relations: [{ from: "a", to: "b", relationType: "knows" }] });`);
    ok(`const g = await api.search_nodes({ query: "x" }); g.relations.map((r) => r.from.length);`);
    wrong(`await api.create_entities({ entities: [{ name: "a", entityType: "t" }] });`);
    wrong(`await api.create_relations({ relations: [{ from: "a", to: "b" }] });`);
    wrong(`await api.delete_relations({ relations: [{ from: "a", to: "b", relationType: 1 }] });`);
    wrong(`const g = await api.read_graph(); const n: number = g.entities[0]!.observations;`);
    wrong(`const g = await api.open_nodes({ names: [] }); g.relations[0]!.name;`);
  });

  it("keeps small shared types inline", () => {
    const filesystem = generateDeclarations(fixtureTools(fixture("mcp-filesystem.json"), "files"));
    expect(count(filesystem, "Promise<{ content: string }>")).toBeGreaterThan(10);
    expect(count(filesystem, "input: { path: string }")).toBeGreaterThan(2);
    expect(filesystem).not.toMatch(/interface \w+ \{ (content|path): string \}/);
  });

  it("merges only identical types: a different doc, type or required flag is another type", () => {
    const item = (a: unknown, required: string[], doc = "Bee") => {
      const items = { type: "object", properties: { a, b: { type: "string", description: doc } }, required };
      return object({ list: { type: "array", items } });
    };
    const d = generateDeclarations([
      tool("one", item(str, ["a", "b"])),
      tool("two", item(str, ["a", "b"])),
      tool("three", item(str, ["b"])),
      tool("four", item(num, ["a", "b"])),
      tool("five", item(str, ["a", "b"], "Another bee")),
    ]);
    expect(typeErrors(d)).toEqual([]);
    expect(count(d, "interface ListItem")).toBe(1);
    expect(d).toContain("interface ListItem {\n a: string;\n b: string; // Bee\n}");
    expect(d).toContain("one(input: { list: ListItem[] })");
    expect(d).toContain("two(input: { list: ListItem[] })");
    // The others are each used once: inline, in their tool's own declaration.
    expect(d).toContain("three(input: {\n  list: {\n   a?: string;");
    expect(d).toContain("four(input: {\n  list: {\n   a: number;");
    expect(d).toContain("five(input: {\n  list: {\n   a: string;\n   b: string; // Another bee");
    expect(check(d, `await api.one({ list: [{ a: "x", b: "y" }] }); await api.three({ list: [{ b: "y" }] });`)).toEqual(
      [],
    );
    expect(check(d, `await api.four({ list: [{ a: 1, b: "y" }] });`)).toEqual([]);
    expect(check(d, `await api.two({ list: [{ b: "y" }] });`)).not.toEqual([]);
    expect(check(d, `await api.four({ list: [{ a: "x", b: "y" }] });`)).not.toEqual([]);
  });

  it("names shared types after where they first appear, without clashes or built-ins", () => {
    const documented = { type: "object", properties: { v: { type: "string", description: "Value" } }, required: ["v"] };
    const other = { type: "object", properties: { w: { type: "number", description: "Weight" } }, required: ["w"] };
    const list = (items: unknown) => ({ type: "array", items });
    const tools: Tool[] = [
      tool("a", object({ items: list(documented), promises: list(other) })),
      tool("b", object({ items: list(other), promise: documented })),
      // Its definition takes the plain name `Item` first, so the shared type from `items` is `Item2`.
      tool("c", {
        ...object({ x: { $ref: "#/$defs/Item" }, y: { $ref: "#/$defs/Item" }, more: list(other) }, ["x"]),
        $defs: { Item: str },
      }),
    ];
    const d = generateDeclarations(tools);
    expect(typeErrors(d)).toEqual([]);
    // `Item` is the definition's; `Promise` is the built-in's.
    expect(d).toContain("type Item = string;");
    expect(d).toContain("interface Item2 {");
    expect(d).toContain("interface Promise2 {");
    expect(d).not.toMatch(/interface Promise\b/);
    expect(count(d, "v: string;")).toBe(1);
    expect(count(d, "w: number;")).toBe(1);
    expect(generateDeclarations([...tools].reverse())).toBe(d);
    expect(
      check(
        d,
        `await api.a({ items: [{ v: "x" }], promises: [{ w: 1 }] }); await api.b({ items: [{ w: 2 }], promise: { v: "y" } }); await api.c({ x: "s" });`,
      ),
    ).toEqual([]);
    expect(check(d, `await api.b({ items: [{ v: "x" }], promise: { v: "y" } });`)).not.toEqual([]);
    expect(check(d, `await api.a({ items: [{ w: 1 }], promises: [] });`)).not.toEqual([]);
  });

  it("writes a type inside a shared one inline when nothing else uses it", () => {
    const inner = { type: "object", properties: { deep: { type: "string", description: "Deep" } }, required: ["deep"] };
    const outer = {
      type: "object",
      properties: { inner, label: { type: "string", description: "Label" } },
      required: ["inner", "label"],
    };
    const d = generateDeclarations([tool("x", object({ outer })), tool("y", object({ outer }))]);
    expect(count(d, "interface ")).toBe(1);
    expect(d).toContain("interface Outer {\n inner: {\n  deep: string; // Deep\n };");
    expect(check(d, `await api.x({ outer: { inner: { deep: "" }, label: "" } });`)).toEqual([]);
    expect(check(d, `await api.y({ outer: { inner: {}, label: "" } });`)).not.toEqual([]);
  });

  it("writes the same structure as a $ref target by the definition's name", () => {
    const point = { type: "object", properties: { x: num, y: num }, required: ["x", "y"], description: "A point" };
    const d = generateDeclarations([
      tool("draw", {
        ...object({ at: { $ref: "#/$defs/Point" }, from: { $ref: "#/$defs/Point" } }, ["at"]),
        $defs: { Point: point },
      }),
      tool("move", object({ to: { type: "object", properties: { x: num, y: num }, required: ["x", "y"] } })),
    ]);
    expect(count(d, "x: number")).toBe(1);
    expect(d).toContain("// A point\ninterface Point { x: number; y: number }");
    expect(d).toContain("move(input: { to: Point })");
    expect(check(d, `await api.draw({ at: { x: 1, y: 2 } }); await api.move({ to: { x: 1, y: 2 } });`)).toEqual([]);
    expect(check(d, `await api.move({ to: { x: 1 } });`)).not.toEqual([]);
  });

  it("writes a definition used once where it is used, its description with it", () => {
    const point = { type: "object", properties: { x: num, y: num }, required: ["x", "y"], description: "A point" };
    const d = generateDeclarations([
      tool("draw", { ...object({ at: { $ref: "#/$defs/Point" } }), $defs: { Point: point } }),
    ]);
    expect(d).not.toContain("Point");
    expect(d).toContain("at: { x: number; y: number }; // A point");
    expect(check(d, `await api.draw({ at: { x: 1, y: 2 } });`)).toEqual([]);
    expect(check(d, `await api.draw({ at: { x: 1 } });`)).not.toEqual([]);
  });

  it("declares members that many inputs repeat once, each input the intersection with its own", () => {
    const repo = {
      owner: { type: "string", description: "Repository owner" },
      repo: { type: "string", description: "Repository name" },
    };
    const tools = ["issue", "pull", "branch", "tag"].map((name) =>
      tool(`get_${name}`, object({ ...repo, [`${name}_id`]: { type: "number", description: `The ${name}` } })),
    );
    const d = generateDeclarations(tools);
    expect(count(d, "// Repository owner")).toBe(1);
    expect(d).toContain(
      "interface OwnerRepo {\n owner: string; // Repository owner\n repo: string; // Repository name\n}",
    );
    expect(d).toContain("get_tag(input: OwnerRepo & {\n  tag_id: number; // The tag\n }): Promise<unknown>;");
    expect(check(d, `await api.get_tag({ owner: "o", repo: "r", tag_id: 1 });`)).toEqual([]);
    expect(check(d, `await api.get_tag({ owner: "o", tag_id: 1 });`)).not.toEqual([]);
    expect(check(d, `await api.get_tag({ owner: "o", repo: "r", tag_id: 1, issue_id: 2 });`)).not.toEqual([]);
  });

  it("keeps the real servers' declarations compact", () => {
    const all = generateDeclarations([...memory, ...fixtureTools(fixture("mcp-filesystem.json"), "files")]);
    // Before inlining and sharing, these were 13.7k characters with an interface per input and result.
    expect(all.length).toBeLessThan(10_000);
    expect(count(all, "interface ")).toBeLessThan(12);
    expect(typeErrors(all)).toEqual([]);
  });
});
