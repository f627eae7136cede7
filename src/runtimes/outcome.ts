// What a sandbox reports about its own run is untrusted: the program may have had a hand in it.
// Both runtimes pass the sandbox's `done` through here before anyone else sees it.
import type { ErrorKind } from "../errors.ts";
import type { RawOutcome } from "./executor.ts";

/** The note that ends console output cut at the limit (the prelude writes the same words). */
export const CUT_NOTE = "[console output cut here: the execution's output limit was reached]";

// The only kinds a sandbox may claim. Timeouts, memory and executor failures are the host's to
// decide: a program claiming "executor" could otherwise make `auto` run it a second time.
const SANDBOX_KINDS = new Set<ErrorKind>(["runtime", "tool", "type", "limit"]);
const MAX_MESSAGE_CHARS = 10_000;
const MAX_STACK_CHARS = 4000;

/** The outcome reported by sandbox code, reduced to what it may say and cut to the host's limits. */
export function checkedOutcome(value: unknown, maxResultChars: number): Omit<RawOutcome, "logs"> {
  if (typeof value !== "object" || value === null) {
    return { ok: false, error: { kind: "executor", message: "The sandbox's answer was not an outcome." } };
  }
  const reported = value as Record<string, unknown>;
  if (reported.ok === true) {
    const outcome: Omit<RawOutcome, "logs"> = { ok: true };
    if (typeof reported.resultJson === "string") {
      // The prelude keeps a cut result as a JSON string of at most maxResultChars (escaping can
      // double it); anything longer did not come from the prelude and is cut here.
      if (reported.resultJson.length > maxResultChars * 2 + 2) {
        outcome.resultJson = JSON.stringify(reported.resultJson.slice(0, maxResultChars));
        outcome.resultCut = true;
      } else {
        outcome.resultJson = reported.resultJson;
        if (reported.resultCut === true) outcome.resultCut = true;
      }
    }
    return outcome;
  }
  const error = (typeof reported.error === "object" && reported.error !== null ? reported.error : {}) as Record<
    string,
    unknown
  >;
  const kind = SANDBOX_KINDS.has(error.kind as ErrorKind) ? (error.kind as ErrorKind) : "runtime";
  const message = typeof error.message === "string" ? error.message.slice(0, MAX_MESSAGE_CHARS) : "The program failed.";
  const stack = typeof error.stack === "string" ? error.stack.slice(0, MAX_STACK_CHARS) : undefined;
  return { ok: false, error: { kind, message, ...(stack && { stack }) } };
}
