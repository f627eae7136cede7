import { describe, expect, it } from "vitest";
import type { Tool } from "../../src/tools/tool.ts";
import { generateDeclarations } from "../../src/typegen/declarations.ts";
import { tool, typeErrors } from "./type-check.ts";

// Schemas come from other people's servers. None of these may throw or yield broken TypeScript;
// what cannot be typed becomes `unknown`.
const cyclic: Record<string, unknown> = { type: "object" };
cyclic.properties = { self: cyclic };
let deep: unknown = { type: "string" };
for (let i = 0; i < 5000; i++) deep = { type: "object", properties: { a: deep } };
const throwing = {
  type: "object",
  get properties(): never {
    throw new Error("getter");
  },
};

const schemas: [string, unknown][] = [
  ["null", null],
  ["a number", 42],
  ["a string", "object"],
  ["an array", [{ type: "string" }]],
  ["false", false],
  ["type is a number", { type: 5 }],
  ["type array of junk", { type: [1, null, {}] }],
  ["unknown type names", { type: ["file", "string"] }],
  ["properties is a number", { type: "object", properties: 3 }],
  ["properties is an array", { type: "object", properties: [{ type: "string" }] }],
  ["required is a string", { type: "object", properties: { a: { type: "string" } }, required: "a" }],
  ["required has junk", { type: "object", properties: { a: { type: "string" } }, required: [1, null, "a", "zzz"] }],
  ["enum is a string", { enum: "abc" }],
  ["const is undefined", { const: undefined }],
  ["const is a bigint", { type: "object", properties: { a: { const: 10n } } }],
  ["const is a function", { type: "object", properties: { a: { const: () => 1 } } }],
  ["items is a string", { type: "array", items: "garbage" }],
  ["prefixItems has junk", { type: "array", prefixItems: [null, 3, true, false] }],
  ["$ref is a number", { $ref: 5 }],
  ["$ref is empty", { type: "object", properties: { a: { $ref: "" } } }],
  ["$ref into junk", { type: "object", properties: { a: { $ref: "#/$defs/x/y/z" } }, $defs: { x: 3 } }],
  ["$ref with a broken escape", { type: "object", properties: { a: { $ref: "#/$defs/%E0%A4%A" } } }],
  ["$ref to the root of a non-object", { anyOf: [{ $ref: "#" }, { type: "string" }] }],
  ["allOf is an object", { allOf: { type: "string" } }],
  ["anyOf is empty", { anyOf: [] }],
  ["oneOf of junk", { oneOf: [null, 1, "x"] }],
  ["additionalProperties is a string", { type: "object", additionalProperties: "yes" }],
  ["patternProperties is junk", { type: "object", patternProperties: [1, 2] }],
  [
    "description is a number",
    { type: "object", description: 5, properties: { a: { type: "string", description: {} } } },
  ],
  [
    "tags of odd types",
    { type: "object", properties: { a: { type: "number", minimum: "low", default: 10n, examples: "x", format: {} } } },
  ],
  [
    "a __proto__ key",
    JSON.parse(
      '{"type":"object","properties":{"__proto__":{"type":"string"},"toString":{"type":"number"}},"required":["__proto__"]}',
    ),
  ],
  [
    "text that looks like the generator's own markers",
    {
      type: "object",
      description: "\x010\x02",
      title: "\x010\x02",
      properties: {
        "\x010\x02": { type: "string", description: "\x011\x02 \x03 \x04", enum: ["\x010\x02"] },
        b: { $ref: "#/\x010\x02" },
        c: { type: "object", properties: { "\x010\x02": { const: { "\x010\x02": 1 } } } },
      },
    },
  ],
  [
    "line separators that would end a // comment",
    {
      type: "object",
      description: "a\u2028api = 1;",
      properties: { a: { type: "string", description: "b\u2029declare const x: number; c" } },
    },
  ],
  ["a JS-level cycle", cyclic],
  ["5000 levels of nesting", deep],
  ["a getter that throws", throwing],
];

describe("generateDeclarations with hostile schemas", () => {
  it.each(schemas)("%s: no throw, compiles", (_, schema) => {
    const tools: Tool[] = [
      tool("odd", schema, { outputSchema: schema as Tool["outputSchema"] }),
      tool("fine", { type: "object", properties: { a: { type: "string" } } }),
    ];
    const decls = generateDeclarations(tools);
    expect(typeErrors(`${decls}async function program() { await api.fine({ a: "x" }); }`)).toEqual([]);
  });

  it("survives a tool whose description is not a string", () => {
    const decls = generateDeclarations([
      tool("odd", { type: "object" }, { description: undefined as unknown as string }),
    ]);
    expect(typeErrors(decls)).toEqual([]);
  });
});
