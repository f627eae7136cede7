import { readFileSync } from "node:fs";
import { openCodeMode } from "../../config/open-code-mode.ts";
import type { ExecutionResult } from "../../runtimes/executor.ts";
import { closeOnSignals } from "../shutdown.ts";
import { parseFlags, readSettingFlags, settingFlags, UsageError } from "../usage.ts";

/** The settings `run` offers as flags. */
export const RUN_SETTINGS = ["runtime", "timeout", "memoryLimit"] as const;

/** `code-mode run FILE...`: runs each program in order in one host process. */
export async function runCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(argv, {
    tools: { type: "string", multiple: true },
    config: { type: "string" },
    ...settingFlags(RUN_SETTINGS),
    json: { type: "boolean" },
  });
  if (positionals.length === 0)
    throw new UsageError("run needs at least one FILE (a .ts program, or - for standard input).");
  const overrides = readSettingFlags(values, RUN_SETTINGS);

  // Read every program first: a missing file is a usage error before anything runs.
  const programs = positionals.map((file) => ({ file, code: readProgram(file) }));
  const session = await openCodeMode({
    ...(values.config && { configFile: values.config }),
    toolModules: values.tools ?? [],
    overrides,
  });
  const removeHandlers = closeOnSignals(() => session.close());
  let failed = false;
  try {
    for (const { file, code } of programs) {
      const { result } = await session.tool.execute({ code });
      failed ||= !result.ok;
      if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
      else printReadable(file, result, programs.length > 1);
    }
  } finally {
    removeHandlers();
    await session.close();
  }
  return failed ? 1 : 0;
}

function readProgram(file: string): string {
  try {
    return readFileSync(file === "-" ? 0 : file, "utf8");
  } catch (error) {
    throw new UsageError(
      `cannot read the program ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`,
    );
  }
}

function printReadable(file: string, result: ExecutionResult, header: boolean): void {
  const out: string[] = [];
  if (header) out.push(`== ${file}`);
  for (const log of result.logs)
    out.push(log.level === "log" || log.level === "info" ? log.message : `[${log.level}] ${log.message}`);
  if (result.toolCalls.length > 0) {
    out.push(`-- ${result.toolCalls.length} tool call${result.toolCalls.length === 1 ? "" : "s"}:`);
    for (const call of result.toolCalls) out.push(`   ${call.ok ? "ok  " : "FAIL"} ${call.tool} (${call.ms} ms)`);
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
  (result.ok ? process.stdout : process.stderr).write(`${out.join("\n")}\n`);
}
