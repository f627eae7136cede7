import type { Tool } from "../tools/tool.ts";
import { buildApiLayout } from "./names.ts";
import { acceptsEmptyObject, declareSchema, jsdoc } from "./schema-to-type.ts";
import { pascalCase, TypeNames } from "./type-names.ts";

interface Method {
  doc: string;
  /** `name(input: XInput): Promise<XOutput>` without indentation. */
  signature: string;
}

/** A level of `api`: methods and nested namespaces, in layout order. */
type Level = Map<string, Method | Level>;

/**
 * TypeScript declarations of every tool, as the sandbox's `api` object exposes them: an input
 * type per tool, a result type from `outputSchema` (else `unknown`) and `declare const api`.
 * Deterministic and compact, since it goes into the model's prompt.
 */
export function generateDeclarations(tools: readonly Tool[]): string {
  const names = new TypeNames();
  const layout = buildApiLayout(tools);
  // All tool names first, so a tool's name never depends on another tool's definitions.
  const bases = layout.map((entry) => names.takeWithSuffixes(entry.path.map(pascalCase).join(""), ["Input", "Output"]));
  const out: string[] = [];
  const api: Level = new Map();
  layout.forEach(({ tool, path }, i) => {
    const base = bases[i]!;
    const input = `${base}Input`;
    out.push(declare(tool.inputSchema, input, base, names, tool.description, `type ${input} = unknown;`));
    let output = "unknown";
    if (tool.outputSchema !== undefined) {
      const text = declare(tool.outputSchema, `${base}Output`, base, names, undefined, "");
      if (text !== "") {
        out.push(text);
        output = `${base}Output`;
      }
    }
    const optional = safely(() => acceptsEmptyObject(tool.inputSchema), true) ? "?" : "";
    const name = path.at(-1)!;
    let level = api;
    for (const segment of path.slice(0, -1)) {
      let next = level.get(segment);
      if (!(next instanceof Map)) {
        next = new Map();
        level.set(segment, next);
      }
      level = next;
    }
    level.set(name, {
      doc: typeof tool.description === "string" ? tool.description : "",
      // `new(...)` in a type literal would declare a constructor.
      signature: `${name === "new" ? '"new"' : name}(input${optional}: ${input}): Promise<${output}>`,
    });
  });
  out.push(`declare const api: ${renderLevel(api, "")};`);
  return `${out.join("\n")}\n`;
}

/** One schema's declarations; `fallback` when it cannot be rendered or says nothing. */
function declare(
  schema: unknown,
  name: string,
  prefix: string,
  names: TypeNames,
  toolDoc: string | undefined,
  fallback: string,
): string {
  return safely(() => {
    const rootDoc =
      typeof schema === "object" && schema !== null ? (schema as { description?: unknown }).description : undefined;
    const doc = typeof rootDoc === "string" && rootDoc !== toolDoc ? rootDoc : undefined;
    const result = declareSchema(schema, name, prefix, names, doc);
    return result.unknownRoot ? fallback : result.text;
  }, fallback);
}

function renderLevel(level: Level, indent: string): string {
  const inner = `${indent}  `;
  let body = "";
  for (const [name, entry] of level) {
    if (entry instanceof Map) body += `${inner}${name}: ${renderLevel(entry, inner)};\n`;
    else body += `${inner}${jsdoc(entry.doc, [], inner)}${entry.signature};\n`;
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
