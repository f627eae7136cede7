// Values for checking declarations against JSON Schema: built mechanically from a schema, judged by
// ajv (the same validator the bridge uses), so a test can ask whether the TypeScript compiler agrees.
import type { Ajv, ValidateFunction } from "ajv";
import { Ajv2019 } from "ajv/dist/2019.js";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";

// As the bridge sets ajv up (src/bridge/validate.ts), less what costs time and changes no verdict
// (all errors, optimized code), and draft 2019-09 for draft-07 schemas: it reads them the same way
// and knows `unevaluatedProperties` (see asDeclared).
const addFormats = ((addFormatsModule as any).default ?? addFormatsModule) as (ajv: Ajv) => Ajv;
const options = {
  strict: false,
  allowUnionTypes: true,
  validateFormats: true,
  logger: false as const,
  code: { optimize: false },
};
const draft07 = addFormats(new Ajv2019(options) as unknown as Ajv);
const draft2020 = addFormats(new Ajv2020(options) as unknown as Ajv);

function compile(schema: unknown): ValidateFunction {
  if (typeof schema === "boolean") return draft07.compile(schema);
  const { $schema, $id: _id, ...rest } = schema as Schema;
  const ajv = typeof $schema === "string" && $schema.includes("2020-12") ? draft2020 : draft07;
  try {
    return ajv.compile(rest);
  } finally {
    ajv.removeSchema(rest);
  }
}

type Schema = { [key: string]: unknown };

/**
 * What TypeScript types cannot say, so the declarations only state them in JSDoc and accept every
 * value these keywords would refuse. The "expressible" oracle is the schema without them.
 * - pattern, format, string lengths, numeric ranges and multipleOf: no such types in TS;
 * - uniqueItems, contains, and minItems/maxItems of lists (tuples are exact): a tuple type for a
 *   list would refuse a computed `T[]` that is valid at run time;
 * - minProperties/maxProperties, propertyNames, dependencies, not, if/then/else;
 * - oneOf's "exactly one": a union says "at least one";
 * - additionalProperties: false on a union branch: TS looks for excess properties across all
 *   branches together.
 */
const INEXPRESSIBLE = [
  "pattern",
  "format",
  "minLength",
  "maxLength",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "multipleOf",
  "uniqueItems",
  "contains",
  "minContains",
  "maxContains",
  "minProperties",
  "maxProperties",
  "propertyNames",
  "dependencies",
  "dependentRequired",
  "dependentSchemas",
  "not",
  "if",
  "then",
  "else",
];
const SCHEMA_MAPS = ["properties", "patternProperties", "$defs", "definitions"];
const SCHEMA_LISTS = ["allOf", "anyOf", "oneOf", "prefixItems"];
const SCHEMA_VALUES = ["additionalProperties", "additionalItems", "items", "not", "contains", "propertyNames"];
const MAX_DEPTH = 12;

/** Where a subschema sits. */
interface Place {
  /** A member of allOf/anyOf/oneOf, or the target of a `$ref` that is one. */
  member: boolean;
  /** Combined with keys from elsewhere: an allOf member, or a union member next to properties. */
  composed: boolean;
}

/** A copy of `schema` rewritten by `edit` at every subschema (the root included). */
function mapSchema(schema: unknown, edit: (s: Schema, place: Place) => Schema): unknown {
  const members = new Set<string>();
  const composed = new Set<string>();
  collectMemberRefs(schema, members, composed, 0);
  const walk = (node: unknown, at: string, place: Place, depth: number): unknown => {
    if (typeof node !== "object" || node === null || Array.isArray(node) || depth > MAX_DEPTH) return node;
    const s = edit(
      { ...(node as Schema) },
      {
        member: place.member || members.has(at),
        composed: place.composed || composed.has(at),
      },
    );
    const sub = (v: unknown, path: string, inner: Place = { member: false, composed: false }) =>
      walk(v, `${at}/${path}`, inner, depth + 1);
    for (const key of SCHEMA_MAPS) {
      const map = s[key];
      if (typeof map === "object" && map !== null && !Array.isArray(map)) {
        s[key] = Object.fromEntries(Object.entries(map).map(([k, v]) => [k, sub(v, `${key}/${pointerSegment(k)}`)]));
      }
    }
    const beside = typeof s.properties === "object";
    for (const key of SCHEMA_LISTS) {
      if (!Array.isArray(s[key])) continue;
      const inner = key === "prefixItems" ? undefined : { member: true, composed: key === "allOf" || beside };
      s[key] = (s[key] as unknown[]).map((v, i) => sub(v, `${key}/${i}`, inner));
    }
    for (const key of SCHEMA_VALUES) {
      if (Array.isArray(s[key])) s[key] = (s[key] as unknown[]).map((v, i) => sub(v, `${key}/${i}`));
      else if (key in s) s[key] = sub(s[key], key);
    }
    return s;
  };
  return walk(schema, "#", { member: false, composed: false }, 0);
}

function pointerSegment(key: string): string {
  return key.replaceAll("~", "~0").replaceAll("/", "~1");
}

/** Pointers that allOf/anyOf/oneOf members refer to (`composed`: see Place). */
function collectMemberRefs(node: unknown, members: Set<string>, composed: Set<string>, depth: number): void {
  if (typeof node !== "object" || node === null || depth > MAX_DEPTH) return;
  const s = node as Schema;
  for (const key of ["allOf", "anyOf", "oneOf"]) {
    const list = s[key];
    if (!Array.isArray(list)) continue;
    for (const m of list) {
      const ref = typeof m === "object" && m !== null ? (m as Schema).$ref : undefined;
      if (typeof ref !== "string") continue;
      members.add(decodeURIComponent(ref));
      if (key === "allOf" || typeof s.properties === "object") composed.add(decodeURIComponent(ref));
    }
  }
  for (const value of Object.values(node)) collectMemberRefs(value, members, composed, depth + 1);
}

const OBJECT_KEYWORDS = ["properties", "additionalProperties", "patternProperties"];
const ARRAY_KEYWORDS = ["items", "prefixItems", "additionalItems"];
const COMBINED = ["allOf", "anyOf", "oneOf", "$ref"];

/**
 * The schema as the declarations read it, on purpose: draft-04 habits ajv's draft-07 refuses (`id`,
 * boolean exclusiveMinimum) said the draft-07 way; a schema with an object's keywords but no `type`
 * is an object (an array's: an array); and an object that lists its properties but leaves other keys
 * open (no additionalProperties) still gets no others, since a misspelt key is a mistake the server
 * would silently ignore (`unevaluatedProperties` sees the keys of allOf/anyOf/oneOf members too).
 * `properties: {}` alone is a map (GitHub's server says so for workflow inputs), left open.
 */
function asDeclared(schema: unknown): unknown {
  return mapSchema(schema, (s, { composed }) => {
    if (typeof s.id === "string") delete s.id;
    for (const [flag, bound] of [
      ["exclusiveMinimum", "minimum"],
      ["exclusiveMaximum", "maximum"],
    ] as const) {
      if (typeof s[flag] === "boolean") {
        if (s[flag] && typeof s[bound] === "number") s[flag] = s[bound];
        else delete s[flag];
        if (typeof s[flag] === "number") delete s[bound];
      }
    }
    if (s.type === undefined) {
      if (OBJECT_KEYWORDS.some((k) => k in s)) s.type = "object";
      else if (ARRAY_KEYWORDS.some((k) => k in s)) s.type = "array";
    }
    const open = !("additionalProperties" in s || "patternProperties" in s || "unevaluatedProperties" in s);
    const listed = typeof s.properties === "object" && s.properties !== null && Object.keys(s.properties).length > 0;
    if (open && !composed && listed) s.unevaluatedProperties = false;
    return s;
  });
}

/** The schema with what TS cannot express left out (see INEXPRESSIBLE). */
function expressible(schema: unknown): unknown {
  return mapSchema(schema, (s, { member }) => {
    for (const key of INEXPRESSIBLE) delete s[key];
    if (!Array.isArray(s.items) && !Array.isArray(s.prefixItems)) {
      delete s.minItems;
      delete s.maxItems;
    }
    if (Array.isArray(s.oneOf)) {
      s.anyOf = s.oneOf;
      delete s.oneOf;
    }
    // additionalProperties: false does not see the keys of allOf/anyOf/oneOf members; the
    // declarations let them in, as schema authors mean. TS excess-property checks look across a
    // union's branches together. Key patterns are not types; an index signature must cover the
    // properties, so its type widens to theirs.
    const combined = member || COMBINED.some((k) => k in s);
    if ((combined && s.additionalProperties === false) || "patternProperties" in s) delete s.additionalProperties;
    if (typeof s.properties === "object" && typeof s.additionalProperties === "object") delete s.additionalProperties;
    delete s.patternProperties;
    delete s.unevaluatedProperties;
    return s;
  });
}

export interface Oracle {
  /** Valid against the schema: the declarations must accept it. */
  valid(value: unknown): boolean;
  /** Invalid even without the inexpressible keywords: the declarations must refuse it. */
  refused(value: unknown): boolean;
}

/** ajv's verdicts on one schema; undefined when ajv cannot compile it. */
export function oracleFor(schema: unknown): Oracle | undefined {
  let strict: ValidateFunction;
  let loose: ValidateFunction;
  try {
    strict = compile(asDeclared(schema));
    loose = compile(expressible(asDeclared(schema)));
  } catch {
    return undefined;
  }
  return { valid: (v) => strict(v) === true, refused: (v) => loose(v) !== true };
}

/**
 * Candidate inputs for `schema`: a minimal and a full example, then single changes to them at
 * every level (each enum member, a missing required key, a wrong primitive, an extra key, tuples
 * at and past their bounds). Some are valid and some are not; the oracle says which.
 */
export function candidates(schema: unknown, limit = 30): unknown[] {
  const root = schema;
  const out: unknown[] = [];
  const seen = new Set<string>();
  const add = (v: unknown) => {
    if (v === undefined || out.length >= limit) return;
    const key = JSON.stringify(v);
    if (key === undefined || seen.has(key)) return;
    seen.add(key);
    out.push(v);
  };
  const base = example(root, root, false, 0);
  const full = example(root, root, true, 0);
  add(base);
  add(full);
  for (const start of [base, full]) {
    for (const v of variants(root, root, start, 0)) {
      if (out.length >= limit) return out;
      add(v);
    }
  }
  return out;
}

const NONE = Symbol("none");

function resolve(s: unknown, root: unknown, depth = 0): unknown {
  if (typeof s !== "object" || s === null || depth > 20) return s;
  const ref = (s as Schema).$ref;
  if (typeof ref !== "string" || !ref.startsWith("#")) return s;
  let node: unknown = root;
  for (const raw of ref
    .slice(2)
    .split("/")
    .filter((x) => x !== "")) {
    const seg = decodeURIComponent(raw).replaceAll("~1", "/").replaceAll("~0", "~");
    node = typeof node === "object" && node !== null ? (node as Schema)[seg] : undefined;
  }
  if (node === undefined) return s;
  const { $ref: _, ...rest } = s as Schema;
  const target = resolve(node, root, depth + 1);
  return Object.keys(rest).length === 0 ? target : { allOf: [target, rest] };
}

function typeOf(s: Schema): string | undefined {
  if (typeof s.type === "string") return s.type;
  if (Array.isArray(s.type)) return s.type.find((t) => t !== "null") ?? s.type[0];
  if ("properties" in s || "additionalProperties" in s || "required" in s) return "object";
  if ("items" in s || "prefixItems" in s) return "array";
  return undefined;
}

/** The schemas that say something about an object's properties: itself, allOf members, first branches. */
function objectParts(s: Schema, root: unknown, depth: number): Schema[] {
  if (depth > MAX_DEPTH) return [];
  const parts: Schema[] = [s];
  for (const key of ["allOf", "anyOf", "oneOf"]) {
    const list = s[key];
    if (!Array.isArray(list)) continue;
    const members = key === "allOf" ? list : list.slice(0, 1);
    for (const m of members) {
      const r = resolve(m, root);
      if (typeof r === "object" && r !== null) parts.push(...objectParts(r as Schema, root, depth + 1));
    }
  }
  return parts;
}

function example(schema: unknown, root: unknown, full: boolean, depth: number): unknown {
  const v = exampleOrNone(schema, root, full, depth);
  return v === NONE ? undefined : v;
}

function exampleOrNone(schema: unknown, root: unknown, fullHere: boolean, depth: number): unknown {
  if (depth > 8) return NONE;
  // Optional properties only near the top: recursive schemas would grow without end.
  const full = fullHere && depth < 2;
  const s = resolve(schema, root);
  if (s === true || s === undefined) return "any";
  if (typeof s !== "object" || s === null) return NONE;
  const sc = s as Schema;
  if ("const" in sc) return sc.const;
  if (Array.isArray(sc.enum) && sc.enum.length > 0) return sc.enum[0];
  if (sc.default !== undefined && !full) return sc.default;
  const type = typeOf(sc);
  if (type === undefined) {
    for (const key of ["allOf", "anyOf", "oneOf"]) {
      const list = sc[key];
      if (Array.isArray(list) && list.length > 0) {
        if (key === "allOf" && list.some((m) => typeOf(resolve(m, root) as Schema) === "object"))
          return objectExample(sc, root, full, depth);
        return exampleOrNone(list[0], root, full, depth + 1);
      }
    }
    return "any";
  }
  switch (type) {
    case "string": {
      const formats: Record<string, string> = {
        "date-time": "2024-01-01T00:00:00Z",
        date: "2024-01-01",
        time: "12:00:00Z",
        uri: "https://example.com/a",
        url: "https://example.com/a",
        email: "a@example.com",
        uuid: "123e4567-e89b-12d3-a456-426614174000",
      };
      const text = formats[String(sc.format)] ?? "text";
      return typeof sc.minLength === "number" && text.length < sc.minLength ? text.padEnd(sc.minLength, "x") : text;
    }
    case "integer":
    case "number": {
      const min =
        typeof sc.minimum === "number"
          ? sc.minimum
          : typeof sc.exclusiveMinimum === "number"
            ? sc.exclusiveMinimum + 1
            : 1;
      return type === "integer" ? Math.ceil(min) : min;
    }
    case "boolean":
      return true;
    case "null":
      return null;
    case "array": {
      const listed = Array.isArray(sc.prefixItems) ? sc.prefixItems : Array.isArray(sc.items) ? sc.items : null;
      const min = typeof sc.minItems === "number" ? sc.minItems : 0;
      if (listed) {
        const n = Math.max(min, full ? listed.length : 0);
        const rest = Array.isArray(sc.prefixItems) ? sc.items : sc.additionalItems;
        return Array.from({ length: n }, (_, i) =>
          example(i < listed.length ? listed[i] : rest, root, full, depth + 1),
        );
      }
      const n = Math.max(min, full ? 1 : 0);
      return Array.from({ length: n }, () => example(sc.items, root, full, depth + 1));
    }
    case "object":
      return objectExample(sc, root, full, depth);
    default:
      return NONE;
  }
}

function objectExample(s: Schema, root: unknown, full: boolean, depth: number): unknown {
  const out: Record<string, unknown> = {};
  for (const part of objectParts(s, root, depth)) {
    const props = (typeof part.properties === "object" && part.properties) || {};
    const required = new Set(Array.isArray(part.required) ? part.required : []);
    for (const [key, p] of Object.entries(props as Schema)) {
      if (key in out || (!full && !required.has(key))) continue;
      const v = example(p, root, full, depth + 1);
      if (v !== undefined) out[key] = v;
    }
    for (const key of required) if (typeof key === "string" && !(key in out)) out[key] = "any";
  }
  return out;
}

/** Single changes to `value` (an example of `schema`), here and below. */
function* variants(schema: unknown, root: unknown, value: unknown, depth: number): Generator<unknown> {
  if (depth > 4) return;
  const s = resolve(schema, root);
  if (typeof s !== "object" || s === null) return;
  const sc = s as Schema;
  // A different JSON type.
  if (typeof sc.type === "string") yield sc.type === "string" ? 7 : "text";
  if (Array.isArray(sc.enum)) yield* sc.enum.slice(0, 6);
  for (const key of ["anyOf", "oneOf"]) {
    if (Array.isArray(sc[key]))
      for (const m of (sc[key] as unknown[]).slice(1, 5)) yield example(m, root, true, depth + 1);
  }
  if (Array.isArray(value)) {
    const listed = Array.isArray(sc.prefixItems) ? sc.prefixItems : Array.isArray(sc.items) ? sc.items : null;
    const rest = listed ? (Array.isArray(sc.prefixItems) ? sc.items : sc.additionalItems) : sc.items;
    const item = (i: number) => example(listed && i < listed.length ? listed[i] : rest, root, true, depth + 1) ?? "any";
    const lengths = new Set([0, value.length - 1, value.length + 1, (listed?.length ?? 0) + 1]);
    for (const bound of [sc.minItems, sc.maxItems]) {
      if (typeof bound === "number" && bound < 12) for (const n of [bound - 1, bound, bound + 1]) lengths.add(n);
    }
    for (const n of lengths)
      if (n >= 0 && n !== value.length)
        yield Array.from({ length: n }, (_, i) => (i < value.length ? value[i] : item(i)));
    for (let i = 0; i < value.length; i++) {
      const sub = listed && i < listed.length ? listed[i] : rest;
      for (const w of variants(sub, root, value[i], depth + 1)) yield value.map((x, j) => (j === i ? w : x));
    }
    return;
  }
  if (typeof value !== "object" || value === null) return;
  const obj = value as Record<string, unknown>;
  // Open objects take extra keys, but the declarations refuse them on purpose: a misspelt key is a
  // mistake the server would silently ignore. Closed objects and maps get this candidate.
  const lists = typeof sc.properties === "object" && sc.properties !== null && Object.keys(sc.properties).length > 0;
  if (sc.additionalProperties === false || !lists) yield { ...obj, zz_extra: 1 };
  const props = new Map<string, unknown>();
  for (const part of objectParts(sc, root, depth)) {
    if (typeof part.properties === "object" && part.properties !== null) {
      for (const [k, p] of Object.entries(part.properties)) if (!props.has(k)) props.set(k, p);
    }
  }
  for (const key of Object.keys(obj)) {
    const { [key]: _, ...without } = obj;
    yield without;
  }
  for (const [key, p] of props) {
    if (!(key in obj)) {
      const v = example(p, root, true, depth + 1);
      if (v !== undefined) yield { ...obj, [key]: v };
      continue;
    }
    for (const w of variants(p, root, obj[key], depth + 1)) yield { ...obj, [key]: w };
  }
}
