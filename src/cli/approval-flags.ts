// The approval flags of the commands that run programs (`run`, `agent`): --require-approval,
// --approve and --deny, checked once, and the terminal that asks about the rest.
import type { ApprovalRule } from "../bridge/approval.ts";
import type { ExecuteContext } from "../execute-code/code-mode-tool.ts";
import { toolPatternProblem } from "../settings.ts";
import { openTerminal, type Terminal } from "./terminal.ts";
import { type ApprovalFlags, terminalApproval } from "./terminal-approver.ts";

/** The parseArgs options of the approval flags (each repeatable). */
export const APPROVAL_FLAGS = {
  "require-approval": { type: "string", multiple: true },
  approve: { type: "string", multiple: true },
  deny: { type: "string", multiple: true },
} as const;

/** The flags' patterns, each checked: a bad one is a usage error naming it. */
export function readApprovalFlags(
  values: Record<string, unknown>,
  problem: (message: string) => Error,
): { require?: string[]; flags: ApprovalFlags } {
  const patternsOf = (flag: keyof typeof APPROVAL_FLAGS) => {
    const patterns = (values[flag] as string[] | undefined) ?? [];
    for (const pattern of patterns) {
      const wrong = toolPatternProblem(pattern);
      if (wrong) throw problem(`--${flag} ${wrong}.`);
    }
    return patterns;
  };
  const required = patternsOf("require-approval");
  return {
    ...(required.length > 0 && { require: required }),
    flags: { approve: patternsOf("approve"), deny: patternsOf("deny") },
  };
}

/**
 * How a command's runs get their approvals: by the flags, else from a person at the terminal
 * (opened only when some call may need one, or when `live` output wants it).
 */
export function commandApprovals(
  command: string,
  flags: ApprovalFlags,
  policy: { rule?: ApprovalRule; timeoutMs: number },
  live: boolean,
): {
  terminal: Terminal | undefined;
  context: Pick<ExecuteContext, "approve" | "approvalUnavailable" | "approvalRequire">;
} {
  const { rule, timeoutMs } = policy;
  // Calls the policy marks may need a person; --deny marks its own calls, refused without asking.
  const asksPerson = rule !== undefined && !(Array.isArray(rule) && rule.length === 0);
  const denies = flags.deny.length > 0;
  // The terminal is read only when some call may need a person's answer.
  const terminal = live || asksPerson ? openTerminal({ input: asksPerson }) : undefined;
  if (!asksPerson && flags.approve.length > 0)
    process.stderr.write(
      `code-mode ${command}: no call needs approval here, so --approve changes nothing; name the calls in codeMode.approval.require or --require-approval.\n`,
    );
  if (!asksPerson && !denies) return { terminal, context: {} };
  return {
    terminal,
    context: {
      ...terminalApproval(flags, terminal, timeoutMs),
      ...(denies && { approvalRequire: flags.deny }),
    },
  };
}
