import { pascalCase, type TypeNames } from "./type-names.ts";

/**
 * Object types are written in two passes. While schemas are read, every `{ ... }` is interned here
 * as a shape and stands in the type text as a reference (`\x01<id>\x02`), so structurally identical
 * objects, anywhere in any tool, are one shape. Once every tool is read, `ShapeWriter` knows how
 * often each shape is written out and decides per shape: inline (the default: small types read best
 * where they are used) or one shared named declaration (identical types that are big enough to pay
 * for a name). Control characters never reach the text otherwise: comments drop them, literals and
 * quoted keys are JSON-escaped.
 */
const OPEN = "\x01";
const CLOSE = "\x02";
/** The characters shape references and shape keys are made of; free text must not carry them. */
export const MARKERS = new RegExp(`[${OPEN}${CLOSE}\x03\x04]`, "g");

/** An object type's content is on one line when it fits in this many columns (indent included). */
export const INLINE_WIDTH = 72;
/**
 * One level of nesting. The text is sent JSON-escaped, where every newline is `\n` and every space
 * of indentation costs about a token per line: one space keeps the nesting visible, and cheap.
 */
export const INDENT = " ";
/** Used more than once, a one-line shape at least this wide gets a name; multi-line ones always do. */
const HOIST_WIDTH = 50;

export interface Member {
  /** JSDoc lines (already escaped); one line means `/** ... *\/` on one line. */
  doc: string[];
  /** `key?: type`, the type perhaps holding shape references. */
  sig: string;
}

interface Shape {
  members: Member[];
  /** What to call it if it gets a name (from where it first appeared). */
  hint: string;
  /** A name set aside for it by its first user (a tool's `XInput`), used as is. */
  reserved: string | undefined;
  /** The shapes its members refer to, once per reference. */
  children: number[];
  /** A member has JSDoc. */
  ownDocs: boolean;
  /** Width on one line with every child inline; -1 until asked. */
  width: number;
  /** Some member, here or in a child, has JSDoc: it never fits on one line inline. */
  docs: boolean;
  /** Set when it is written by name; "" until its first use picks the name. */
  name: string | undefined;
  /** Written out already, or its namer writes it. */
  declared: boolean;
  uses: number;
}

export class ShapeTable {
  readonly shapes: Shape[] = [];
  readonly #ids = new Map<string, number>();

  /** The reference text for an object type with these members (the same one for the same members). */
  intern(members: Member[], hint: string, reserved?: string): string {
    let key = "";
    for (const m of members) key += m.doc.length === 0 ? `\x03${m.sig}\x04` : `${m.doc.join("\n")}\x03${m.sig}\x04`;
    let id = this.#ids.get(key);
    if (id === undefined) {
      id = this.shapes.length;
      const children: number[] = [];
      let ownDocs = false;
      for (const m of members) {
        scanRefs(m.sig, children);
        if (m.doc.length > 0) ownDocs = true;
      }
      this.shapes.push({
        members,
        hint,
        reserved,
        children,
        ownDocs,
        width: -1,
        docs: false,
        name: undefined,
        declared: false,
        uses: 0,
      });
      this.#ids.set(key, id);
    }
    return OPEN + id + CLOSE;
  }

  /** Whether `text`, written inline, would be wider than `max` or need several lines. */
  exceeds(text: string, max: number): boolean {
    const children: number[] = [];
    scanRefs(text, children);
    let width = text.length;
    for (const c of children) {
      if (this.#measure(c).docs) return true;
      width += this.shapes[c]!.width - refLength(c);
    }
    return width > max;
  }

  /** Gives the shape `text` stands for (if it is one) a name whose declaration the caller writes. */
  claim(text: string, name: string): boolean {
    const id = shapeId(text);
    const shape = id === undefined ? undefined : this.shapes[id]!;
    if (!shape || shape.name !== undefined) return false;
    shape.name = name;
    shape.declared = true;
    return true;
  }

  /** Whether the shape has no name (yet): no definition or root claimed it. */
  isUnnamed(id: number): boolean {
    return this.shapes[id]!.name === undefined;
  }

  membersOf(id: number): readonly Member[] {
    return this.shapes[id]!.members;
  }

  hintOf(id: number): string {
    return this.shapes[id]!.hint;
  }

  /** Gives the shape `text` stands for a name, declared where it is first written. */
  nameOnUse(text: string, name: string): void {
    const shape = this.shapes[shapeId(text)!]!;
    if (shape.name !== undefined) return;
    shape.name = "";
    shape.reserved = name;
  }

  #measure(id: number): Shape {
    const shape = this.shapes[id]!;
    if (shape.width >= 0) return shape;
    let width = 2 + 2 * shape.members.length;
    for (const m of shape.members) width += m.sig.length;
    let docs = shape.ownDocs;
    for (const c of shape.children) {
      const child = this.#measure(c);
      width += child.width - refLength(c);
      docs ||= child.docs;
    }
    shape.width = width;
    shape.docs = docs;
    return shape;
  }
}

/** The shape id when `text` is exactly one shape reference. */
export function shapeId(text: string): number | undefined {
  if (text.charCodeAt(0) !== 1 || text.indexOf(CLOSE) !== text.length - 1) return undefined;
  return Number(text.slice(1, -1));
}

/** Adds the id of every shape reference in `text` to `out`. */
function scanRefs(text: string, out: number[]): void {
  for (let i = text.indexOf(OPEN); i !== -1; i = text.indexOf(OPEN, i + 1)) {
    out.push(Number(text.slice(i + 1, text.indexOf(CLOSE, i))));
  }
}

function refLength(id: number): number {
  return String(id).length + 2;
}

/** Second pass: turns type text with shape references into TypeScript, collecting shared declarations. */
export class ShapeWriter {
  readonly #table: ShapeTable;
  readonly #names: TypeNames;
  /** Declarations of named shapes, each after the shapes it uses. */
  readonly declarations: string[] = [];

  /** `roots`: every type text that will be written once (tool inputs and outputs, named definitions). */
  constructor(table: ShapeTable, names: TypeNames, roots: readonly string[]) {
    this.#table = table;
    this.#names = names;
    const shapes = table.shapes;
    // How often each shape would be written with everything inline (2 means "more than once").
    // A shape's children were interned before it, so walking down the ids meets every user of a
    // shape before the shape itself: its count is final when its turn comes.
    const refs: number[] = [];
    for (const text of roots) scanRefs(text, refs);
    for (const id of refs) shapes[id]!.uses++;
    for (let id = shapes.length - 1; id >= 0; id--) {
      const shape = shapes[id]!;
      if (shape.uses > 2) shape.uses = 2;
      for (const c of shape.children) shapes[c]!.uses += shape.uses;
    }
    // Children first: a shape's size counts its named children as names, its inline ones in full.
    const width: number[] = [];
    const docs: boolean[] = [];
    for (let id = 0; id < shapes.length; id++) {
      const shape = shapes[id]!;
      let w = 2 + 2 * shape.members.length;
      let d = shape.ownDocs;
      if (shape.uses === 0) {
        width.push(w);
        docs.push(d);
        continue;
      }
      for (const m of shape.members) w += m.sig.length;
      for (const c of shape.children) {
        const child = shapes[c]!;
        const written =
          child.name !== undefined ? (child.name || child.reserved || pascalCase(child.hint)).length : width[c]!;
        w += written - refLength(c);
        if (child.name === undefined && docs[c]) d = true;
      }
      width.push(w);
      docs.push(d);
      if (shape.name === undefined && shape.uses > 1 && (d || w >= HOIST_WIDTH)) shape.name = "";
    }
    // The real counts: a named shape is written once, whatever uses it. One that turns out to
    // be written only once after all (inside a shared one) is inline again.
    for (const shape of shapes) shape.uses = 0;
    for (const id of refs) shapes[id]!.uses++;
    for (let id = shapes.length - 1; id >= 0; id--) {
      const shape = shapes[id]!;
      if (shape.uses === 0) continue;
      if (shape.name === "" && shape.uses < 2) shape.name = undefined;
      const times = shape.name === undefined ? shape.uses : 1;
      for (const c of shape.children) shapes[c]!.uses += times;
    }
  }

  /** `text` with every shape written out (inline at `indent`, or by name). */
  expand(text: string, indent: string): string {
    let i = text.indexOf(OPEN);
    if (i === -1) return text;
    let out = "";
    let from = 0;
    for (; i !== -1; i = text.indexOf(OPEN, from)) {
      const end = text.indexOf(CLOSE, i);
      out += text.slice(from, i) + this.#use(Number(text.slice(i + 1, end)), indent);
      from = end + 1;
    }
    return out + text.slice(from);
  }

  /** Whether the shape gets a name of its own (shared, or named by a definition). */
  isNamed(id: number): boolean {
    return this.#table.shapes[id]!.name !== undefined;
  }

  /** The shape's `{ ... }`, never its name. */
  body(id: number, indent: string): string {
    const shape = this.#table.shapes[id]!;
    const inner = indent + INDENT;
    const sigs = shape.members.map((m) => this.expand(m.sig, inner));
    if (!shape.members.some((m) => m.doc.length > 0) && !sigs.some((s) => s.includes("\n"))) {
      const text = `{ ${sigs.join("; ")} }`;
      if (text.length + indent.length <= INLINE_WIDTH) return text;
    }
    let out = "{\n";
    shape.members.forEach((m, i) => {
      out += renderMember(m.doc, sigs[i]!, inner);
    });
    return `${out}${indent}}`;
  }

  #use(id: number, indent: string): string {
    const shape = this.#table.shapes[id]!;
    if (shape.name === undefined) return this.body(id, indent);
    if (shape.name === "") shape.name = shape.reserved ?? this.#names.take(pascalCase(shape.hint));
    if (!shape.declared) {
      shape.declared = true;
      this.declarations.push(`interface ${shape.name} ${this.body(id, "")}`);
    }
    return shape.name;
  }
}

/**
 * A member line with its doc: a one-line doc after it as a `//` comment (the cheapest way to say it),
 * several lines (or a member that spans lines) as JSDoc above it.
 */
export function renderMember(doc: readonly string[], sig: string, indent: string): string {
  if (doc.length === 1 && !sig.includes("\n")) return `${indent}${sig}; // ${doc[0]}\n`;
  return `${indent}${renderDoc(doc, indent)}${sig};\n`;
}

/**
 * A comment above a declaration, ending in a newline and `indent`; "" for none. One line is a `//`
 * comment; several are one JSDoc block whose lines carry no ` * ` prefix or indentation (each would
 * cost a token or two once JSON-escaped, and say nothing).
 */
export function renderDoc(lines: readonly string[], indent: string): string {
  if (lines.length === 0) return "";
  if (lines.length === 1) return `// ${lines[0]}\n${indent}`;
  return `/** ${lines.join("\n")} */\n${indent}`;
}
