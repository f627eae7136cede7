import ts from "typescript";
import type { Tool } from "../../src/tools/tool.ts";

// What the sandbox offers: ECMAScript built-ins, no DOM, no Node.
const options: ts.CompilerOptions = {
  noEmit: true,
  strict: true,
  // The lib files are the compiler's own; checking them again in every program costs most of the time.
  skipLibCheck: true,
  target: ts.ScriptTarget.ES2022,
  lib: ["lib.es2024.d.ts"],
  types: [],
};
const FILE = "/program.ts";
// Parsing the lib files dominates the cost of a program; they never change, so share them.
const libFiles = new Map<string, ts.SourceFile | undefined>();

/** Type-checks one script with the TypeScript compiler; returns "line: message" per diagnostic. */
export function typeErrors(source: string): string[] {
  const host = ts.createCompilerHost(options);
  const readLib = host.getSourceFile.bind(host);
  host.getSourceFile = (name, version) => {
    if (name === FILE) return ts.createSourceFile(name, source, version);
    if (!libFiles.has(name)) libFiles.set(name, readLib(name, version));
    return libFiles.get(name);
  };
  host.fileExists = (name) => name === FILE || ts.sys.fileExists(name);
  host.readFile = (name) => (name === FILE ? source : ts.sys.readFile(name));
  const program = ts.createProgram([FILE], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0;
    return `${line}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
  });
}

/** Tools from a fixture file of `{ name, description, inputSchema, outputSchema? }`. */
export function fixtureTools(list: unknown, namespace?: string): Tool[] {
  return (list as Omit<Tool, "execute">[]).map((t) => ({
    ...t,
    ...(namespace ? { namespace } : {}),
    execute: () => null,
  }));
}

/** A tool for tests that only care about schemas. */
export function tool(name: string, inputSchema: unknown, extra: Partial<Tool> = {}): Tool {
  return {
    name,
    description: `The ${name} tool.`,
    inputSchema: inputSchema as Tool["inputSchema"],
    execute: () => null,
    ...extra,
  };
}
