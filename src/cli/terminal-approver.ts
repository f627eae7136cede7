// How `code-mode run` answers the calls that need approval: --deny and --approve decide the
// calls they match; a person at the terminal decides the rest, one prompt at a time; with no
// terminal the rest are refused, saying which flag would allow them.
import {
  type ApprovalAnswer,
  type ApprovalHook,
  type ApprovalRequest,
  matchesToolPattern,
} from "../bridge/approval.ts";
import type { ExecuteContext } from "../execute-code/code-mode-tool.ts";
import { printable, type Terminal } from "./terminal.ts";

/** The --approve and --deny patterns; a call both match is refused. */
export interface ApprovalFlags {
  approve: readonly string[];
  deny: readonly string[];
}

/** Why nobody can approve here, and how to let a call run without asking. */
export const NO_TERMINAL =
  "there is no terminal to ask; pass --approve with its path to allow it, or --deny to refuse it quietly";

/** Past this many characters a call's input is cut in its prompt. */
const PREVIEW_CHARS = 200;

/** The `approve` and `approvalUnavailable` of each execution. */
export function terminalApproval(
  flags: ApprovalFlags,
  terminal: Terminal | undefined,
  timeoutMs: number,
): Pick<ExecuteContext, "approve" | "approvalUnavailable"> {
  const canAsk = terminal?.canAsk === true;
  if (!canAsk && flags.approve.length === 0 && flags.deny.length === 0) return { approvalUnavailable: NO_TERMINAL };
  const approve: ApprovalHook = (request, { signal }) => {
    const decided = decideByFlags(flags, request);
    if (decided !== undefined) return decided;
    if (!terminal?.canAsk) return { approved: false, reason: NO_TERMINAL };
    return askPerson(terminal, request, signal, timeoutMs);
  };
  return { approve };
}

function decideByFlags(flags: ApprovalFlags, request: ApprovalRequest): ApprovalAnswer | undefined {
  const names = [request.tool, request.path];
  const denied = flags.deny.find((pattern) => matchesToolPattern(pattern, names));
  if (denied !== undefined) return { approved: false, reason: `--deny ${denied}` };
  if (flags.approve.some((pattern) => matchesToolPattern(pattern, names))) return true;
  return undefined;
}

async function askPerson(
  terminal: Terminal,
  request: ApprovalRequest,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<ApprovalAnswer> {
  const label = `api.${request.path}`;
  const answer = await terminal.ask(`approve #${request.id} ${label} ${preview(request.input)}? [y/N] `, signal);
  if (answer !== undefined) return /^\s*y(es)?\s*$/i.test(answer);
  if (!signal.aborted) return { approved: false, reason: "the terminal closed before an answer" };
  const timedOut = (signal.reason as { name?: unknown } | undefined)?.name === "TimeoutError";
  terminal.say(
    timedOut
      ? `   no answer within ${timeoutMs / 1000} s (--approval-timeout): ${label} did not run`
      : `   the program ended while ${label} waited for an answer`,
  );
  return false;
}

/** The call's input on one line, cut to a size a person reads before answering. */
function preview(input: unknown): string {
  const json = JSON.stringify(input) ?? String(input);
  const cut = json.length > PREVIEW_CHARS ? `${json.slice(0, PREVIEW_CHARS)}… (${json.length} chars)` : json;
  return printable(cut);
}
