// The words of the per-call limits, shared by the prelude, which refuses inside the sandbox before
// anything crosses, and the bridge, which stays the authority on the host: the model reads the
// same sentence whichever refused. Imports nothing, since it is bundled into the sandbox.

// Captured when the module is evaluated: inside the sandbox that is before any program runs, so a
// program that replaces String.prototype.slice cannot change these messages.
const sliceString = Function.prototype.call.bind(String.prototype.slice) as (
  text: string,
  start: number,
  end: number,
) => string;

/** The note that ends console output cut at the limit, written by the prelude and by the hosts' backstops. */
export const CUT_NOTE = "[console output cut here: the execution's output limit was reached]";

/** Longest tool name repeated in a message; past it the name is clipped. */
export const MAX_NAME_IN_MESSAGE = 200;

export function clipName(name: string): string {
  return name.length > MAX_NAME_IN_MESSAGE ? `${sliceString(name, 0, MAX_NAME_IN_MESSAGE)}…` : name;
}

export function callLimitMessage(path: string, maxToolCalls: number): string {
  return `api.${clipName(path)} was not called: this execution already made ${maxToolCalls} tool calls, the limit. Batch work into fewer calls.`;
}

export function inputLimitMessage(path: string, inputChars: number, maxToolInputChars: number): string {
  return `api.${clipName(path)} got ${inputChars} characters of input, more than the ${maxToolInputChars} a call may send. Send less per call.`;
}
