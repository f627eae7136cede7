import { buildSync } from "esbuild";
import { preludeSource } from "../../sandbox/prelude-source.ts";

let cached: string | undefined;

/**
 * The container runner as one ES module text, with the sandbox core and the prelude inside. It
 * travels as the container command's `-e` argument, so a changed runner needs no image rebuild; only
 * `isolated-vm` (a native addon) comes from the image. Bundled once, at first use.
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
    external: ["isolated-vm"],
    define: { __CODE_MODE_PRELUDE__: JSON.stringify(preludeSource()) },
    write: false,
  });
  cached = out.outputFiles[0]!.text;
  return cached;
}

/** The runner's own heap, MB: messages and the core; the program's heap is its isolate's. */
export const RUNNER_HEAP_MB = 96;

/** The container's command: the runner, preparing an isolate of `memoryLimitMb`. */
export function runnerCommand(memoryLimitMb: number): string[] {
  return [
    "node",
    // isolated-vm needs it on Node 20 and later.
    "--no-node-snapshot",
    `--max-old-space-size=${RUNNER_HEAP_MB}`,
    "--disable-warning=ExperimentalWarning",
    "--input-type=module",
    "-e",
    runnerSource(),
    String(memoryLimitMb),
  ];
}
