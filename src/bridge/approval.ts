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

/** What a gate needs to ask: who, about which calls, and for how long at most. */
export interface ApprovalSetup {
  /** Absent: every call is asked (the library's hook without a rule). */
  rule?: ApprovalRule;
  /** Everyone who must say yes, in order (the tool's hook, then the front end's person); none: refused. */
  askers: ApprovalHook[];
  /** The bound of one question, ms, from when its turn comes; the program's own clock stops meanwhile. */
  timeoutMs: number;
  /** Why nobody can be asked here, told to the program when there is no asker. */
  unavailable?: string;
}

/**
 * Who is asked about which calls, the one rule of every front end. Without a rule
 * (`approval.require`), the tool's hook (if any) is asked about every call, and only it. With a
 * rule, the calls it matches must be approved by the tool's hook and by the front end's asker,
 * each that exists; with neither they are refused with `approvalUnavailable`'s words. The front
 * end's `approvalRequire` patterns mark calls too, for its executions.
 */
export function approvalSetup(
  policy: { rule?: ApprovalRule; timeoutMs: number },
  hook: ApprovalHook | undefined,
  asker: { approve?: ApprovalHook; approvalUnavailable?: string; approvalRequire?: readonly string[] },
): ApprovalSetup | undefined {
  const { timeoutMs } = policy;
  // A front end may mark more calls for one execution (the CLI's --deny patterns).
  const extra = asker.approvalRequire?.length ? asker.approvalRequire : undefined;
  const rule = extra && policy.rule ? eitherRule(policy.rule, extra) : (policy.rule ?? extra);
  if (rule === undefined) return hook ? { askers: [hook], timeoutMs } : undefined;
  return {
    rule,
    askers: [hook, asker.approve].filter((ask): ask is ApprovalHook => ask !== undefined),
    timeoutMs,
    ...(asker.approvalUnavailable && { unavailable: asker.approvalUnavailable }),
  };
}

/** What happens to a call's approval, as the gate reports it. */
export type ApprovalEvent = {
  type: "approval";
  id: number;
  tool: string;
  path: string;
  state: "asked" | "approved" | "refused";
  reason?: string;
};

/**
 * One execution's approvals: asks about the calls the rule marks, one question at a time (a
 * person answers one at a time, and each question's bound starts at its turn), holding the
 * program's clock while a call waits. Once a question goes unanswered, later ones are refused
 * without asking: the person is away.
 */
export class ApprovalGate {
  readonly #setup: ApprovalSetup;
  readonly #ended: AbortSignal;
  readonly #onEvent: ((event: ApprovalEvent) => void) | undefined;
  #turn: Promise<unknown> = Promise.resolve();
  #unanswered = false;

  /** `ended` aborts when the execution ends: waiting questions are then dropped. */
  constructor(setup: ApprovalSetup, ended: AbortSignal, onEvent?: (event: ApprovalEvent) => void) {
    this.#setup = setup;
    this.#ended = ended;
    this.#onEvent = onEvent;
  }

  /** Resolves with what the program is told when the call may not run, or undefined when it may. */
  async check(request: ApprovalRequest, clock?: { hold(): void; release(): void }): Promise<string | undefined> {
    if (!needsApproval(this.#setup.rule, request)) return undefined;
    const { id, tool, path } = request;
    const report = (refused: string | undefined) => {
      this.#onEvent?.({
        type: "approval",
        id,
        tool,
        path,
        ...(refused === undefined ? { state: "approved" } : { state: "refused", reason: refused }),
      });
      return refused;
    };
    // With nobody to ask the refusal comes at once: no "asked" first.
    if (this.#setup.askers.length === 0) return report(refusal(this.#setup, request, "unavailable"));
    this.#onEvent?.({ type: "approval", id, tool, path, state: "asked" });
    clock?.hold();
    try {
      const asked = this.#turn.then(() => this.#ask(request));
      this.#turn = asked;
      return report(await asked);
    } finally {
      clock?.release();
    }
  }

  async #ask(request: ApprovalRequest): Promise<string | undefined> {
    if (this.#ended.aborted) return refusal(this.#setup, request, "ended");
    if (this.#unanswered) return refusal(this.#setup, request, "away");
    for (const ask of this.#setup.askers) {
      const answer = await askOne(ask, this.#setup, request, this.#ended);
      if (answer === true) continue;
      if ("refused" in answer) return answer.refused;
      if (answer.silent === "unanswered") this.#unanswered = true;
      return refusal(this.#setup, request, answer.silent);
    }
    return undefined;
  }
}

/** A rule that marks what either rule marks. */
function eitherRule(first: ApprovalRule, second: ApprovalRule): ApprovalRule {
  if (typeof first !== "function" && typeof second !== "function") return [...first, ...second];
  return (call) => needsApproval(first, call) || needsApproval(second, call);
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

// What the program is told when a call may not run, by why.
const REFUSALS = {
  unavailable: (label: string, setup: ApprovalSetup) =>
    `${label} needs a person's approval (codeMode.approval.require), and ${setup.unavailable ?? "nobody here can give it"}. It did not run; do not retry it, say what you wanted it to do instead.`,
  unanswered: (label: string, setup: ApprovalSetup) =>
    `${label} got no answer to its approval request within ${setup.timeoutMs / 1000} s (codeMode.approval.timeout); it did not run.`,
  away: (label: string, setup: ApprovalSetup) =>
    `${label} was not asked for: an earlier approval request of this program got no answer within ${setup.timeoutMs / 1000} s (codeMode.approval.timeout). It did not run.`,
  ended: (label: string) => `${label} was still waiting for approval when the execution ended; it did not run.`,
};

function refusal(setup: ApprovalSetup, request: ApprovalRequest, why: keyof typeof REFUSALS): string {
  return REFUSALS[why](`api.${request.path}`, setup);
}

/**
 * Asks one asker, bounded by `setup.timeoutMs` and by `ended`. True when approved; else the
 * refusal the program is told, or why no answer came. Never throws.
 */
async function askOne(
  ask: ApprovalHook,
  setup: ApprovalSetup,
  request: ApprovalRequest,
  ended: AbortSignal,
): Promise<true | { refused: string } | { silent: "unanswered" | "ended" }> {
  const bound = new AbortController();
  const timer = setTimeout(
    () => bound.abort(new DOMException(`no answer within ${setup.timeoutMs / 1000} s`, "TimeoutError")),
    setup.timeoutMs,
  );
  const signal = AbortSignal.any([bound.signal, ended]);
  try {
    const answer = await new Promise<ApprovalAnswer>((resolve, reject) => {
      signal.addEventListener("abort", () => reject(signal.reason), { once: true });
      Promise.resolve()
        .then(() => ask(request, { signal }))
        .then(resolve, reject);
    });
    // Only a plain yes approves: an asker that answers something else has not said yes.
    if (answer === true || (typeof answer === "object" && answer?.approved === true)) return true;
    const reason = typeof answer === "object" && answer?.reason ? ` (${answer.reason})` : "";
    return {
      refused: `api.${request.path} was not approved${reason}. It did not run; do not retry it, say what you wanted it to do instead.`,
    };
  } catch (error) {
    if (bound.signal.aborted) return { silent: "unanswered" };
    if (ended.aborted) return { silent: "ended" };
    const why = error instanceof Error ? error.message : String(error);
    return {
      refused: `api.${request.path} could not be approved: asking failed (${why.slice(0, 300)}). It did not run.`,
    };
  } finally {
    clearTimeout(timer);
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
}
