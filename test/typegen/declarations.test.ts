import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { generateDeclarations } from "../../src/typegen/declarations.ts";
import { buildApiLayout } from "../../src/typegen/names.ts";
import { fixtureTools, tool, typeErrors } from "./type-check.ts";

const fixture = (file: string) =>
  JSON.parse(readFileSync(new URL(`../fixtures/schemas/${file}`, import.meta.url), "utf8"));
const filesystem = fixtureTools(fixture("mcp-filesystem.json"), "files");
const memory = fixtureTools(fixture("mcp-memory.json"));
const features = fixtureTools(fixture("features.json"));
const corpus = [...filesystem, ...memory, ...features];
const declarations = generateDeclarations(corpus);

/** Diagnostics for `body` run as an async program against the declarations of `tools`. */
function check(body: string, decls = declarations): string[] {
  return typeErrors(`${decls}async function program() {\n${body}\n}\n`);
}

describe("generateDeclarations: the corpus compiles", () => {
  it("has the real MCP servers' tools in it", () => {
    expect(filesystem.map((t) => t.name)).toContain("read_text_file");
    expect(memory.map((t) => t.name)).toContain("create_entities");
  });

  it.each([
    ["mcp-filesystem.json", filesystem],
    ["mcp-memory.json", memory],
    ["features.json", features],
    ["all together", corpus],
  ])("%s: zero diagnostics", (_, tools) => {
    expect(typeErrors(generateDeclarations(tools))).toEqual([]);
  });

  it("declares every tool at its buildApiLayout path", () => {
    const uses = buildApiLayout(corpus).map(({ path }, i) => `const f${i} = api.${path.join(".")};`);
    expect(check(uses.join("\n"))).toEqual([]);
  });
});

describe("generateDeclarations: the types mean something", () => {
  const ok = (body: string) => expect(check(body)).toEqual([]);
  // The declarations themselves are clean (above), so any diagnostic comes from the call.
  const wrong = (body: string) => expect(check(body)).not.toEqual([]);

  it("real MCP tools: right calls check, wrong ones do not", () => {
    ok(`const r = await api.files.read_text_file({ path: "/a", head: 3 }); const text: string = r.content;`);
    ok(`await api.create_entities({ entities: [{ name: "a", entityType: "t", observations: [] }] });`);
    ok(
      `const g = await api.read_graph(); g.relations[0]?.relationType.toUpperCase(); await api.files.list_allowed_directories();`,
    );
    ok(`await api.files.list_directory_with_sizes({ path: ".", sortBy: "size" });`);
    wrong(`await api.files.read_text_file({});`);
    wrong(`await api.files.read_text_file({ path: 1 });`);
    wrong(`await api.files.read_text_file({ path: "a", extra: 1 });`);
    wrong(`await api.files.read_text_file();`);
    wrong(`await api.files.no_such_tool({ path: "a" });`);
    wrong(`const n: number = (await api.files.read_text_file({ path: "a" })).content;`);
    wrong(`await api.create_entities({ entities: [{ name: "a" }] });`);
    wrong(`await api.files.list_directory_with_sizes({ path: ".", sortBy: "date" });`);
  });

  it("nested objects", () => {
    ok(
      `const r = await api.nested_objects({ name: "a", address: { street: "s", geo: { lat: 1, lng: 2 } } }); const id: number = r.id;`,
    );
    wrong(`await api.nested_objects({ name: "a", address: { street: "s", geo: { lat: 1 } } });`);
  });

  it("arrays and tuples", () => {
    ok(
      `await api.arrays_and_tuples({ point: [1, 2], legacy: ["a", 1, true, false], range: [1], matrix: [[1], []], mixed: ["a", 1] });`,
    );
    wrong(`await api.arrays_and_tuples({ point: [1, 2, 3] });`);
    wrong(`await api.arrays_and_tuples({ point: ["a", 1] });`);
    wrong(`await api.arrays_and_tuples({ point: [1, 2], legacy: ["a", 1, "x"] });`);
  });

  it("enums and const", () => {
    ok(`await api.enums_and_const({ mode: "fast", kind: "fixed", level: 2, mixed: null, shape: [1, "x"] });`);
    wrong(`await api.enums_and_const({ mode: "medium", kind: "fixed" });`);
    wrong(`await api.enums_and_const({ mode: "fast", kind: "other" });`);
    wrong(`await api.enums_and_const({ mode: "fast", kind: "fixed", level: 4 });`);
  });

  it("anyOf, oneOf and allOf", () => {
    ok(`await api.unions({ id: 1, target: { kind: "user", userId: "u" }, both: { a: "x", b: 1 } });`);
    ok(`await api.unions({ id: "1", target: { kind: "team", teamId: 2 }, either: { phone: "1" } });`);
    wrong(`await api.unions({ id: true, target: { kind: "user", userId: "u" } });`);
    wrong(`await api.unions({ id: 1, target: { kind: "user", teamId: 1 } });`);
    wrong(`await api.unions({ id: 1, target: { kind: "user", userId: "u" }, both: { a: "x" } });`);
  });

  it("nullable and type arrays", () => {
    ok(
      `await api.nullable({ openapi: null, typeArray: null, objectOrNull: null, anyOfNull: null, list: ["a", null] });`,
    );
    ok(`await api.nullable({ openapi: "a", typeArray: "b", objectOrNull: { x: 1 }, anyOfNull: 3 });`);
    wrong(`await api.nullable({ openapi: 1, typeArray: null, objectOrNull: null, anyOfNull: null });`);
  });

  it("local $ref, $defs and definitions, scoped per tool and per schema", () => {
    ok(
      `const r = await api.refs({ home: { city: "x" }, slashed: 1, spaced: true, color: "red", old: { v: 1 }, same: { city: "y" } }); const id: string = r.saved.id;`,
    );
    ok(`await api.refs_again({ at: "x" });`);
    wrong(`await api.refs({ home: { city: "x" }, color: "blue" });`);
    wrong(`const r = await api.refs({ home: { city: "x" } }); r.saved.city;`);
    wrong(`await api.refs_again({ at: { city: "x" } });`);
    // Only what is used is declared.
    expect(declarations).not.toMatch(/Unused/);
  });

  it("recursive definitions", () => {
    ok(
      `const r = await api.recursive_tree({ root: { value: "a", children: [{ value: "b", children: [] }] }, parent: { root: { value: "c" } }, json: { a: [1, "x", null, { b: true }] } }); r.next?.next?.next;`,
    );
    wrong(`await api.recursive_tree({ root: { value: "a", children: [{ value: 1 }] } });`);
    wrong(`await api.recursive_tree({ root: { value: "a" }, parent: { root: { value: 2 } } });`);
    // Cycles TS cannot express as aliases degrade to unknown rather than breaking the program.
    ok(`await api.recursive_aliases({ a: 1, self: "x", wrapped: { x: "y" } });`);
  });

  it("additionalProperties and patternProperties", () => {
    ok(
      `await api.maps({ counts: { a: 1 }, empty: {}, open: { a: [] }, free: { b: 1 }, mixed: { name: "n", extra: true }, headers: { "x-a": "1" }, objectMap: { k: { n: 1 } } });`,
    );
    wrong(`await api.maps({ counts: { a: "x" } });`);
    wrong(`await api.maps({ empty: { a: 1 } });`);
    wrong(`await api.maps({ closed: { a: "x", b: 1 } });`);
    wrong(`await api.maps({ mixed: { extra: true } });`);
  });

  it("quoted keys and reserved words as property names", () => {
    ok(
      `await api.quoted_keys({ "content-type": "x", default: "d", new: "n", "2fa": true, "": "e", "quote\\"d": "q", class: "c", constructor: "k" });`,
    );
    wrong(`await api.quoted_keys({ default: "d", new: "n" });`);
  });

  it("boolean schemas, missing types, outside refs", () => {
    ok(`await api.boolean_schemas({ anything: [1] }); await api.accepts_anything(); await api.accepts_anything(42);`);
    wrong(`await api.boolean_schemas({ anything: 1, nothing: 1 });`);
    ok(
      `await api.missing_types({ inferredObject: { a: "x" }, inferredArray: [1], empty: {}, integer: 1, strange: new Date() });`,
    );
    wrong(`await api.missing_types({ inferredArray: ["x"] });`);
    ok(`await api.external_refs({ remote: 1, anchor: "x", missing: null });`);
    expect(declarations).toContain("unknown /* $ref https://example.com/schemas/thing.json */");
  });

  it("optional input only when the schema accepts an empty object", () => {
    ok(`await api.no_arguments(); await api.empty_schema(); await api.maps();`);
    ok(`await api.root_union({ url: "x" }); await api.root_union({ path: "y" });`);
    wrong(`await api.root_union();`);
    wrong(`await api.root_union({});`);
    wrong(`await api.nested_objects();`);
  });
});

describe("generateDeclarations: JSDoc", () => {
  it("carries descriptions, bounds, formats, defaults, examples and deprecation", () => {
    expect(declarations).toContain("count: number; // How many @minimum 1 @maximum 100 @default 10\n");
    expect(declarations).toContain('when?: string; // @format date-time @example "2024-01-01T00:00:00Z"\n');
    expect(declarations).toContain("items?: string[]; // @minItems 1 @maxItems 5 @uniqueItems true\n");
    expect(declarations).toContain("old?: string; // Use code instead. @deprecated\n");
    expect(declarations).toContain(
      " read_graph(input?: Record<string, unknown>): Promise<{ entities: Entity[]; relations: Relation[] }>; // Read the entire knowledge graph\n",
    );
  });

  it("a */ in any text never ends the comment early", () => {
    // Every comment opened is closed exactly where the generator meant it to be.
    const comments = declarations.match(/\/\*[\s\S]*?\*\//g) ?? [];
    for (const c of comments) expect(c.slice(2, -2)).not.toContain("*/");
    expect(declarations).toContain("Ends a comment *\\/ early");
    expect(declarations).toContain('glob: string; // Like **\\/*.ts *\\/ @default "**\\/*"\n');
    // The real filesystem server's search_files description has "**/*.ext" in it.
    expect(declarations).toContain("'**\\/*.ext'");
    expect(check(`await api.comment_breaker({ glob: "*", mode: "*/" });`)).toEqual([]);
  });

  it("keeps multi-line descriptions without blank-line runs", () => {
    expect(declarations).toContain(
      " /** Ends a comment *\\/ early /* and opens one.\n\nSecond paragraph with @param-like text.\n@param input Root text *\\/ too */\n comment_breaker(",
    );
    // One blank line may part paragraphs inside a comment; never a run of them.
    expect(declarations).not.toMatch(/\n[ \t]*\n[ \t]*\n/);
  });
});

describe("generateDeclarations: names", () => {
  it("makes my-tool.v2 and my_tool_v2 two distinct, callable tools", () => {
    const tools = [
      tool("my-tool.v2", { type: "object", properties: { a: { type: "string" } }, required: ["a"] }),
      tool("my_tool_v2", { type: "object", properties: { b: { type: "number" } }, required: ["b"] }),
      tool("my_tool_v22", { type: "object", properties: { c: { type: "boolean" } }, required: ["c"] }),
    ];
    const decls = generateDeclarations(tools);
    const paths = buildApiLayout(tools).map((e) => [e.tool.name, e.path.join(".")]);
    expect(paths).toEqual([
      ["my-tool.v2", "my_tool_v2_2"],
      ["my_tool_v2", "my_tool_v2"],
      ["my_tool_v22", "my_tool_v22"],
    ]);
    // Were two input types to share a name, TS would merge them and demand both properties.
    expect(
      check(
        `await api.my_tool_v2_2({ a: "x" }); await api.my_tool_v2({ b: 1 }); await api.my_tool_v22({ c: true });`,
        decls,
      ),
    ).toEqual([]);
    expect(check(`await api.my_tool_v2_2({ b: 1 });`, decls)).not.toEqual([]);
  });

  it("keeps type names apart when paths run together and definitions echo tool names", () => {
    const input = (key: string) => ({ type: "object", properties: { [key]: { type: "string" } }, required: [key] });
    const tools = [
      tool("a_b", input("nsTool"), { namespace: "x" }),
      tool("x_a_b", input("flat")),
      // Its definition `Input` would be named XInput, which the tool `x` already owns.
      tool("x", {
        type: "object",
        properties: { d: { $ref: "#/$defs/Input" } },
        required: ["d"],
        $defs: { Input: input("def") },
      }),
    ];
    const decls = generateDeclarations(tools);
    expect(typeErrors(decls)).toEqual([]);
    expect(check(`await api.x.a_b({ nsTool: "1" }); await api.x_a_b({ flat: "2" });`, decls)).toEqual([]);
  });

  it("never shadows a built-in type", () => {
    const decls = generateDeclarations([
      tool("readonly", {
        type: "object",
        properties: { a: { $ref: "#/$defs/Array" } },
        $defs: { Array: { type: "string" } },
      }),
      tool("promise", {
        type: "object",
        properties: { a: { $ref: "#/$defs/Like" } },
        $defs: { Like: { type: "number" } },
      }),
    ]);
    expect(decls).not.toMatch(/\b(interface|type) (ReadonlyArray|PromiseLike)\b/);
    expect(
      check(
        `const xs: ReadonlyArray<number> = [1]; const p: PromiseLike<number> = Promise.resolve(1); await api.readonly({ a: "x" }); await api.promise({ a: 1 });`,
        decls,
      ),
    ).toEqual([]);
  });

  it("accepts reserved words as tool and namespace names", () => {
    const schema = { type: "object", properties: { a: { type: "string" } }, required: ["a"] };
    const tools = ["new", "delete", "class", "function", "get", "readonly", "typeof"].map((n) => tool(n, schema));
    tools.push(tool("new", schema, { namespace: "new" }), tool("default", schema, { namespace: "new" }));
    const calls = buildApiLayout(tools).map(({ path }) => `await api.${path.join(".")}({ a: "x" });`);
    expect(check(calls.join("\n"), generateDeclarations(tools))).toEqual([]);
    expect(check(`await api.new({ a: 1 });`, generateDeclarations(tools))).not.toEqual([]);
  });
});

describe("generateDeclarations: determinism and form", () => {
  it("gives the same text for the same tools, whatever their order", () => {
    expect(generateDeclarations(corpus)).toBe(declarations);
    expect(generateDeclarations([...corpus].reverse())).toBe(declarations);
    expect(generateDeclarations(fixtureTools(structuredClone(fixture("features.json"))))).toBe(
      generateDeclarations(features),
    );
  });

  it("is compact for simple tools", () => {
    const decls = generateDeclarations([
      tool(
        "memory_read",
        { type: "object", properties: { key: { type: "string", description: "Key to read" } }, required: ["key"] },
        { outputSchema: { type: "object", properties: { value: { type: ["string", "null"] } }, required: ["value"] } },
      ),
      tool(
        "schedule",
        {
          type: "object",
          properties: { at: { type: "string", format: "date-time" }, note: { type: "string" } },
          required: ["at"],
        },
        { namespace: "cal" },
      ),
    ]);
    expect(decls).toBe(`declare const api: {
 cal: {
  // The schedule tool.
  schedule(input: {
   at: string; // @format date-time
   note?: string;
  }): Promise<unknown>;
 };
 // The memory_read tool.
 memory_read(input: {
  key: string; // Key to read
 }): Promise<{ value: string | null }>;
};
`);
  });

  it("declares an empty api for no tools", () => {
    const decls = generateDeclarations([]);
    expect(decls).toBe("declare const api: {\n};\n");
    expect(typeErrors(decls)).toEqual([]);
  });

  it("keeps the schema's property order", () => {
    const decls = generateDeclarations([
      tool("t", {
        type: "object",
        properties: { zebra: { type: "string" }, apple: { type: "string" }, mango: { type: "string" } },
      }),
    ]);
    expect(decls).toContain("{ zebra?: string; apple?: string; mango?: string }");
  });
});
