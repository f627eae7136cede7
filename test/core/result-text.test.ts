// The text the model reads back: compact, within its token budget, and honest about every cut.
import { countTokens } from "gpt-tokenizer/encoding/o200k_base";
import { describe, expect, it } from "vitest";
import { SHAPES } from "../../bench/results.ts";
import { layoutValue } from "../../src/execute-code/layout.ts";
import { resultText } from "../../src/execute-code/result-text.ts";
import type { ExecutionResult, LogEntry } from "../../src/runtimes/executor.ts";

const BUDGET = { maxTokens: 2000, maxChars: 1_000_000 };
const ok = (result: unknown, logs: LogEntry[] = []): ExecutionResult => ({
  ok: true,
  result,
  logs,
  toolCalls: [],
  runtime: "vm",
  ms: 1,
});

describe("the result text", () => {
  for (const [name, shape] of Object.entries(SHAPES)) {
    it(`keeps the ${name} shape within the budget, in real tokens, and says what it cut`, () => {
      const text = resultText(ok(shape.result, shape.logs), BUDGET);
      expect(countTokens(text)).toBeLessThanOrEqual(BUDGET.maxTokens);
      if (text.includes("…")) expect(text).toMatch(/\d[\d,]* (more|of) /);
    });
  }

  it("shows small results whole as compact JSON", () => {
    expect(resultText(ok({ total: 10, names: ["a", "b"] }), BUDGET)).toBe('Result:\n{"total":10,"names":["a","b"]}');
  });

  it("lays out uniform rows as a table and names the columns once", () => {
    const rows = Array.from({ length: 5 }, (_, i) => ({ id: i, name: `n${i}` }));
    const { text, cut } = layoutValue(rows, 2000);
    expect(cut).toBe(false);
    expect(text).toBe('[table of 5 rows, each ["id","name"]:\n[0,"n0"]\n[1,"n1"]\n[2,"n2"]\n[3,"n3"]\n[4,"n4"]\n]');
  });

  it("cuts a long list of numbers after the first ones and counts the rest", () => {
    const { text, cut } = layoutValue(
      Array.from({ length: 5000 }, (_, i) => i),
      200,
    );
    expect(cut).toBe(true);
    expect(text).toMatch(/^\[0,1,2,3,/);
    const shown = Number(text.match(/… ([\d,]+) more numbers, 5,000 in all\]$/)?.[1]?.replaceAll(",", ""));
    expect(shown).toBeGreaterThan(4000);
    expect(text.split(",").length - 1).toBeGreaterThan(40);
  });

  it("gives every key of an object a share, so one big value cannot hide the others", () => {
    const value = { big: Array.from({ length: 3000 }, (_, i) => `item ${i}`), small: 42, status: "done" };
    const text = layoutValue(value, 300).text;
    expect(text).toContain('"small":42');
    expect(text).toContain('"status":"done"');
    expect(text).toMatch(/more strings, 3,000 in all/);
  });

  it("names the keys it dropped from a very wide object", () => {
    const wide = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, i]));
    const { text } = layoutValue(wide, 300);
    expect(countTokens(text)).toBeLessThanOrEqual(320);
    expect(text).toMatch(/… [\d,]+ more keys: "k\d+", "k\d+"/);
  });

  it("summarises nesting deeper than it shows, on one line", () => {
    const deep = JSON.parse(`${"[".repeat(2000)}1${"]".repeat(2000)}`);
    const { text, cut } = layoutValue(deep, 2000);
    expect(cut).toBe(true);
    expect(text).toMatch(/^\[{12}\[… 1 item nested too deep to show\]{13}$/);
  });

  it("cuts a huge string to its start and says how long it was", () => {
    const huge = "x".repeat(20_000_000);
    const { text } = layoutValue(huge, 100);
    expect(text).toMatch(/^"x+…" \([\d,]+ more characters, 20,000,000 in all\)$/);
    expect(text.length).toBeLessThan(1000);
  });

  it("writes keys with odd characters, undefined and -0 as valid JSON values", () => {
    const { text } = layoutValue({ 'a "quoted"\nkey': [undefined, -0, 1], "": null }, 2000);
    expect(JSON.parse(text)).toEqual({ 'a "quoted"\nkey': [null, 0, 1], "": null });
  });

  it("shares the budget with console output, keeping its first and last lines", () => {
    const logs: LogEntry[] = Array.from({ length: 400 }, (_, i) => ({ level: "log", message: `line ${i}` }));
    const text = resultText(
      ok(
        Array.from({ length: 3000 }, (_, i) => i),
        logs,
      ),
      { maxTokens: 800, maxChars: 1_000_000 },
    );
    expect(countTokens(text)).toBeLessThanOrEqual(800);
    expect(text).toMatch(/Console:\nline 0\nline 1\n/);
    expect(text).toMatch(/line 399$/);
    expect(text).toMatch(/… \[\d+ of 400 console lines not shown\]/);
    expect(text).toMatch(/more numbers, 3,000 in all/);
  });

  it("keeps the structured result whole: only the text is cut", () => {
    const result = ok(Array.from({ length: 5000 }, (_, i) => i));
    resultText(result, { maxTokens: 100, maxChars: 1_000_000 });
    expect(result.result).toHaveLength(5000);
  });
});
