import { buildSync } from "esbuild";
import { preludeSource } from "../../sandbox/prelude-source.ts";

let cached: string | undefined;

/**
 * The container runner as one ES module text, with the prelude inside. It travels as the exec's
 * `-e` argument, so a changed runner needs no image rebuild. Bundled once, at first use.
 */
export function runnerSource(): string {
  if (cached) return cached;
  const file = import.meta.url.endsWith(".ts") ? "container-runner.ts" : "container-runner.js";
  const out = buildSync({
    entryPoints: [new URL(`../../sandbox/${file}`, import.meta.url).pathname],
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node22",
    minifyWhitespace: true,
    define: { __CODE_MODE_PRELUDE__: JSON.stringify(preludeSource()) },
    write: false,
  });
  cached = out.outputFiles[0]!.text;
  return cached;
}

/** The exec command that runs the runner with a heap limit of `memoryLimitMb`. */
export function runnerCommand(memoryLimitMb: number): string[] {
  return [
    "node",
    `--max-old-space-size=${memoryLimitMb}`,
    // Needed for the runner's import() handler, which keeps errors in the program's realm.
    "--experimental-vm-modules",
    "--disable-warning=ExperimentalWarning",
    "--input-type=module",
    "-e",
    runnerSource(),
  ];
}
