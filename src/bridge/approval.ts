// Approvals: which calls need a person's yes (a policy of tool patterns, or a predicate), and
// how the bridge asks, bounded in time. The front ends bring the asking (a terminal prompt, an
// MCP elicitation, the library's hook); the rule of who must be asked lives here once.

/** A call from inside a program that waits for a person's answer. */
export interface ApprovalRequest {
  /** The call's id in this execution, as in the execution's events. */
  id: number;
  /** The tool's registry key (`files.write_file`; MCP tools keep their server's name for the tool). */
  tool: string;
  /** The path the program called it by, below `api` (`files.write_file`). */
  path: string;
  input: unknown;
}

/** A yes or no, with a reason for the program when refused. */
export type ApprovalAnswer = boolean | { approved: boolean; reason?: string };

/**
 * Asks whoever can answer. `signal` aborts when the approval bound passes (its reason is then a
 * `TimeoutError` DOMException) or the execution ends; an asker should then stop asking (its answer
 * is no longer heard).
 */
export type ApprovalHook = (
  request: ApprovalRequest,
  context: { signal: AbortSignal },
) => ApprovalAnswer | Promise<ApprovalAnswer>;

/** Which calls need approval: tool patterns (`files.write_file`, `github.*`, `*`) or, in code, a predicate. */
export type ApprovalRule = readonly string[] | ((call: { tool: string; path: string; input: unknown }) => boolean);

/** What the bridge needs to ask: who, for which calls, and for how long at most. */
export interface ApprovalSetup {
  /** Absent: every call is asked (the library's hook without a rule). */
  rule?: ApprovalRule;
  /** Absent: calls that need approval are refused, saying why and how to allow them. */
  ask?: ApprovalHook;
  /** The bound of one wait for an answer, ms; the program's own clock stops meanwhile. */
  timeoutMs: number;
  /** Why nobody can be asked here, told to the program when `ask` is absent. */
  unavailable?: string;
}

/**
 * Who is asked about which calls, the one rule of every front end: with a rule (`approval.require`),
 * the calls it matches go to the execution's asker, else the tool's hook, else are refused with
 * `unavailable`'s words; without a rule, the tool's hook (if any) is asked about every call.
 */
export function approvalSetup(
  policy: { rule?: ApprovalRule; timeoutMs: number },
  hook: ApprovalHook | undefined,
  asker: { approve?: ApprovalHook; approvalUnavailable?: string },
): ApprovalSetup | undefined {
  const { rule, timeoutMs } = policy;
  const ask = asker.approve ?? hook;
  if (rule === undefined) return hook && ask ? { ask, timeoutMs } : undefined;
  return {
    rule,
    timeoutMs,
    ...(ask && { ask }),
    ...(asker.approvalUnavailable && { unavailable: asker.approvalUnavailable }),
  };
}

/** Whether a pattern matches a tool's key or its api path; `*` matches any characters, dots too. */
export function matchesToolPattern(pattern: string, names: readonly string[]): boolean {
  const regex = new RegExp(`^${pattern.split("*").map(escapeRegExp).join(".*")}$`);
  return names.some((name) => regex.test(name));
}

/** Whether a call needs approval under a rule (no rule: every call does). */
export function needsApproval(rule: ApprovalRule | undefined, call: { tool: string; path: string; input: unknown }) {
  if (rule === undefined) return true;
  if (typeof rule === "function") return rule(call);
  return rule.some((pattern) => matchesToolPattern(pattern, [call.tool, call.path]));
}

/** The patterns that match none of the tools: worth a warning, since they guard nothing yet. */
export function unmatchedPatterns(patterns: readonly string[], tools: readonly { key: string; path: string[] }[]) {
  return patterns.filter((pattern) => !tools.some((t) => matchesToolPattern(pattern, [t.key, t.path.join(".")])));
}

/**
 * Asks for one call, bounded by `setup.timeoutMs` and by `ended` (the execution's end). Resolves
 * with what the program is told when the call may not run (`unanswered` when nobody answered in
 * time), or `{}` when approved; never throws.
 */
export async function askApproval(
  setup: ApprovalSetup,
  request: ApprovalRequest,
  ended: AbortSignal,
): Promise<{ refused?: string; unanswered?: true }> {
  const label = `api.${request.path}`;
  if (!setup.ask) {
    return {
      refused: `${label} needs a person's approval (codeMode.approval.require), and ${setup.unavailable ?? "nobody here can give it"}. It did not run; do not retry it, say what you wanted it to do instead.`,
    };
  }
  const seconds = setup.timeoutMs / 1000;
  const bound = new AbortController();
  const timer = setTimeout(
    () => bound.abort(new DOMException(`no answer within ${seconds} s`, "TimeoutError")),
    setup.timeoutMs,
  );
  const signal = AbortSignal.any([bound.signal, ended]);
  try {
    const answer = await new Promise<ApprovalAnswer>((resolve, reject) => {
      signal.addEventListener("abort", () => reject(signal.reason), { once: true });
      Promise.resolve()
        .then(() => setup.ask!(request, { signal }))
        .then(resolve, reject);
    });
    const approved = typeof answer === "boolean" ? answer : answer?.approved === true;
    if (approved) return {};
    const reason = typeof answer === "object" && answer?.reason ? ` (${answer.reason})` : "";
    return {
      refused: `${label} was not approved${reason}. It did not run; do not retry it, say what you wanted it to do instead.`,
    };
  } catch (error) {
    if (bound.signal.aborted) {
      return {
        refused: `${label} got no answer to its approval request within ${seconds} s (codeMode.approval.timeout); it did not run.`,
        unanswered: true,
      };
    }
    if (ended.aborted)
      return { refused: `${label} was still waiting for approval when the execution ended; it did not run.` };
    const why = error instanceof Error ? error.message : String(error);
    return { refused: `${label} could not be approved: asking failed (${why.slice(0, 300)}). It did not run.` };
  } finally {
    clearTimeout(timer);
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
}
