import type { ExecutionResult } from "../runtimes/executor.ts";

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

/** The compact text the model reads back: result, logs, error with line and a hint, cut to `maxChars`. */
export function resultText(result: ExecutionResult, maxChars: number): string {
  const parts: string[] = [];
  if (result.ok) {
    const json =
      result.result === undefined ? "undefined (the program returned nothing)" : JSON.stringify(result.result, null, 1);
    parts.push(
      `Result:\n${cut(json, Math.floor(maxChars * 0.6), "result")}${result.resultCut ? "\n[the result was cut to the size limit]" : ""}`,
    );
  } else if (result.error) {
    const where =
      result.error.line === undefined
        ? ""
        : ` at line ${result.error.line}${result.error.column === undefined ? "" : `, column ${result.error.column}`}`;
    parts.push(
      `Error (${result.error.kind})${where}: ${result.error.message}\nHint: ${HINTS[result.error.kind] ?? ""}`,
    );
  }
  if (result.logs.length > 0) {
    const logs = result.logs
      .map((l) => (l.level === "log" || l.level === "info" ? l.message : `[${l.level}] ${l.message}`))
      .join("\n");
    parts.push(`Console:\n${cut(logs, Math.floor(maxChars * 0.3), "console output")}`);
  }
  if (result.warnings?.length) {
    parts.push(`Type-check warnings:\n${cut(result.warnings.join("\n"), Math.floor(maxChars * 0.2), "warnings")}`);
  }
  if (result.toolCalls.length > 0) {
    const failed = result.toolCalls.filter((c) => !c.ok).length;
    parts.push(`Tool calls: ${result.toolCalls.length}${failed ? ` (${failed} failed)` : ""}`);
  }
  return cut(parts.join("\n\n"), maxChars, "text");
}

function cut(text: string, max: number, what: string): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}\n[${what} cut: ${text.length - max} more characters not shown]`;
}
