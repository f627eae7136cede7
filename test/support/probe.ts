// What an attack program found, told apart from what it merely did. Prepended to a program,
// `__probe(where, value)` walks `value`'s prototype chain, and for each constructor it meets asks
// that realm's Function for `process`, `require` and `globalThis.process`; anything but three
// "undefined"s, or a Function other than the program's own, is recorded by `__report`. Findings
// are returned by the program (`return __found`) and also logged, so that those made while the
// runtime reports the outcome still reach the test. Everything it uses is captured first: the
// attacks go on to poison built-ins.

import type { ExecutionResult } from "../../src/index.ts";

export const PROBE = `
const __found = [];
const __Function = Function;
const __getPrototypeOf = Object.getPrototypeOf;
const __ownProperty = Object.getOwnPropertyDescriptor;
const __log = console.log;
function __report(text) {
  __found[__found.length] = text;
  try { __log("REACHED " + text); } catch {}
}
function __probe(where, value) {
  let current = value;
  for (let depth = 0; depth < 8; depth++) {
    if (current === null || (typeof current !== "object" && typeof current !== "function")) return;
    let ctor;
    try { const own = __ownProperty(current, "constructor"); ctor = own && own.value; } catch { return; }
    if (typeof ctor === "function") {
      let F;
      try { F = ctor.constructor; } catch {}
      if (typeof F === "function") {
        if (F !== __Function) __report(where + ": a Function of another realm");
        try {
          const seen = F("return typeof process + ' ' + typeof require + ' ' + typeof globalThis.process")();
          if (seen !== "undefined undefined undefined") __report(where + ": " + seen);
        } catch {}
      }
    }
    try { current = __getPrototypeOf(current); } catch { return; }
  }
}
`;

/** What the program reported finding, from its result and from the logs it wrote meanwhile. */
export function findings(result: ExecutionResult): string[] {
  const returned = result.result as { found?: unknown } | unknown[] | undefined;
  const found = Array.isArray(returned) ? returned : Array.isArray(returned?.found) ? returned.found : [];
  const logged = result.logs.filter((log) => log.message.startsWith("REACHED ")).map((log) => log.message.slice(8));
  return [...new Set([...found.map(String), ...logged])];
}
