import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import type { JsonSchema, Tool } from "../tools/tool.ts";

// ajv-formats ships CommonJS; its default export arrives wrapped under ESM.
const addFormats = ((addFormatsModule as any).default ?? addFormatsModule) as (ajv: Ajv) => Ajv;

// Tool schemas come from anywhere (MCP servers, zod, hand-written): unknown keywords and
// formats are tolerated rather than refused, so a call is never blocked by schema pedantry.
const options = { strict: false, allErrors: true, allowUnionTypes: true, validateFormats: true } as const;
const draft07 = addFormats(new Ajv(options));
const draft2020 = addFormats(new Ajv2020(options) as unknown as Ajv);

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
