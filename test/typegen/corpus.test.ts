// The typegen against schemas nobody on this project wrote: 258 real MCP tools and the 104 JSON
// Schema inputs of json-schema-to-typescript's tests. For each, values built from the schema are
// judged by ajv and by the TypeScript compiler against the declarations; the two must agree: every
// valid value compiles, every invalid one fails. The known inexact cases, where TS cannot say a
// constraint and the declarations accept every valid value and state it in JSDoc instead, are listed
// in candidates.ts (INEXPRESSIBLE, `expressible`); what the declarations refuse on purpose (keys an
// open object does not list) is in `asDeclared` there. Besides: `integer` is `number`.
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CORPUS_FILE } from "../../bench/corpus.ts";
import type { Tool } from "../../src/tools/tool.ts";
import { generateDeclarations } from "../../src/typegen/declarations.ts";
import { buildApiLayout } from "../../src/typegen/names.ts";
import { candidates, oracleFor } from "./candidates.ts";
import { typeErrors } from "./type-check.ts";

const present = existsSync(CORPUS_FILE);
if (!present) console.log("typegen corpus tests skipped: ../shared/corpus-typegen/corpus.json is absent");

interface Corpus {
  toolsets: { id: string; tools: Omit<Tool, "execute">[] }[];
  schemas: { cases: { name: string; schema: unknown }[] };
}
const corpus: Corpus = present
  ? JSON.parse(readFileSync(CORPUS_FILE, "utf8"))
  : { toolsets: [], schemas: { cases: [] } };

interface Disagreement {
  tool: string;
  value: string;
  ajv: "valid" | "refused";
  tsc: string[];
}

/**
 * Checks every candidate of every tool in one compiler program: the declarations must compile
 * alone, a value ajv finds valid must compile, a value ajv refuses (without the inexpressible
 * keywords) must not. Returns the disagreements and how many values were checked.
 */
function agreement(tools: Tool[]): { disagreements: Disagreement[]; checked: number; declarationErrors: string[] } {
  const decls = generateDeclarations(tools);
  const calls: { tool: string; value: unknown; valid: boolean }[] = [];
  const lines: string[] = [];
  for (const { tool, path } of buildApiLayout(tools)) {
    const oracle = oracleFor(tool.inputSchema);
    if (!oracle) continue;
    for (const value of candidates(tool.inputSchema)) {
      const valid = oracle.valid(value);
      if (!valid && !oracle.refused(value)) continue;
      calls.push({ tool: path.join("."), value, valid });
      lines.push(`await api.${path.join(".")}(${JSON.stringify(value)});`);
    }
  }
  const first = decls.split("\n").length + 1;
  const errors = typeErrors(`${decls}async function program() {\n${lines.join("\n")}\n}\n`);
  const byCall = new Map<number, string[]>();
  const declarationErrors: string[] = [];
  for (const e of errors) {
    const line = Number(e.slice(0, e.indexOf(":")));
    if (line < first) declarationErrors.push(e);
    else byCall.set(line - first, [...(byCall.get(line - first) ?? []), e]);
  }
  const disagreements: Disagreement[] = [];
  calls.forEach((call, i) => {
    const tsc = byCall.get(i) ?? [];
    if (call.valid === (tsc.length === 0)) return;
    disagreements.push({
      tool: call.tool,
      value: JSON.stringify(call.value),
      ajv: call.valid ? "valid" : "refused",
      tsc,
    });
  });
  return { disagreements, checked: calls.length, declarationErrors };
}

const asTools = (list: Omit<Tool, "execute">[], namespace?: string): Tool[] =>
  list.map((t) => ({ ...t, ...(namespace && { namespace }), execute: () => null }));

// Compiling hundreds of schemas with ajv and type-checking thousands of calls takes seconds on an
// idle machine; the generous timeout is for a machine shared with other work, not a speed target.
const SLOW = 180_000;

describe.runIf(present)("typegen on the real MCP corpus", () => {
  it.each(corpus.toolsets.map((s) => [s.id, s] as const))(
    "%s: ajv and tsc agree on every candidate",
    (_, set) => {
      const result = agreement(asTools(set.tools, set.id));
      expect(result.declarationErrors).toEqual([]);
      expect(result.disagreements).toEqual([]);
      expect(result.checked).toBeGreaterThan(set.tools.length);
    },
    SLOW,
  );
});

describe.runIf(present)("typegen on json-schema-to-typescript's test schemas", () => {
  const cases = corpus.schemas.cases;
  const tools: Tool[] = cases.map((c, i) => ({
    name: `case_${i}`,
    description: c.name,
    inputSchema: c.schema as Tool["inputSchema"],
    execute: () => null,
  }));
  const chunks = [0, 1, 2, 3].map((n) => tools.filter((_, i) => i % 4 === n));

  it("has them all", () => {
    expect(cases.length).toBe(104);
  });

  it.each(chunks.map((chunk, n) => [n + 1, chunk] as const))(
    "part %i of 4: ajv and tsc agree on every candidate",
    (_, chunk) => {
      const result = agreement(chunk);
      expect(result.declarationErrors).toEqual([]);
      expect(result.disagreements).toEqual([]);
      expect(result.checked).toBeGreaterThan(chunk.length);
    },
    SLOW,
  );
});
