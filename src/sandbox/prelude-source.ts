import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";

// Written by `npm run build` beside the built module, so an installed package never bundles at
// run time (each vm child used to run esbuild as it started). From source, it is bundled on first use.
const PREBUILT = new URL("./prelude.bundle.js", import.meta.url);

let cached: string | undefined;

/**
 * The prelude as one script for a sandbox: it takes the host function `__cm_send` off the
 * global, installs console, timers and the runner, and evaluates to the `deliver` function.
 * Bundled from `prelude.ts` (or `.js` once built) so that exactly the checked source runs inside.
 */
export function preludeSource(): string {
  cached ??= import.meta.url.endsWith(".js") && existsSync(PREBUILT) ? readFileSync(PREBUILT, "utf8") : bundle();
  return cached;
}

/** Bundles the prelude and writes it beside this module (the build's last step); returns the file's path. */
export function writePrebuiltPrelude(): string {
  const temporary = new URL(`./prelude.bundle.js.${process.pid}.tmp`, import.meta.url);
  writeFileSync(temporary, bundle());
  renameSync(temporary, PREBUILT);
  return PREBUILT.pathname;
}

function bundle(): string {
  const { buildSync } = createRequire(import.meta.url)("esbuild") as typeof import("esbuild");
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
  const bundled = out.outputFiles[0]!.text;
  return `(function () {
${bundled}
const send = globalThis.__cm_send;
delete globalThis.__cm_send;
return __codeModePrelude.installPrelude(globalThis, send);
})();`;
}
