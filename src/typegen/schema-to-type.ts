import { INLINE_WIDTH, MARKERS, type Member, type ShapeTable, shapeId } from "./shapes.ts";
import { pascalCase, type TypeNames } from "./type-names.ts";

type Schema = { [key: string]: unknown };

/** A rendered type and how tightly it binds: 0 union, 1 intersection, 2 atom (safe before `[]`). */
interface Rendered {
  t: string;
  p: 0 | 1 | 2;
  /** Set when the type is `unknown` or `never`, perhaps with a comment, so combinators can fold it. */
  k?: "unknown" | "never";
}

interface Definition {
  pointer: string;
  name: string;
  schema: unknown;
}

/** A named declaration a schema needs: a local `$ref` target, or the root when something refers to it. */
export interface NamedType {
  name: string;
  /** JSDoc lines. */
  doc: string[];
  /** Its type text, with shape references (see shapes.ts). */
  type: string;
  /** Written as `interface name { ... }`: `type` is one shape. */
  isInterface: boolean;
}

/** One schema read: its root type and the named declarations it uses. */
export interface SchemaTypes {
  /** The root's type text, with shape references: inline, or `rootName` when it must be named. */
  type: string;
  named: NamedType[];
}

const UNKNOWN: Rendered = { t: "unknown", p: 2, k: "unknown" };
const NEVER: Rendered = { t: "never", p: 2, k: "never" };
const NULL: Rendered = { t: "null", p: 2 };
const PRIMITIVES: { [type: string]: Rendered } = {
  string: { t: "string", p: 2 },
  number: { t: "number", p: 2 },
  integer: { t: "number", p: 2 },
  boolean: { t: "boolean", p: 2 },
  null: NULL,
};
// Deeper than this is either garbage or a JS-level cycle; it degrades to `unknown`.
const MAX_DEPTH = 40;
const UNIONS = ["anyOf", "oneOf"];
const COMBINATORS = ["allOf", "anyOf", "oneOf"];
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const MARKER = new RegExp(MARKERS.source);
const NO_DOC: string[] = [];
// `required` alone (as in `oneOf: [{ required: ["a"] }, ...]`) says nothing about the shape.
const OBJECT_KEYWORDS = ["properties", "additionalProperties", "patternProperties"];
const ARRAY_KEYWORDS = ["items", "prefixItems", "additionalItems"];
// Shown to the model as JSDoc tags, in this order.
const TAG_SLOTS = new Map(
  [
    "deprecated",
    "format",
    "minimum",
    "exclusiveMinimum",
    "maximum",
    "exclusiveMaximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "pattern",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
    "default",
    "examples",
    "example",
  ].map((keyword, slot) => [keyword, slot]),
);

/**
 * Reads one schema document into type text whose object types are shapes of `shapes`. The root is
 * inline unless a `$ref` points back at it; then it is declared as `rootName` (which the caller has
 * set aside, and which the root's shape is called by if it is shared). Each local `$ref` target it
 * reaches is declared once, named after the target, or `prefix` + that when the name is taken.
 * Never throws on odd schemas; whatever cannot be typed becomes `unknown`.
 */
export function readSchema(
  root: unknown,
  rootName: string,
  prefix: string,
  names: TypeNames,
  shapes: ShapeTable,
): SchemaTypes {
  return new SchemaWriter(root, prefix, names, shapes).write(rootName);
}

/** Whether `{}` satisfies the schema, so the input argument may be left out. */
export function acceptsEmptyObject(schema: unknown, root: unknown = schema, depth = 0): boolean {
  if (typeof schema === "boolean") return schema;
  if (!isSchema(schema) || depth > MAX_DEPTH) return true;
  if (typeof schema.$ref === "string" && schema.$ref.startsWith("#")) {
    const target = resolvePointer(root, schema.$ref);
    if (target !== undefined && !acceptsEmptyObject(target, root, depth + 1)) return false;
  }
  const types = typeList(schema);
  if (types && !types.includes("object")) return false;
  if ("const" in schema || Array.isArray(schema.enum)) return false;
  if (Array.isArray(schema.required) && schema.required.length > 0) return false;
  if (Array.isArray(schema.allOf) && !schema.allOf.every((s) => acceptsEmptyObject(s, root, depth + 1))) return false;
  for (const key of UNIONS) {
    const list = schema[key];
    if (Array.isArray(list) && list.length > 0 && !list.some((s) => acceptsEmptyObject(s, root, depth + 1)))
      return false;
  }
  return true;
}

class SchemaWriter {
  readonly #root: unknown;
  readonly #prefix: string;
  readonly #names: TypeNames;
  readonly #shapes: ShapeTable;
  readonly #definitions = new Map<string, Definition>();
  readonly #queue: Definition[] = [];
  readonly #directRefs = new Map<string, string[]>();
  /** Pointer of the declaration being written, to spot `type A = B | ...` cycles back to it. */
  #owner = "#";
  readonly #open = new Set<object>();
  /** The name set aside for the root. */
  #rootName = "";

  constructor(root: unknown, prefix: string, names: TypeNames, shapes: ShapeTable) {
    this.#root = root;
    this.#prefix = prefix;
    this.#names = names;
    this.#shapes = shapes;
  }

  write(rootName: string): SchemaTypes {
    const root: Definition = { pointer: "#", name: rootName, schema: this.#root };
    this.#definitions.set("#", root);
    this.#rootName = rootName;
    const type = this.#declare(root);
    const named: NamedType[] = [];
    // The queue grows while definitions are written; each is written once.
    for (let i = 0; i < this.#queue.length; i++) {
      const def = this.#queue[i]!;
      named.push(def === root ? type : this.#declare(def));
    }
    if (!this.#queue.includes(root)) return { type: type.type, named };
    // Something refers back to the root: it is declared under its name, and so is its shape.
    this.#shapes.claim(type.type, rootName);
    return { type: rootName, named };
  }

  #declare(def: Definition): NamedType {
    this.#owner = def.pointer;
    const s = def.schema;
    const isRoot = def.pointer === "#";
    const hint = isRoot ? this.#prefix : def.name;
    const doc = isRoot || !isSchema(s) ? NO_DOC : docLines(descriptionOf(s), tagsOf(s));
    if (isSchema(s) && isPlainObject(s)) {
      this.#open.add(s);
      const body = this.#objectBody(s, 0, hint, isRoot ? this.#rootName : def.name);
      this.#open.delete(s);
      // A definition names its shape, wherever else the same shape appears.
      if (!isRoot) this.#shapes.claim(body, def.name);
      return { name: def.name, doc, type: body, isInterface: shapeId(body) !== undefined };
    }
    const type = this.#type(s, true, 0, hint);
    return { name: def.name, doc, type: type.t, isInterface: false };
  }

  /** `direct`: the position is not behind an object member or array element, where TS would see a cycle. */
  #type(s: unknown, direct: boolean, depth: number, hint: string): Rendered {
    if (s === true) return UNKNOWN;
    if (s === false) return NEVER;
    if (!isSchema(s) || depth > MAX_DEPTH) return UNKNOWN;
    // A schema object inside itself (built in JS, not through $ref) cannot be written out.
    if (this.#open.has(s)) return unknownBecause("cycle");
    this.#open.add(s);
    try {
      return this.#typeOf(s, direct, depth, typeof s.title === "string" && s.title.trim() !== "" ? s.title : hint);
    } finally {
      this.#open.delete(s);
    }
  }

  #typeOf(s: Schema, direct: boolean, depth: number, hint: string): Rendered {
    const parts: Rendered[] = [];
    if (typeof s.$ref === "string") parts.push(this.#ref(s.$ref, direct));
    parts.push(this.#base(s, depth, hint));
    if (Array.isArray(s.allOf)) for (const m of s.allOf) parts.push(this.#type(m, direct, depth + 1, hint));
    for (const key of UNIONS) {
      const list = s[key];
      if (Array.isArray(list) && list.length > 0)
        parts.push(union(list.map((m) => this.#type(m, direct, depth + 1, hint))));
    }
    const type = intersection(parts);
    return s.nullable === true ? union([type, NULL]) : type;
  }

  #base(s: Schema, depth: number, hint: string): Rendered {
    if ("const" in s) return literal(s.const);
    if (Array.isArray(s.enum)) return union(s.enum.map(literal));
    const types = typeList(s);
    if (!types) return UNKNOWN;
    if (types.length === 1) return this.#ofType(types[0]!, s, depth, hint);
    return union(types.map((type) => this.#ofType(type, s, depth, hint)));
  }

  #ofType(type: string, s: Schema, depth: number, hint: string): Rendered {
    if (type === "object") return this.#object(s, depth, hint);
    if (type === "array") return this.#array(s, depth, hint);
    return PRIMITIVES[type] ?? UNKNOWN;
  }

  #object(s: Schema, depth: number, hint: string): Rendered {
    if (!isSchema(s.properties) || Object.keys(s.properties).length === 0) {
      // `{ type: "object", anyOf: [...] }`: the branches say it all.
      const shaped = "additionalProperties" in s || isSchema(s.patternProperties);
      if (!shaped && (s.$ref !== undefined || s.allOf || s.anyOf || s.oneOf)) return UNKNOWN;
      const value = this.#indexValue(s, depth, hint) ?? (s.additionalProperties === false ? NEVER : UNKNOWN);
      if (isSchema(s.patternProperties) || !/^[a-z]+$/.test(value.t))
        return { t: this.#objectBody(s, depth, hint), p: 2 };
      return { t: `Record<string, ${value.t}>`, p: 2 };
    }
    return { t: this.#objectBody(s, depth, hint), p: 2 };
  }

  /** The `{ ... }` of an object as a shape: members in the schema's order, then one index signature if any. */
  #objectBody(s: Schema, depth: number, hint: string, reserved?: string): string {
    const members: Member[] = [];
    const props = isSchema(s.properties) ? s.properties : {};
    const required = new Set(Array.isArray(s.required) ? s.required : []);
    const propTypes: Rendered[] = [];
    let optional = false;
    for (const key of Object.keys(props)) {
      const p = props[key];
      const isRequired = required.has(key) || (isSchema(p) && p.required === true);
      const type = this.#type(p, false, depth + 1, key);
      propTypes.push(type);
      if (!isRequired) optional = true;
      const doc = isSchema(p) ? docLines(descriptionOf(p), tagsOf(p)) : NO_DOC;
      members.push({ doc, sig: `${propertyKey(key)}${isRequired ? "" : "?"}: ${type.t}` });
    }
    let value = this.#indexValue(s, depth, hint);
    if (value) {
      // TS requires every property to fit the index signature.
      if (propTypes.length > 0 && value.k !== "unknown") {
        value = union([value, ...propTypes, ...(optional ? [{ t: "undefined", p: 2 } as const] : [])]);
        if (this.#shapes.exceeds(value.t, INLINE_WIDTH)) value = UNKNOWN;
      }
      const patterns = isSchema(s.patternProperties) ? Object.keys(s.patternProperties) : [];
      const doc = patterns.length > 0 ? docLines(`Keys matching ${patterns.join(", ")}`, []) : NO_DOC;
      members.push({ doc, sig: `[key: string]: ${value.t}` });
    }
    if (members.length === 0) return "{}";
    return this.#shapes.intern(members, hint, reserved);
  }

  /** The value type of extra keys, or null when the schema allows none (or leaves them unsaid). */
  #indexValue(s: Schema, depth: number, hint: string): Rendered | null {
    const values: Rendered[] = [];
    const item = this.#itemHint(hint);
    if (isSchema(s.patternProperties)) {
      for (const v of Object.values(s.patternProperties)) values.push(this.#type(v, false, depth + 1, item));
    }
    const extra = s.additionalProperties;
    if (extra === true || (extra === undefined && !("properties" in s) && values.length === 0)) values.push(UNKNOWN);
    else if (extra !== undefined && extra !== false) values.push(this.#type(extra, false, depth + 1, item));
    return values.length > 0 ? union(values) : null;
  }

  #array(s: Schema, depth: number, hint: string): Rendered {
    const prefixItems = Array.isArray(s.prefixItems) ? s.prefixItems : Array.isArray(s.items) ? s.items : null;
    const item = this.#itemHint(hint);
    if (!prefixItems) {
      const type = s.items === undefined ? UNKNOWN : this.#type(s.items, false, depth + 1, item);
      return { t: `${wrap(type, 2)}[]`, p: 2 };
    }
    // Without minItems every listed element counts as required: that is what schema authors mean.
    const min = typeof s.minItems === "number" ? s.minItems : prefixItems.length;
    const elements = prefixItems.map((e, i) => {
      const type = this.#type(e, false, depth + 1, item);
      return i < min ? type.t : `${wrap(type, 2)}?`;
    });
    const rest = Array.isArray(s.prefixItems) ? s.items : s.additionalItems;
    if (rest !== undefined && rest !== false) {
      const type = this.#type(rest, false, depth + 1, item);
      if (type.k !== "never") elements.push(`...${wrap(type, 2)}[]`);
    }
    return { t: `[${elements.join(", ")}]`, p: 2 };
  }

  /** What to call an element of a list or map hinted `hint`: `entities` -> `entity`; the tool's own -> `ToolItem`. */
  #itemHint(hint: string): string {
    return hint === this.#prefix ? `${hint}Item` : singular(hint);
  }

  #ref(ref: string, direct: boolean): Rendered {
    if (ref !== "#" && !ref.startsWith("#/")) return unknownBecause(`$ref ${ref}`);
    const target = resolvePointer(this.#root, ref);
    if (target === undefined) return unknownBecause(`unresolved $ref ${ref}`);
    if (direct && this.#reaches(ref, this.#owner, new Set())) return unknownBecause(`circular $ref ${ref}`);
    let def = this.#definitions.get(ref);
    if (!def) {
      const segments = ref.split("/");
      let last = decodeSegment(segments.at(-1) ?? "");
      if (/^[0-9]+$/.test(last) && segments.length > 2) last = decodeSegment(segments.at(-2)!) + last;
      // `Address`, or `ToolAddress` when another schema has an `Address` already.
      const name = pascalCase(last);
      def = { pointer: ref, schema: target, name: this.#names.takeFirstFree([name, this.#prefix + name]) };
      this.#definitions.set(ref, def);
    }
    if (!this.#queue.includes(def)) this.#queue.push(def);
    return { t: def.name, p: 2 };
  }

  /** Whether `from` refers to `to` through unions, intersections and bare `$ref`s only. */
  #reaches(from: string, to: string, seen: Set<string>): boolean {
    if (from === to) return true;
    if (seen.has(from)) return false;
    seen.add(from);
    let refs = this.#directRefs.get(from);
    if (!refs) {
      refs = [];
      collectDirectRefs(resolvePointer(this.#root, from), refs, 0);
      this.#directRefs.set(from, refs);
    }
    return refs.some((r) => this.#reaches(r, to, seen));
  }
}

/** `entities` -> `entity`, `edits` -> `edit`, `list` -> `listItem`: a name for one item of a list or map. */
function singular(word: string): string {
  if (/(ss|x|ch|sh|us)es$/i.test(word)) return word.slice(0, -2);
  if (/[^aeiou]ies$/i.test(word)) return `${word.slice(0, -3)}y`;
  if (/[^su]s$/i.test(word)) return word.slice(0, -1);
  return `${word}Item`;
}

function collectDirectRefs(s: unknown, out: string[], depth: number): void {
  if (!isSchema(s) || depth > MAX_DEPTH) return;
  if (typeof s.$ref === "string" && (s.$ref === "#" || s.$ref.startsWith("#/"))) out.push(s.$ref);
  for (const key of COMBINATORS) {
    const list = s[key];
    if (Array.isArray(list)) for (const m of list) collectDirectRefs(m, out, depth + 1);
  }
}

function resolvePointer(root: unknown, ref: string): unknown {
  if (ref === "#") return root;
  let node = root;
  for (const raw of ref.slice(2).split("/")) {
    const segment = decodeSegment(raw);
    if (Array.isArray(node) && /^[0-9]+$/.test(segment)) node = node[Number(segment)];
    else if (isSchema(node) && Object.hasOwn(node, segment)) node = node[segment];
    else return undefined;
  }
  return node;
}

function decodeSegment(segment: string): string {
  let text = segment;
  try {
    text = decodeURIComponent(segment);
  } catch {}
  return text.replaceAll("~1", "/").replaceAll("~0", "~");
}

function typeList(s: Schema): string[] | null {
  if (typeof s.type === "string") return [s.type];
  if (Array.isArray(s.type)) {
    const types = s.type.filter((t) => typeof t === "string");
    return types.length > 0 ? types : null;
  }
  if (OBJECT_KEYWORDS.some((k) => k in s)) return ["object"];
  if (ARRAY_KEYWORDS.some((k) => k in s)) return ["array"];
  return null;
}

/** An object schema with nothing that would turn it into a union or intersection. */
function isPlainObject(s: Schema): boolean {
  const types = typeList(s);
  if (types?.length !== 1 || types[0] !== "object") return false;
  return !(
    "const" in s ||
    "enum" in s ||
    "$ref" in s ||
    "allOf" in s ||
    "anyOf" in s ||
    "oneOf" in s ||
    s.nullable === true
  );
}

function literal(value: unknown): Rendered {
  if (value === null) return NULL;
  try {
    // JSON text is also TS literal-type text: strings, numbers, booleans, tuples, object types.
    const text = JSON.stringify(value);
    if (typeof text === "string") return { t: text, p: 2 };
  } catch {}
  return UNKNOWN;
}

function union(types: Rendered[]): Rendered {
  const kept: Rendered[] = [];
  const seen = new Set<string>();
  for (const type of types) {
    if (type.k === "unknown") return UNKNOWN;
    if (type.k === "never" || seen.has(type.t)) continue;
    seen.add(type.t);
    kept.push(type);
  }
  if (kept.length === 0) return NEVER;
  if (kept.length === 1) return kept[0]!;
  return { t: kept.map((t) => wrap(t, 1)).join(" | "), p: 0 };
}

function intersection(types: Rendered[]): Rendered {
  if (types.length === 1) return types[0]!;
  const kept: Rendered[] = [];
  const seen = new Set<string>();
  let firstUnknown: Rendered | undefined;
  for (const type of types) {
    if (type.k === "never") return NEVER;
    if (type.k === "unknown") firstUnknown ??= type;
    else if (!seen.has(type.t)) {
      seen.add(type.t);
      kept.push(type);
    }
  }
  if (kept.length === 0) return firstUnknown ?? UNKNOWN;
  if (kept.length === 1) return kept[0]!;
  return { t: kept.map((t) => wrap(t, 2)).join(" & "), p: 1 };
}

function wrap(type: Rendered, min: number): string {
  return type.p < min ? `(${type.t})` : type.t;
}

function unknownBecause(reason: string): Rendered {
  return { t: `unknown /* ${escapeComment(reason)} */`, p: 2, k: "unknown" };
}

function propertyKey(key: string): string {
  return IDENTIFIER.test(key) ? key : JSON.stringify(key);
}

function descriptionOf(s: Schema): string | undefined {
  return typeof s.description === "string" ? s.description : undefined;
}

function tagsOf(s: Schema): string[] {
  // One pass over the schema's few keys; the slots put the tags in TAGS order.
  let slots: string[] | undefined;
  for (const key of Object.keys(s)) {
    const slot = TAG_SLOTS.get(key);
    if (slot === undefined) continue;
    const text = tagText(key, s[key]);
    if (text === undefined) continue;
    slots ??= [];
    slots[slot] = text;
  }
  return slots ? slots.filter((t) => t !== undefined) : [];
}

function tagText(keyword: string, value: unknown): string | undefined {
  if (keyword === "deprecated") return value === true ? "@deprecated" : undefined;
  if (keyword === "default") {
    const text = json(value);
    return text === undefined ? undefined : `@default ${text}`;
  }
  if (keyword === "examples" || keyword === "example") {
    const list = keyword === "example" ? [value] : Array.isArray(value) ? value.slice(0, 2) : [];
    const texts = list.map(json).filter((t) => t !== undefined);
    return texts.length > 0 ? texts.map((t) => `@example ${t}`).join(" ") : undefined;
  }
  // A boolean exclusiveMinimum (draft 4) only qualifies minimum; alone it says nothing.
  if (typeof value === "boolean" && keyword !== "uniqueItems") return undefined;
  if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") return undefined;
  return `@${keyword} ${value}`;
}

function json(value: unknown): string | undefined {
  try {
    const text = JSON.stringify(value);
    if (typeof text !== "string") return undefined;
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
  } catch {
    return undefined;
  }
}

/**
 * The lines of a JSDoc comment (see `renderDoc`), escaped; none when there is nothing to say. A
 * one-line description and its tags make one line.
 */
export function docLines(description: string | undefined, tags: string[]): string[] {
  if (description === undefined && tags.length === 0) return NO_DOC;
  const lines = description === undefined ? [] : tidyLines(description);
  const all = tags.length === 0 ? lines : [...lines, ...tags.map(escapeComment)];
  if (lines.length <= 1 && all.length > 1) return [all.join(" ")];
  return all;
}

function tidyLines(text: string): string[] {
  if (!/[\r\n]/.test(text)) {
    const line = escapeComment(text.trim());
    return line === "" ? [] : [line];
  }
  const lines: string[] = [];
  for (const raw of escapeComment(text).split(/\r\n|\r|\n/)) {
    const line = raw.trim();
    if (line === "" && (lines.length === 0 || lines.at(-1) === "")) continue;
    lines.push(line);
  }
  while (lines.at(-1) === "") lines.pop();
  return lines;
}

function escapeComment(text: string): string {
  // Control characters would read as shape references (shapes.ts).
  const clean = MARKER.test(text) ? text.replace(MARKERS, "") : text;
  return clean.includes("*/") ? clean.replaceAll("*/", "*\\/") : clean;
}

function isSchema(value: unknown): value is Schema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
