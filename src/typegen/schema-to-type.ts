import { INLINE_WIDTH, MARKERS, type Member, type ShapeTable, shapeId } from "./shapes.ts";
import { pascalCase, type TypeNames } from "./type-names.ts";

type Schema = { [key: string]: unknown };

/** A rendered type and how tightly it binds: 0 union, 1 intersection, 2 atom (safe before `[]`). */
interface Rendered {
  t: string;
  p: 0 | 1 | 2;
  /** Set when the type is `unknown` or `never`, perhaps with a comment, so combinators can fold it. */
  k?: "unknown" | "never";
  /** A description that goes with the type (a union branch's, a definition's written in place): see `withNote`. */
  note?: string;
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
/** A tuple's optional tail is written element by element up to this many; past it, `...T[]` (and @maxItems). */
const MAX_OPTIONAL_ELEMENTS = 3;
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
  readonly #recursion = new Map<string, boolean>();
  #counts: Map<string, number> | undefined;
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
    return { name: def.name, doc, type: withNote(type), isInterface: false };
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
    if (typeof s.$ref === "string") parts.push(this.#ref(s.$ref, direct, depth));
    parts.push(this.#base(s, depth, hint));
    // An object's own body takes the `required` of allOf members that say nothing else.
    const merged = typeList(s)?.includes("object") === true;
    if (Array.isArray(s.allOf)) {
      for (const m of s.allOf) if (!(merged && isRequiredOnly(m))) parts.push(this.#member(m, direct, depth, hint));
    }
    for (const key of UNIONS) {
      const list = s[key];
      if (Array.isArray(list) && list.length > 0)
        parts.push(union(list.map((m) => this.#member(m, direct, depth, hint))));
    }
    const type = intersection(parts);
    return s.nullable === true ? union([type, NULL]) : type;
  }

  /**
   * One member of allOf/anyOf/oneOf, with its own description as a note. A member that only lists
   * `required` keys (`anyOf: [{ required: ["a"] }, { required: ["b"] }]`) is the object that has them.
   */
  #member(m: unknown, direct: boolean, depth: number, hint: string): Rendered {
    if (isRequiredOnly(m)) return { t: this.#objectBody(m, depth + 1, hint), p: 2 };
    const type = this.#type(m, direct, depth + 1, hint);
    if (!isSchema(m)) return type;
    const doc = docLines(descriptionOf(m), tagsOf(m));
    return doc.length === 0 ? type : addNote(type, doc.join(" "));
  }

  #base(s: Schema, depth: number, hint: string): Rendered {
    if ("const" in s) return literal(s.const);
    const types = typeList(s);
    // `type` still applies: `{ type: "string", enum: ["x", null] }` cannot be null.
    if (Array.isArray(s.enum))
      return union(s.enum.filter((v) => !types || types.some((t) => isOfType(v, t))).map(literal));
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
      if (!shaped && (s.$ref !== undefined || s.allOf || s.anyOf || s.oneOf)) {
        // Only the keys it requires are its own; their types come from the members.
        return requiredKeys(s).length > 0 ? { t: this.#objectBody(s, depth, hint), p: 2 } : UNKNOWN;
      }
      const value = this.#indexValue(s, depth, hint) ?? (s.additionalProperties === false ? NEVER : UNKNOWN);
      if (isSchema(s.patternProperties) || !/^[a-z]+$/.test(value.t) || requiredKeys(s).length > 0)
        return { t: this.#objectBody(s, depth, hint), p: 2 };
      return { t: `Record<string, ${withNote(value)}>`, p: 2 };
    }
    return { t: this.#objectBody(s, depth, hint), p: 2 };
  }

  /** The `{ ... }` of an object as a shape: members in the schema's order, then one index signature if any. */
  #objectBody(s: Schema, depth: number, hint: string, reserved?: string): string {
    const members: Member[] = [];
    const props = isSchema(s.properties) ? s.properties : {};
    const required = new Set(requiredKeys(s));
    const propTypes: Rendered[] = [];
    let optional = false;
    for (const key of Object.keys(props)) {
      const p = props[key];
      const isRequired = required.has(key) || (isSchema(p) && p.required === true);
      const type = this.#type(p, false, depth + 1, key);
      propTypes.push(type);
      if (!isRequired) optional = true;
      let doc = isSchema(p) ? docLines(descriptionOf(p), tagsOf(p)) : NO_DOC;
      if (type.note !== undefined) doc = [...doc, type.note];
      members.push({ doc, sig: `${propertyKey(key)}${isRequired ? "" : "?"}: ${type.t}` });
    }
    let value = this.#indexValue(s, depth, hint);
    // Required keys the properties leave out still must be there, with any value extra keys may have.
    const missing = [...required].filter((key) => !Object.hasOwn(props, key));
    if (missing.length > 0) {
      const type = value ?? (s.additionalProperties === false ? NEVER : UNKNOWN);
      for (const key of missing) members.push({ doc: NO_DOC, sig: `${propertyKey(key)}: ${withNote(type)}` });
    }
    if (value) {
      // TS requires every property to fit the index signature.
      if (propTypes.length > 0 && value.k !== "unknown") {
        value = union([value, ...propTypes, ...(optional ? [{ t: "undefined", p: 2 } as const] : [])]);
        if (this.#shapes.exceeds(value.t, INLINE_WIDTH)) value = UNKNOWN;
      }
      const patterns = isSchema(s.patternProperties) ? Object.keys(s.patternProperties) : [];
      const doc = patterns.length > 0 ? docLines(`Keys matching ${patterns.join(", ")}`, []) : NO_DOC;
      members.push({ doc, sig: `[key: string]: ${withNote(value)}` });
    }
    // No members: `{}` would take a string too. `properties: {}` alone is how some servers say "a map".
    if (members.length === 0) return `Record<string, ${s.additionalProperties === false ? "never" : "unknown"}>`;
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
    // Keys that match no pattern are open unless additionalProperties says otherwise: a map that
    // lists no properties takes them (an object that lists some refuses them, like a misspelt key).
    const lists = isSchema(s.properties) && Object.keys(s.properties).length > 0;
    if (extra === true || (extra === undefined && !lists && (values.length > 0 || !("properties" in s))))
      values.push(UNKNOWN);
    else if (extra !== undefined && extra !== false) values.push(this.#type(extra, false, depth + 1, item));
    return values.length > 0 ? union(values) : null;
  }

  #array(s: Schema, depth: number, hint: string): Rendered {
    const listed = Array.isArray(s.prefixItems) ? s.prefixItems : Array.isArray(s.items) ? s.items : null;
    const item = this.#itemHint(hint);
    if (!listed) {
      // minItems/maxItems of a list stay in its JSDoc: a tuple type would refuse a computed `T[]`.
      const type = s.items === undefined ? UNKNOWN : this.#type(s.items, false, depth + 1, item);
      return { t: `${wrap(type, 2)}[]`, p: 2 };
    }
    const restSchema = Array.isArray(s.prefixItems) ? s.items : s.additionalItems;
    const elements = listed.map((e) => this.#type(e, false, depth + 1, item));
    const rest = restSchema === undefined ? UNKNOWN : this.#type(restSchema, false, depth + 1, item);
    // A `false` element ends the array before it.
    const closedAt = elements.findIndex((e) => e.k === "never");
    let max = typeof s.maxItems === "number" && s.maxItems >= 0 ? Math.floor(s.maxItems) : Infinity;
    if (closedAt !== -1) max = Math.min(max, closedAt);
    else if (rest.k === "never") max = Math.min(max, elements.length);
    const min = typeof s.minItems === "number" && s.minItems > 0 ? Math.ceil(s.minItems) : 0;
    if (min > max) return NEVER;
    const parts: string[] = [];
    for (let i = 0; i < Math.min(elements.length, max); i++) {
      parts.push(i < min ? withNote(elements[i]!) : `${wrap(elements[i]!, 2)}?`);
    }
    // Past the listed elements, `rest` items: required up to minItems, optional up to maxItems.
    const extra = wrap(rest, 2);
    for (let i = elements.length; i < min; i++) parts.push(extra);
    const room = max - Math.max(elements.length, min);
    if (room > 0 && room <= MAX_OPTIONAL_ELEMENTS) for (let i = 0; i < room; i++) parts.push(`${extra}?`);
    else if (room > 0) parts.push(`...${extra}[]`);
    return { t: `[${parts.join(", ")}]`, p: 2 };
  }

  /** What to call an element of a list or map hinted `hint`: `entities` -> `entity`; the tool's own -> `ToolItem`. */
  #itemHint(hint: string): string {
    return hint === this.#prefix ? `${hint}Item` : singular(hint);
  }

  #ref(ref: string, direct: boolean, depth: number): Rendered {
    if (ref !== "#" && !ref.startsWith("#/")) return unknownBecause(`$ref ${ref}`);
    const target = resolvePointer(this.#root, ref);
    if (target === undefined) return unknownBecause(`unresolved $ref ${ref}`);
    if (direct && this.#reaches(ref, this.#owner, new Set())) return unknownBecause(`circular $ref ${ref}`);
    if (this.#writesInPlace(ref)) {
      const type = this.#type(target, direct, depth + 1, pascalCase(refName(ref)));
      // A definition's description is about the type; a sibling property's is about that property.
      const doc = isDefinition(ref) && isSchema(target) ? docLines(descriptionOf(target), tagsOf(target)) : NO_DOC;
      return doc.length === 0 ? type : addNote(type, doc.join(" "));
    }
    let def = this.#definitions.get(ref);
    if (!def) {
      // `Address`, or `ToolAddress` when another schema has an `Address` already.
      const name = pascalCase(refName(ref));
      def = { pointer: ref, schema: target, name: this.#names.takeFirstFree([name, this.#prefix + name]) };
      this.#definitions.set(ref, def);
    }
    if (!this.#queue.includes(def)) this.#queue.push(def);
    return { t: def.name, p: 2 };
  }

  /**
   * Whether a `$ref` is written out where it is used rather than named: a target that is not
   * recursive, and is used once or is no definition at all (`#/properties/a` names a sibling).
   */
  #writesInPlace(ref: string): boolean {
    if (ref === "#") return false;
    if (isDefinition(ref) && (this.#refCounts().get(ref) ?? 0) > 1) return false;
    return !this.#recursive(ref);
  }

  #refCounts(): Map<string, number> {
    if (!this.#counts) {
      this.#counts = new Map();
      countRefs(this.#root, this.#counts, new Set(), 0);
    }
    return this.#counts;
  }

  /** Whether the schema at `pointer` refers (through any `$ref`s) to itself or to a schema around it. */
  #recursive(pointer: string): boolean {
    let known = this.#recursion.get(pointer);
    if (known === undefined) {
      const seen = new Set<string>();
      const queue = [pointer];
      known = false;
      while (queue.length > 0 && !known) {
        const at = queue.pop()!;
        if (seen.has(at)) continue;
        seen.add(at);
        const refs: string[] = [];
        collectAllRefs(resolvePointer(this.#root, at), refs, new Set(), 0);
        for (const r of refs) {
          if (r === "#" || pointer === r || pointer.startsWith(`${r}/`)) known = true;
          else queue.push(r);
        }
      }
      this.#recursion.set(pointer, known);
    }
    return known;
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

/** `#/$defs/Address` -> `Address`; `#/items/0` -> `items0`. */
function refName(ref: string): string {
  const segments = ref.split("/");
  const last = decodeSegment(segments.at(-1) ?? "");
  return /^[0-9]+$/.test(last) && segments.length > 2 ? decodeSegment(segments.at(-2)!) + last : last;
}

/** A pointer straight into a definitions table (`#/$defs/X`, `#/definitions/X`). */
function isDefinition(ref: string): boolean {
  return /^#\/(\$defs|definitions)\/[^/]+$/.test(ref);
}

function countRefs(s: unknown, counts: Map<string, number>, seen: Set<object>, depth: number): void {
  if (typeof s !== "object" || s === null || seen.has(s) || depth > MAX_DEPTH) return;
  seen.add(s);
  const ref = (s as Schema).$ref;
  if (typeof ref === "string") counts.set(ref, (counts.get(ref) ?? 0) + 1);
  for (const value of Object.values(s)) countRefs(value, counts, seen, depth + 1);
}

function collectAllRefs(s: unknown, out: string[], seen: Set<object>, depth: number): void {
  if (typeof s !== "object" || s === null || seen.has(s) || depth > MAX_DEPTH) return;
  seen.add(s);
  const ref = (s as Schema).$ref;
  if (typeof ref === "string" && (ref === "#" || ref.startsWith("#/"))) out.push(ref);
  for (const value of Object.values(s)) collectAllRefs(value, out, seen, depth + 1);
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

/** A schema that only lists `required` keys (and perhaps says why): a condition on an object's keys. */
function isRequiredOnly(s: unknown): s is Schema {
  if (!isSchema(s) || !Array.isArray(s.required) || s.required.length === 0) return false;
  return Object.keys(s).every((k) => k === "required" || k === "description" || k === "title" || k === "$comment");
}

/** The keys an object schema requires: its own, and those of allOf members that only require. */
function requiredKeys(s: Schema): string[] {
  const keys = Array.isArray(s.required) ? s.required.filter((k) => typeof k === "string") : [];
  if (Array.isArray(s.allOf)) {
    for (const m of s.allOf) {
      if (isRequiredOnly(m)) keys.push(...(m.required as unknown[]).filter((k) => typeof k === "string"));
    }
  }
  return [...new Set(keys)];
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

function isOfType(value: unknown, type: string): boolean {
  switch (type) {
    case "null":
      return value === null;
    case "array":
      return Array.isArray(value);
    case "object":
      return typeof value === "object" && value !== null && !Array.isArray(value);
    case "integer":
      return Number.isInteger(value);
    default:
      return typeof value === type;
  }
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
  const dropped: string[] = [];
  for (const type of types) {
    if (type.k === "unknown") return addNote(type, notesOf(types.filter((t) => t !== type)));
    if (type.k === "never" || seen.has(type.t)) {
      if (type.note !== undefined) dropped.push(type.note);
      continue;
    }
    seen.add(type.t);
    kept.push(type);
  }
  if (kept.length === 0) return addNote(NEVER, dropped.join(" "));
  if (kept.length === 1) return addNote(kept[0]!, dropped.join(" "));
  // A union inside a union needs no parentheses, unless a note belongs to it as a whole.
  const text = kept.map((t) => (t.p === 0 && t.note === undefined ? t.t : wrap(t, 1))).join(" | ");
  return addNote({ t: text, p: 0 }, dropped.join(" "));
}

function intersection(types: Rendered[]): Rendered {
  if (types.length === 1) return types[0]!;
  const kept: Rendered[] = [];
  const seen = new Set<string>();
  const dropped: string[] = [];
  let firstUnknown: Rendered | undefined;
  for (const type of types) {
    if (type.k === "never") return addNote(NEVER, notesOf(types.filter((t) => t !== type)));
    if (type.k === "unknown") firstUnknown ??= type;
    if (type.k === "unknown" || seen.has(type.t)) {
      if (type.note !== undefined && type !== firstUnknown) dropped.push(type.note);
      continue;
    }
    seen.add(type.t);
    kept.push(type);
  }
  if (kept.length === 0) return addNote(firstUnknown ?? UNKNOWN, dropped.join(" "));
  if (kept.length === 1) return addNote(kept[0]!, [firstUnknown?.note ?? "", ...dropped].join(" "));
  if (firstUnknown?.note !== undefined) dropped.unshift(firstUnknown.note);
  const text = kept.map((t) => (t.p === 1 && t.note === undefined ? t.t : wrap(t, 2))).join(" & ");
  return addNote({ t: text, p: 1 }, dropped.join(" "));
}

/** The type's text with its note in front as a comment: for places that have no JSDoc of their own. */
function withNote(type: Rendered): string {
  return type.note === undefined ? type.t : `/** ${type.note} */ ${type.t}`;
}

/** `type` with `note` added to its own (blank notes add nothing). */
function addNote(type: Rendered, note: string): Rendered {
  const text = note.trim();
  if (text === "") return type;
  return { ...type, note: type.note === undefined ? text : `${type.note} ${text}` };
}

function notesOf(types: Rendered[]): string {
  return types.flatMap((t) => (t.note === undefined ? [] : [t.note])).join(" ");
}

/** The text of `type` where it binds at least as tightly as `min`; a noted type is wrapped whole. */
function wrap(type: Rendered, min: number): string {
  if (type.note !== undefined) return `(${withNote(type)})`;
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
    if (text === undefined || saidIn(descriptionOf(s), key, s[key])) continue;
    slots ??= [];
    slots[slot] = text;
  }
  return slots ? slots.filter((t) => t !== undefined) : [];
}

// Descriptions often say a bound or default in words ("Page number (min 1, default: 1)"); the tag
// would say it twice.
const SAID_AS: { [keyword: string]: string } = { minimum: "min(imum)?", maximum: "max(imum)?", default: "default(s)?" };

/** Whether the description already states this keyword's value, as in "(max 100)" or "default: 10". */
function saidIn(description: string | undefined, keyword: string, value: unknown): boolean {
  const word = SAID_AS[keyword];
  if (description === undefined || word === undefined) return false;
  if (typeof value !== "number" && typeof value !== "string" && typeof value !== "boolean") return false;
  const key = `${keyword} ${value}`;
  let pattern = SAID_PATTERNS.get(key);
  if (!pattern) {
    const text = String(value).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    pattern = new RegExp(`\\b${word}\\b(?: value| is| of| to)?[\\s:=(]{0,3}["'\`]?${text}(?![\\w.])`, "i");
    if (SAID_PATTERNS.size > 1000) SAID_PATTERNS.clear();
    SAID_PATTERNS.set(key, pattern);
  }
  return pattern.test(description);
}
// The same few bounds and defaults recur across tools; compiling each pattern once keeps typegen fast.
const SAID_PATTERNS = new Map<string, RegExp>();

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
  // Control characters would read as shape references (shapes.ts); U+2028/U+2029 end a line in
  // TypeScript, and so a `//` comment, letting the rest be read as code.
  let clean = MARKER.test(text) ? text.replace(MARKERS, "") : text;
  if (/[\u2028\u2029]/.test(clean)) clean = clean.replace(/[\u2028\u2029]/g, " ");
  return clean.includes("*/") ? clean.replaceAll("*/", "*\\/") : clean;
}

function isSchema(value: unknown): value is Schema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
