// How `code-mode run` shows a program's logs, calls and outcome to a person (without --json).
import type { ExecutionResult, LogEntry } from "../runtimes/executor.ts";
import { printable } from "./terminal.ts";

/** A console line as a person reads it: plain for log and info, tagged otherwise. */
export function logLine(log: LogEntry): string {
  return log.level === "log" || log.level === "info" ? log.message : `[${log.level}] ${log.message}`;
}

/** One call's outcome: `ok   memory_read (3.2 ms)`, `FAIL schedule (1 ms)`. */
function callLine(call: { tool: string; ok: boolean; ms: number }): string {
  return `${call.ok ? "ok  " : "FAIL"} ${call.tool} (${call.ms} ms)`;
}

/**
 * Prints a program's outcome: the result on stdout, or the error on stderr. `shownLive`: its
 * logs and calls were already shown as they happened, so they are not repeated.
 */
export function printReadable(
  file: string,
  result: ExecutionResult,
  options: { header: boolean; shownLive: boolean },
): void {
  const out: string[] = [];
  if (options.header) out.push(`== ${file}`);
  if (!options.shownLive) {
    for (const log of result.logs) out.push(logLine(log));
    if (result.toolCalls.length > 0) {
      out.push(`-- ${result.toolCalls.length} tool call${result.toolCalls.length === 1 ? "" : "s"}:`);
      for (const call of result.toolCalls) out.push(`   ${callLine(call)}`);
    }
  }
  if (result.ok) {
    out.push(`-- result (${result.runtime}, ${result.ms} ms):`);
    out.push(result.result === undefined ? "undefined" : JSON.stringify(result.result, null, 2));
    if (result.resultCut) out.push("[the result was cut to the size limit]");
  } else if (result.error) {
    const where = result.error.line === undefined ? "" : ` at line ${result.error.line}:${result.error.column ?? 1}`;
    out.push(`-- error (${result.error.kind})${where}, ${result.runtime}, ${result.ms} ms:`);
    out.push(result.error.message);
  }
  if (result.fallback) out.push(`(ran on docker after the vm runtime failed: ${result.fallback})`);
  const stream = result.ok ? process.stdout : process.stderr;
  // On a terminal the program's text cannot move the cursor or recolour it (and so fake a prompt).
  const text = out.join("\n");
  stream.write(`${stream.isTTY ? printable(text) : text}\n`);
}
