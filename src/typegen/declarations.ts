import type { Tool } from "../tools/tool.ts";
import { buildApiLayout } from "./names.ts";
import { acceptsEmptyObject, docLines, type NamedType, readSchema } from "./schema-to-type.ts";
import { INLINE_WIDTH, renderDoc, ShapeTable, ShapeWriter, shapeId } from "./shapes.ts";
import { pascalCase, TypeNames } from "./type-names.ts";

/** A method's input or output type longer than this many lines is declared on its own, named. */
const INLINE_LINES = 6;

/** One tool's types after the first pass. */
interface ToolTypes {
  path: string[];
  base: string;
  doc: string[];
  optional: boolean;
  input: string;
  output: string;
  named: NamedType[];
}

/** A level of `api`: method signatures and nested namespaces, in layout order. */
type Level = Map<string, string | Level>;

/**
 * TypeScript declarations of every tool, as the sandbox's `api` object exposes them: each method's
 * input type, and its result type from `outputSchema` (else `unknown`), under `declare const api`.
 * Deterministic and compact, since it goes into the model's prompt: a type is written inline where
 * it is used, unless it is big (then `XInput`/`XOutput`), shared by several places (one declaration,
 * named after where it first appears), or named by the schema (`$ref` targets).
 *
 * @example
 * const text = generateDeclarations(registry.list());
 * // declare const api: { get_weather(input: { city: string }): Promise<{ tempC: number }>; ... };
 */
export function generateDeclarations(tools: readonly Tool[]): string {
  const names = new TypeNames();
  const shapes = new ShapeTable();
  const layout = buildApiLayout(tools);
  // All tool names first, so a tool's name never depends on another tool's definitions.
  const bases = layout.map((entry) => names.takeWithSuffixes(entry.path.map(pascalCase).join(""), ["Input", "Output"]));
  const read = layout.map(({ tool, path }, i): ToolTypes => {
    const base = bases[i]!;
    const input = schemaTypes(tool.inputSchema, base, "Input", names, shapes);
    const output =
      tool.outputSchema === undefined ? undefined : schemaTypes(tool.outputSchema, base, "Output", names, shapes);
    const tags: string[] = [];
    const inputDoc = rootDescription(tool.inputSchema, tool.description);
    if (inputDoc) tags.push(`@param input ${inputDoc}`);
    const outputDoc = rootDescription(tool.outputSchema, tool.description);
    if (outputDoc) tags.push(`@returns ${outputDoc}`);
    return {
      path,
      base,
      doc: docLines(typeof tool.description === "string" ? tool.description : undefined, tags),
      optional: safely(() => acceptsEmptyObject(tool.inputSchema), true),
      input: input.type,
      output: output?.type ?? "unknown",
      named: [...input.named, ...(output?.named ?? [])],
    };
  });

  const roots = read.flatMap((t) => [t.input, t.output, ...t.named.map((n) => n.type)]);
  const writer = new ShapeWriter(shapes, names, roots);
  const own = writer.declarations;
  const api: Level = new Map();
  for (const t of read) {
    const indent = "  ".repeat(t.path.length);
    const input = rootType(t.input, `${t.base}Input`, indent, writer, own);
    const output = rootType(t.output, `${t.base}Output`, indent, writer, own);
    for (const n of t.named) {
      const id = shapeId(n.type);
      const text =
        n.isInterface && id !== undefined
          ? `interface ${n.name} ${writer.body(id, "")}`
          : `type ${n.name} = ${writer.expand(n.type, "")};`;
      own.push(renderDoc(n.doc, "") + text);
    }
    const name = t.path.at(-1)!;
    let level = api;
    for (const segment of t.path.slice(0, -1)) {
      let next = level.get(segment);
      if (!(next instanceof Map)) {
        next = new Map();
        level.set(segment, next);
      }
      level = next;
    }
    // `new(...)` in a type literal would declare a constructor.
    const method = name === "new" ? '"new"' : name;
    level.set(
      name,
      `${renderDoc(t.doc, indent)}${method}(input${t.optional ? "?" : ""}: ${input}): Promise<${output}>`,
    );
  }
  const apiText = `declare const api: ${renderLevel(api, "")};`;
  return [...own, apiText].join("\n").concat("\n");
}

/** Reads one schema; a schema that cannot be read at all is `unknown`. */
function schemaTypes(schema: unknown, base: string, suffix: string, names: TypeNames, shapes: ShapeTable) {
  return safely(() => readSchema(schema, base + suffix, base, names, shapes), { type: "unknown", named: [] });
}

/**
 * A method's input or output type: inline when it reads well there, else declared as `name`.
 * A shared shape keeps its shared name.
 */
function rootType(type: string, name: string, indent: string, writer: ShapeWriter, own: string[]): string {
  const id = shapeId(type);
  if (id !== undefined && writer.isNamed(id)) return writer.expand(type, indent);
  const inline = writer.expand(type, indent);
  const lines = lineCount(inline);
  if (lines === 1 ? inline.length + indent.length <= INLINE_WIDTH : lines <= INLINE_LINES) return inline;
  own.push(
    id !== undefined ? `interface ${name} ${writer.body(id, "")}` : `type ${name} = ${writer.expand(type, "")};`,
  );
  return name;
}

/** The root schema's own description, when it adds to the tool's, on one line. */
function rootDescription(schema: unknown, toolDoc: unknown): string | undefined {
  return safely(() => {
    const doc = typeof schema === "object" && schema !== null ? (schema as { description?: unknown }).description : "";
    if (typeof doc !== "string" || doc === toolDoc) return undefined;
    const line = doc.replace(/\s+/g, " ").trim();
    return line === "" ? undefined : line;
  }, undefined);
}

function lineCount(text: string): number {
  let n = 1;
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) n++;
  return n;
}

function renderLevel(level: Level, indent: string): string {
  const inner = `${indent}  `;
  let body = "";
  for (const [name, entry] of level) {
    if (entry instanceof Map) body += `${inner}${name}: ${renderLevel(entry, inner)};\n`;
    else body += `${inner}${entry};\n`;
  }
  return `{\n${body}${indent}}`;
}

// Schemas come from other people's servers: a getter that throws or a cycle deep enough to
// overflow the stack must cost one tool its types, never the whole declarations text.
function safely<T>(run: () => T, fallback: T): T {
  try {
    return run();
  } catch {
    return fallback;
  }
}
