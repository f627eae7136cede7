import { createRequire } from "node:module";
import type { Ajv, ErrorObject, ValidateFunction } from "ajv";
import type { JsonSchema, Tool } from "../tools/tool.ts";

// Tool schemas come from anywhere (MCP servers, zod, hand-written): unknown keywords and
// formats are tolerated rather than refused, so a call is never blocked by schema pedantry.
const options = { strict: false, allErrors: true, allowUnionTypes: true, validateFormats: true } as const;

// Ajv takes tens of ms to load: it is required on the first check, not with `import "code-mode"`
// (createCodeModeTool warms it up while the runtime starts). All three packages ship CommonJS.
const require = createRequire(import.meta.url);
let compilers: { draft07: Ajv; draft2020: Ajv } | undefined;

/** The draft-07 and 2020-12 compilers, loaded on first use. */
export function schemaCompilers(): { draft07: Ajv; draft2020: Ajv } {
  if (!compilers) {
    const { Ajv } = require("ajv") as typeof import("ajv");
    const { Ajv2020 } = require("ajv/dist/2020.js") as typeof import("ajv/dist/2020.js");
    const formats = require("ajv-formats") as { default: (ajv: Ajv) => Ajv };
    compilers = {
      draft07: formats.default(new Ajv(options)),
      draft2020: formats.default(new Ajv2020(options) as unknown as Ajv),
    };
  }
  return compilers;
}

export type InputCheck = (input: unknown) => string | undefined;

const cache = new WeakMap<Tool, InputCheck>();

/** A compiled check of a tool's input, made once per tool: returns a message, or undefined when valid. */
export function inputCheckFor(tool: Tool, label: string): InputCheck {
  let check = cache.get(tool);
  if (!check) {
    check = compile(tool.inputSchema, label);
    cache.set(tool, check);
  }
  return check;
}

/** Compiles a tool's JSON Schema (draft-07, or 2020-12 when it says so); throws when it is invalid. */
export function compileSchema(schema: JsonSchema): ValidateFunction {
  const { draft07, draft2020 } = schemaCompilers();
  if (typeof schema === "boolean") return draft07.compile(schema);
  const { $schema, $id: _id, ...rest } = schema as Record<string, unknown>;
  const ajv = typeof $schema === "string" && $schema.includes("2020-12") ? draft2020 : draft07;
  try {
    return ajv.compile(rest);
  } finally {
    // Ajv keeps every compiled schema (and its $ids) forever; tools come and go (an MCP server
    // re-lists its tools on every change), so the compiled function is all we keep.
    ajv.removeSchema(rest);
  }
}

function compile(schema: JsonSchema, label: string): InputCheck {
  let validate: ValidateFunction;
  try {
    validate = compileSchema(schema);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return () =>
      `${label} cannot be called: its input schema is invalid (${reason}). This is a problem of the tool, not of your program; use another tool.`;
  }
  return (input) => (validate(input) ? undefined : describe(label, validate.errors ?? [], input));
}

/** Words a model can act on: which tool, where in the input, what was expected, what came. */
function describe(label: string, errors: ErrorObject[], input: unknown): string {
  // anyOf/oneOf produce one error per branch plus a summary; the summary alone reads best.
  const shown = errors.filter((e) => !errors.some((other) => other !== e && isInside(e, other))).slice(0, 5);
  const lines = shown.map((e) => `- ${explain(e, input)}`);
  if (errors.length > shown.length && shown.length === 5) lines.push(`- (${errors.length - 5} more problems)`);
  return `${label} got invalid input:\n${lines.join("\n")}\nFix the arguments to match the declared input type and call again.`;
}

function isInside(inner: ErrorObject, outer: ErrorObject): boolean {
  return (
    (outer.keyword === "anyOf" || outer.keyword === "oneOf") &&
    inner.schemaPath.startsWith(outer.schemaPath.replace(/\/(anyOf|oneOf)$/, "")) &&
    inner.schemaPath !== outer.schemaPath
  );
}

function explain(error: ErrorObject, input: unknown): string {
  const at = pathText(error.instancePath);
  const got = describeValue(valueAt(input, error.instancePath));
  const p = error.params as Record<string, any>;
  switch (error.keyword) {
    case "required":
      return `${at} is missing the required property "${p.missingProperty}"`;
    case "additionalProperties":
      return `${at} has the property "${p.additionalProperty}", which is not allowed`;
    case "type":
      return `${at} must be ${article(String(p.type))}, but got ${got}`;
    case "enum":
      return `${at} must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}, but got ${got}`;
    case "const":
      return `${at} must be ${JSON.stringify(p.allowedValue)}, but got ${got}`;
    case "anyOf":
    case "oneOf":
      return `${at} matches none of the allowed shapes (${error.keyword}), got ${got}`;
    default:
      return `${at} ${error.message ?? "is invalid"}, got ${got}`;
  }
}

function pathText(instancePath: string): string {
  if (!instancePath) return "input";
  return `input${instancePath
    .split("/")
    .slice(1)
    .map((part) => part.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((part) =>
      /^\d+$/.test(part) ? `[${part}]` : /^[A-Za-z_$][\w$]*$/.test(part) ? `.${part}` : `[${JSON.stringify(part)}]`,
    )
    .join("")}`;
}

function valueAt(input: unknown, instancePath: string): unknown {
  let value = input;
  for (const part of instancePath.split("/").slice(1)) {
    if (typeof value !== "object" || value === null) return undefined;
    value = (value as Record<string, unknown>)[part.replace(/~1/g, "/").replace(/~0/g, "~")];
  }
  return value;
}

function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === "object") return "an object";
  const text = JSON.stringify(value) ?? String(value);
  return `${text.length > 60 ? `${text.slice(0, 60)}…` : text} (${typeof value})`;
}

function article(type: string): string {
  return type
    .split(",")
    .map((t) => (/^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`))
    .join(" or ");
}
