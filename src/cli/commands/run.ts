import { readFileSync } from "node:fs";
import { openCodeMode } from "../../config/open-code-mode.ts";
import { APPROVAL_FLAGS, commandApprovals, readApprovalFlags } from "../approval-flags.ts";
import { liveEvents } from "../live-events.ts";
import { printReadable } from "../readable.ts";
import { closeOnSignals } from "../shutdown.ts";
import type { Terminal } from "../terminal.ts";
import { parseFlags, readSettingFlags, settingFlags, UsageError } from "../usage.ts";

/** The settings `run` offers as flags. */
export const RUN_SETTINGS = ["runtime", "timeout", "memoryLimit", "approval.timeout"] as const;

/**
 * `code-mode run FILE...`: runs each program in order in one host process. On a terminal (and
 * without --json) its events show as they happen; calls that need approval are decided by
 * --deny and --approve, else asked on the terminal.
 */
export async function runCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(argv, {
    tools: { type: "string", multiple: true },
    config: { type: "string" },
    ...settingFlags(RUN_SETTINGS),
    ...APPROVAL_FLAGS,
    json: { type: "boolean" },
  });
  if (positionals.length === 0)
    throw new UsageError("run needs at least one FILE (a .ts program, or - for standard input).");
  const overrides = readSettingFlags(values, RUN_SETTINGS);
  const { require, flags } = readApprovalFlags(values, (message) => new UsageError(message));
  if (require) overrides.approval = { ...overrides.approval, require };

  // Read every program first: a missing file is a usage error before anything runs.
  const programs = positionals.map((file) => ({ file, code: readProgram(file) }));
  const session = await openCodeMode({
    ...(values.config && { configFile: values.config }),
    toolModules: values.tools ?? [],
    overrides,
  });
  const removeHandlers = closeOnSignals(() => session.close());
  const live = !values.json && process.stderr.isTTY === true;
  const { terminal, context: approval } = commandApprovals("run", flags, session.tool.options.approval, live);
  let failed = false;
  try {
    for (const { file, code } of programs) {
      const header = programs.length > 1;
      const events = live && terminal ? showLive(terminal, header ? file : undefined) : undefined;
      const { result } = await session.tool.execute(
        { code },
        { ...approval, ...(events && { onEvent: events.onEvent }) },
      );
      failed ||= !result.ok;
      if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
      // Printed again only where the person did not see them: stdout is a file or pipe, or events were dropped.
      else {
        const shownLive = events !== undefined && !events.missedSome() && process.stdout.isTTY === true;
        printReadable(file, result, { header: header && !shownLive, shownLive });
      }
    }
  } finally {
    terminal?.close();
    removeHandlers();
    await session.close();
  }
  return failed ? 1 : 0;
}

function showLive(terminal: Terminal, header: string | undefined) {
  if (header !== undefined) terminal.say(`== ${header}`);
  return liveEvents((line) => terminal.say(line));
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
