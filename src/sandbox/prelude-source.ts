import { buildSync } from "esbuild";

let cached: string | undefined;

/**
 * The prelude as one script for a sandbox: it takes the host function `__cm_send` off the
 * global, installs console, timers and the runner, and evaluates to the `deliver` function.
 * Bundled from `prelude.ts` (or `.js` once built) so that exactly the checked source runs inside.
 */
export function preludeSource(): string {
  if (cached) return cached;
  const here = new URL(".", import.meta.url);
  const file = import.meta.url.endsWith(".ts") ? "prelude.ts" : "prelude.js";
  const out = buildSync({
    entryPoints: [new URL(file, here).pathname],
    bundle: true,
    format: "iife",
    globalName: "__codeModePrelude",
    platform: "neutral",
    target: "es2024",
    write: false,
  });
  const bundle = out.outputFiles[0]!.text;
  cached = `(function () {
${bundle}
const send = globalThis.__cm_send;
delete globalThis.__cm_send;
return __codeModePrelude.installPrelude(globalThis, send);
})();`;
  return cached;
}
