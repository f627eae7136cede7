// What coming back costs: the text `execute_code` returns to the model, for a fixed set of result
// shapes, in tokens (o200k_base). Baseline: the previous layout (pretty-printed JSON, one value per
// line) measured in the same run, at the same information (nothing cut); then the new layout whole,
// compact JSON, and the text actually sent under the default budget.
import { countTokens } from "gpt-tokenizer/encoding/o200k_base";
import { resolveOptions } from "../src/execute-code/options.ts";
import { resultText } from "../src/execute-code/result-text.ts";
import type { ExecutionResult, LogEntry } from "../src/runtimes/executor.ts";

export interface ShapeFigures {
  /** The previous layout, whole: what showing everything cost before. */
  before: number;
  /** The new layout, whole (no budget). */
  after: number;
  /** `after / before`. */
  ratio: number;
  /** The result alone as compact JSON (plus the same console lines), for reference. */
  compactJson: number;
  /** The text sent under the default budget. */
  sent: number;
  /** True when everything shown was cut and the text says what it left out. */
  cutStated: boolean | "not cut";
}

const rows = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    id: i,
    name: `user${i}`,
    email: `user${i}@example.com`,
    active: i % 3 === 0,
  }));
const lines = (n: number): LogEntry[] =>
  Array.from({ length: n }, (_, i) => ({ level: "log", message: `processed order ${1000 + i}: ok` }));

/** The shapes: each a result and console lines, as a program would produce them. */
export const SHAPES: Record<string, { result: unknown; logs: LogEntry[] }> = {
  numbers: { result: Array.from({ length: 5000 }, (_, i) => i), logs: [] },
  rows: { result: rows(200), logs: [] },
  nested: {
    result: {
      repo: { name: "code-mode", owner: { login: "ada", id: 1 }, topics: ["ai", "mcp", "sandbox"] },
      issues: Array.from({ length: 40 }, (_, i) => ({
        number: 100 + i,
        title: `Crash when the catalog changes during run ${i}`,
        labels: i % 2 ? [{ name: "bug" }, { name: "p1" }] : [{ name: "docs" }],
        author: { login: `dev${i}`, bot: false },
      })),
    },
    logs: [],
  },
  longString: { result: "The quick brown fox jumps over the lazy dog. ".repeat(1500), logs: [] },
  mixed: { result: { done: 50, failed: [1007, 1031], sample: rows(50) }, logs: lines(300) },
};

/** The previous text layout (kept here as the baseline), without its character cut. */
function previousLayout(result: unknown, logs: LogEntry[]): string {
  const parts = [`Result:\n${JSON.stringify(result, null, 1)}`];
  if (logs.length) parts.push(`Console:\n${logs.map((l) => l.message).join("\n")}`);
  return parts.join("\n\n");
}

function asResult(result: unknown, logs: LogEntry[]): ExecutionResult {
  return { ok: true, result, logs, toolCalls: [], runtime: "vm", ms: 1 };
}

export interface ResultsFigures {
  shapes: Record<string, ShapeFigures>;
  /** All shapes together, previous layout against the new one. */
  total: { before: number; after: number; ratio: number };
  budgetTokens: number;
}

export function benchResults(): ResultsFigures {
  const options = resolveOptions({ runtime: "vm" });
  const budget = { maxTokens: options.maxTextTokens, maxChars: options.maxTextChars };
  const whole = { maxTokens: Number.MAX_SAFE_INTEGER, maxChars: Number.MAX_SAFE_INTEGER };
  const figures: Record<string, ShapeFigures> = {};
  for (const [name, shape] of Object.entries(SHAPES)) {
    const before = countTokens(previousLayout(shape.result, shape.logs));
    const after = countTokens(resultText(asResult(shape.result, shape.logs), whole));
    const compactJson = countTokens(
      `Result:\n${JSON.stringify(shape.result)}${shape.logs.length ? `\n\nConsole:\n${shape.logs.map((l) => l.message).join("\n")}` : ""}`,
    );
    const sentText = resultText(asResult(shape.result, shape.logs), budget);
    const cut = sentText.includes("…");
    figures[name] = {
      before,
      after,
      ratio: Math.round((after / before) * 100) / 100,
      compactJson,
      sent: countTokens(sentText),
      cutStated: cut ? /\d[\d,]* (more|of)/.test(sentText) : "not cut",
    };
  }
  const sum = (key: "before" | "after") => Object.values(figures).reduce((total, f) => total + f[key], 0);
  const total = {
    before: sum("before"),
    after: sum("after"),
    ratio: Math.round((sum("after") / sum("before")) * 100) / 100,
  };
  return { shapes: figures, total, budgetTokens: budget.maxTokens };
}
