import type { ExecutionResult, LogEntry } from "../runtimes/executor.ts";
import { estimateTokens } from "../tokens/estimate-tokens.ts";
import { layoutCost, layoutValue } from "./layout.ts";

const HINTS: Record<string, string> = {
  syntax: "Fix the syntax and send the whole program again.",
  type: "Check the declared input type of that tool and call it with matching arguments.",
  runtime: "Your program threw; fix the line above (wrap a step in try/catch to continue past it).",
  tool: "A tool reported this failure; its message is above. Catch it with try/catch if the program should go on.",
  timeout: "Do less per program, or split the work across several programs.",
  memory: "Keep less data in memory at once.",
  limit: "Stay within the limits named above.",
  executor: "The sandbox failed, not your program; running the same program again may work.",
  config: "The host is misconfigured; this is not something your program can fix.",
};

/** Part of the budget planned with, so that estimation error does not push the text over it. */
const ESTIMATE_MARGIN = 0.92;
/** Share of the budget console output keeps when the result needs more than what is left. */
const LOG_SHARE = 0.3;

/** How much text the model gets back: a token budget, and a hard cap in characters. */
export interface TextBudget {
  maxTokens: number;
  maxChars: number;
}

/**
 * The text the model reads back: result, logs, error with line and a hint. The result and the
 * console share `maxTokens`; whatever does not fit is cut by structure and says what it left out.
 */
export function resultText(result: ExecutionResult, budget: TextBudget): string {
  const head: string[] = [];
  if (!result.ok && result.error) {
    const where =
      result.error.line === undefined
        ? ""
        : ` at line ${result.error.line}${result.error.column === undefined ? "" : `, column ${result.error.column}`}`;
    head.push(`Error (${result.error.kind})${where}: ${result.error.message}\nHint: ${HINTS[result.error.kind] ?? ""}`);
  }
  const tail: string[] = [];
  if (result.toolCalls.length > 0) {
    const failed = result.toolCalls.filter((c) => !c.ok).length;
    tail.push(`Tool calls: ${result.toolCalls.length}${failed ? ` (${failed} failed)` : ""}`);
  }
  const fixed = estimateTokens(head.join("\n\n")) + estimateTokens(tail.join("\n\n")) + 8;
  // The estimate is within a few percent of real tokenizers; the margin keeps the text under budget.
  const left = Math.max(64, Math.floor(budget.maxTokens * ESTIMATE_MARGIN) - fixed);

  const logLines = result.logs.map(logLine);
  const logsCost = logLines.reduce((sum, line) => sum + estimateTokens(line) + 1, 0);
  const hasResult = result.ok;
  const resultCost = hasResult ? layoutCost(result.result, left) : 0;
  let logBudget = logsCost;
  let resultBudget = left;
  if (resultCost + logsCost > left) {
    // The result usually matters more; console output keeps its share unless the result is small.
    logBudget = hasResult ? Math.min(logsCost, Math.max(Math.floor(left * LOG_SHARE), left - resultCost)) : left;
    resultBudget = left - logBudget;
  }

  const parts = [...head];
  if (hasResult) {
    if (result.result === undefined) {
      parts.push("Result: undefined (the program returned nothing)");
    } else {
      const layout = layoutValue(result.result, resultBudget);
      const notes: string[] = [];
      if (layout.cut) notes.push("[the result was cut to fit the text budget; each … says what was left out]");
      if (result.resultCut) notes.push("[the program's result was cut to its size limit before it reached the host]");
      parts.push(`Result:\n${layout.text}${notes.length ? `\n${notes.join("\n")}` : ""}`);
    }
  }
  if (logLines.length > 0) parts.push(`Console:\n${cutLines(logLines, logBudget)}`);
  parts.push(...tail);
  return cutChars(parts.join("\n\n"), budget.maxChars);
}

function logLine(entry: LogEntry): string {
  return entry.level === "log" || entry.level === "info" ? entry.message : `[${entry.level}] ${entry.message}`;
}

/** Keeps the first lines and the last few (where errors tend to be), and says how many it left out. */
function cutLines(lines: string[], budget: number): string {
  const costs = lines.map((line) => estimateTokens(line) + 1);
  const total = costs.reduce((sum, c) => sum + c, 0);
  if (total <= budget) return lines.join("\n");
  const room = Math.max(0, budget - 16);
  const head: string[] = [];
  let used = 0;
  let first = 0;
  for (; first < lines.length && used + (costs[first] as number) <= room * 0.7; first++) {
    head.push(lines[first] as string);
    used += costs[first] as number;
  }
  const tail: string[] = [];
  let last = lines.length - 1;
  for (; last >= first && used + (costs[last] as number) <= room; last--) {
    tail.unshift(lines[last] as string);
    used += costs[last] as number;
  }
  const omitted = last - first + 1;
  if (head.length === 0 && tail.length === 0) {
    // A single line longer than the whole budget: show its start.
    const line = lines[0] as string;
    const chars = Math.max(40, room * 3);
    return `${line.slice(0, chars)}… [${(line.length - chars).toLocaleString("en-US")} more characters and ${lines.length - 1} more lines of console output not shown]`;
  }
  const note = `… [${omitted.toLocaleString("en-US")} of ${lines.length.toLocaleString("en-US")} console lines not shown]`;
  return [...head, note, ...tail].join("\n");
}

function cutChars(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}\n[text cut: ${text.length - max} more characters not shown]`;
}
