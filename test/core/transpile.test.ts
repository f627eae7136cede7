import { describe, expect, it } from "vitest";
import { CodeModeError, transpile } from "../../src/index.ts";

const syntaxErrorOf = (code: string): CodeModeError => {
  try {
    transpile(code);
  } catch (error) {
    if (CodeModeError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected a syntax error");
};

describe("transpile", () => {
  it("accepts a program body with top-level await, return and types", () => {
    const { js } = transpile("const x: number = await api.a({});\nreturn x as number;");
    expect(js).toMatch(/^async function __main\(\) \{/);
    expect(js).not.toMatch(/: number|as number/);
  });

  it("accepts an async arrow function given as the whole program", () => {
    const { js } = transpile("async () => {\n  const y: string = 'a';\n  return y;\n}");
    expect(js).toMatch(/return await \(/);
    expect(new Function(`${js}; return __main;`)()).toBeTypeOf("function");
  });

  it("treats a declared async function followed by more code as a body", () => {
    const { js } = transpile("async function go() { return 1; }\nreturn go();");
    expect(js).toContain("return go()");
  });

  it("keeps positions exact on the type-stripping path", () => {
    const program = transpile("const a: number = 1;\n\nthrow new Error('x');");
    const line = program.js.split("\n").findIndex((l) => l.includes("throw")) + 1;
    expect(program.positions.original(line, 1)).toEqual({ line: 3, column: 1 });
  });

  it("falls back to esbuild for syntax that cannot be stripped, mapping positions back", () => {
    const program = transpile("enum Color { Red, Green }\nconst c: Color = Color.Green;\nthrow new Error(String(c));");
    const line = program.js.split("\n").findIndex((l) => l.includes("throw")) + 1;
    expect(program.positions.original(line, 3)?.line).toBe(3);
  });

  it("reports a syntax error at the model's line and column", () => {
    const error = syntaxErrorOf("const a = 1;\nconst b = ;\nreturn b;");
    expect(error.kind).toBe("syntax");
    expect(error.line).toBe(2);
    expect(error.column).toBe(11);
    expect(error.message).toMatch(/Syntax error at line 2, column 11/);
    expect(error.message).toContain("const b = ;");
  });

  it("explains that imports do not exist", () => {
    expect(syntaxErrorOf("import fs from 'node:fs';").message).toMatch(/not modules/);
  });

  it("refuses dynamic import in any spelling, and only dynamic import", () => {
    expect(syntaxErrorOf("const m = await import('node:fs');").message).toMatch(
      /import\(\) is not available \(line 1\)/,
    );
    expect(syntaxErrorOf("const m = await import\n// why not\n('x');").kind).toBe("syntax");
    expect(() => transpile("const important = 'import(x)'; // import('y')\nreturn important;")).not.toThrow();
  });

  it("refuses an empty program and a non-string", () => {
    expect(syntaxErrorOf("  \n ").message).toMatch(/empty/);
    expect(syntaxErrorOf(undefined as unknown as string).message).toMatch(/must be a string/);
  });
});
