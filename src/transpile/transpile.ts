import { createRequire } from "node:module";
import type { TransformFailure } from "esbuild";
import { CodeModeError } from "../errors.ts";
import { IdentityPositions, MappedPositions, type SourcePositions } from "./positions.ts";

// Both load on first use (amaro compiles its WebAssembly, some 40 ms), not with `import "code-mode"`;
// createCodeModeTool warms the stripper up while its runtime starts. Both ship CommonJS.
const require = createRequire(import.meta.url);
const esbuild = () => require("esbuild") as typeof import("esbuild");
let amaro: typeof import("amaro") | undefined;

/** The type stripper, loaded on first call (call it early to load it ahead of the first program). */
export function typeStripper(): typeof import("amaro") {
  amaro ??= require("amaro") as typeof import("amaro");
  return amaro;
}

/** A program ready for a runtime: `js` is one `async function __main() {...}` declaration. */
export interface TranspiledProgram {
  js: string;
  /** Maps positions in `js` back to the model's own code. */
  positions: SourcePositions;
}

// An `async () => {...}` or `async function () {...}` given as the whole program is called.
const FUNCTION_EXPRESSION = /^\s*async\s*(\([^)]*\)\s*(:[^=]+)?=>|[A-Za-z_$][\w$]*\s*=>|function\b)/;

/**
 * Turns the model's TypeScript into JavaScript. The code is a program body (top-level
 * `await` and `return`; the returned value is the result) or an async function expression.
 * Throws a `syntax` CodeModeError with the model's line and column.
 *
 * @example
 * const { js } = transpile("const n: number = await api.count();\nreturn n + 1;");
 * // js: "async function __main() {...}", types blanked out, positions kept
 */
export function transpile(code: string): TranspiledProgram {
  if (typeof code !== "string") throw new CodeModeError("syntax", "The program must be a string of TypeScript code.");
  if (code.trim() === "") {
    throw new CodeModeError(
      "syntax",
      "The program is empty. Write TypeScript that calls `await api.<tool>(...)` and `return`s the result.",
    );
  }
  if (FUNCTION_EXPRESSION.test(code)) {
    try {
      return build(`async function __main() {\nreturn await (\n${code}\n)();\n}\n`, 2);
    } catch {
      // Not a lone function expression after all (e.g. a declaration followed by more code).
    }
  }
  return build(`async function __main() {\n${code}\n}\n`, 1);
}

// `import` can only be the keyword if the word appears as is (keywords allow no escapes).
const IMPORT_WORD = /\bimport\b/;

/**
 * Refuses `import(...)` in any spelling. A sandbox answers it from the host's side (Node's loader
 * hook in the docker runner), and an error thrown there at a nearly full stack belongs to the
 * host's realm. esbuild finds every call exactly: told that the target lacks dynamic import, it
 * rewrites each one and adds its `__toESM` helper, which nothing else produces at top level.
 */
function refuseDynamicImport(source: string, lineOffset: number): void {
  let out: string;
  try {
    out = esbuild().transformSync(source, { loader: "ts", format: "esm", supported: { "dynamic-import": false } }).code;
  } catch {
    return; // A syntax error: the normal path reports it.
  }
  if (!out.startsWith("var __") || !out.includes("__toESM")) return;
  const at = source.search(/\bimport\s*\(/);
  const before = source.slice(0, Math.max(0, at)).split("\n");
  const line = at >= 0 ? Math.max(1, before.length - lineOffset) : undefined;
  const column = at >= 0 ? before.at(-1)!.length + 1 : undefined;
  throw new CodeModeError(
    "syntax",
    `import() is not available${line === undefined ? "" : ` (line ${line})`}: programs are not modules and there is nothing to import. Call tools through the global \`api\` object.`,
    { ...(line !== undefined && { line }), ...(column !== undefined && { column }) },
  );
}

function build(source: string, lineOffset: number): TranspiledProgram {
  if (IMPORT_WORD.test(source)) refuseDynamicImport(source, lineOffset);
  // Fast path (~0.06 ms): Node's own type stripper (amaro) blanks out type syntax in place, so
  // positions stay exact. esbuild (~1 ms per call, a process round trip) handles what stripping
  // cannot (enums, namespaces, parameter properties) and words syntax errors best.
  try {
    const js = typeStripper().transformSync(source, { mode: "strip-only" }).code;
    return { js, positions: new IdentityPositions(lineOffset) };
  } catch {
    // Fall through to esbuild.
  }
  try {
    const out = esbuild().transformSync(source, {
      loader: "ts",
      format: "esm",
      target: "es2024",
      sourcemap: "external",
      sourcefile: "program.ts",
      // Keep the model's names in stack traces and console output.
      minify: false,
    });
    return { js: out.code, positions: new MappedPositions(out.map, lineOffset) };
  } catch (error) {
    throw syntaxError(error as TransformFailure, source, lineOffset);
  }
}

function syntaxError(failure: TransformFailure, source: string, lineOffset: number): CodeModeError {
  const first = failure.errors?.[0];
  if (!first) return new CodeModeError("syntax", `The program could not be parsed: ${String(failure)}`);
  const loc = first.location;
  const line = loc ? Math.max(1, loc.line - lineOffset) : undefined;
  const column = loc ? loc.column + 1 : undefined;
  let message = first.text;
  if (/\bimport\b|\bexport\b/.test(message) || (loc && /^\s*(import|export)\b/.test(loc.lineText))) {
    message +=
      ". Programs are not modules: there is nothing to import. Call tools through the global `api` object and `return` the result.";
  }
  const where = line === undefined ? "" : ` at line ${line}, column ${column}`;
  const excerpt =
    loc?.lineText && loc.line > lineOffset && loc.line <= source.split("\n").length - 2
      ? `\n  ${loc.lineText.trim()}`
      : "";
  return new CodeModeError("syntax", `Syntax error${where}: ${message}${excerpt}`, {
    ...(line !== undefined && { line }),
    ...(column !== undefined && { column }),
  });
}
