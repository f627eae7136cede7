// How long a new user waits: each figure is a fresh process, beside a plain `node -e ""` timed in
// the same run. Measured from source (Node's type stripping) and from a build (what users run),
// made here into .tmp/ so the checkout's own dist/ is left alone.
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { round } from "./stats.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const WORK = join(ROOT, ".tmp/startup");

export interface StartupFigures {
  runs: number;
  /** Spawn to exit of `node -e ""`, median: the floor every figure below stands on. */
  baselineNodeMs: number;
  /** Spawn to exit of `code-mode run` of `return 1 + 1` on the vm runtime, median. */
  runCommandMs: number;
  /** `await import(entry)` inside the process, median. */
  importMs: number;
  /** Spawn to exit of a process that only imports the entry, median. */
  importProcessMs: number;
  /** createCodeModeTool (vm) → the first result of a program making one tool call, median. */
  createToFirstResultMs: number;
}

type Mode = { name: "src" | "dist"; entry: string; cli: string[] };

/**
 * Figures from source and from a fresh build; a build that fails is reported, not fatal.
 * CODE_MODE_BENCH_STARTUP_RUNS sets the runs per figure (the bench's own test uses few).
 */
export async function benchStartup(
  runs = Number(process.env.CODE_MODE_BENCH_STARTUP_RUNS ?? 7),
): Promise<Record<string, StartupFigures | string>> {
  const program = join(WORK, "one.ts");
  mkdirSync(WORK, { recursive: true });
  writeFileSync(program, "return 1 + 1;\n");
  const modes: Mode[] = [
    {
      name: "src",
      entry: join(ROOT, "src/index.ts"),
      cli: ["--input-type=module", "-e", mainOf(join(ROOT, "src/cli/main.ts"))],
    },
  ];
  const built = build();
  if (built === true) {
    modes.push({ name: "dist", entry: join(WORK, "dist/index.js"), cli: [join(WORK, "bin/code-mode.js")] });
  }
  const report: Record<string, StartupFigures | string> = {};
  for (const mode of modes) report[mode.name] = measure(mode, program, runs);
  if (built !== true) report.dist = `not measured: ${built}`;
  return report;
}

function measure(mode: Mode, program: string, runs: number): StartupFigures {
  const baseline: number[] = [];
  const run: number[] = [];
  const imported: number[] = [];
  const importProcess: number[] = [];
  const first: number[] = [];
  const entry = pathToFileURL(mode.entry).href;
  const importScript = `const t = performance.now(); await import(${JSON.stringify(entry)}); console.log(performance.now() - t);`;
  const firstScript = `
const { createCodeModeTool, ToolRegistry } = await import(${JSON.stringify(entry)});
const add = { name: "add", description: "Adds.", inputSchema: { type: "object", properties: { a: { type: "number" }, b: { type: "number" } }, required: ["a", "b"] }, execute: ({ a, b }) => a + b };
const t = performance.now();
const tool = createCodeModeTool(new ToolRegistry([add]), { runtime: "vm" });
const { result } = await tool.execute({ code: "return await api.add({ a: 1, b: 2 });" });
const ms = performance.now() - t;
await tool.close();
if (result.result !== 3) throw new Error("unexpected result " + JSON.stringify(result));
console.log(ms);`;
  // Interleaved, so a load spike on this shared machine touches the baseline and the figure alike.
  for (let i = 0; i < runs; i++) {
    baseline.push(timed(["-e", ""]).ms);
    run.push(timed([...mode.cli, "run", program, "--runtime", "vm"]).ms);
    const imp = timed(["--input-type=module", "-e", importScript]);
    importProcess.push(imp.ms);
    imported.push(Number(imp.stdout));
    first.push(Number(timed(["--input-type=module", "-e", firstScript]).stdout));
  }
  return {
    runs,
    baselineNodeMs: median(baseline),
    runCommandMs: median(run),
    importMs: median(imported),
    importProcessMs: median(importProcess),
    createToFirstResultMs: median(first),
  };
}

function timed(args: string[]): { ms: number; stdout: string } {
  const started = performance.now();
  const child = spawnSync(process.execPath, args, { cwd: WORK, encoding: "utf8", env: { ...process.env } });
  const ms = performance.now() - started;
  if (child.status !== 0) throw new Error(`node ${args.join(" ").slice(0, 120)} failed: ${child.stderr}`);
  return { ms, stdout: child.stdout.trim() };
}

// What bin/code-mode.js does in a checkout (it runs the source there), once it picked the CLI.
function mainOf(file: string): string {
  return `const { main } = await import(${JSON.stringify(pathToFileURL(file).href)}); process.exitCode = await main(process.argv.slice(1));`;
}

/** Builds the package into .tmp/startup/dist with bin beside it, as an installed package lays it out. */
function build(): true | string {
  const dist = join(WORK, "dist");
  rmSync(dist, { recursive: true, force: true });
  const tsc = join(ROOT, "node_modules/typescript/bin/tsc");
  const compiled = spawnSync(process.execPath, [tsc, "-p", join(ROOT, "tsconfig.build.json"), "--outDir", dist], {
    encoding: "utf8",
  });
  if (compiled.status !== 0) return `the build failed: ${compiled.stdout.slice(0, 300)}`;
  const prelude = spawnSync(process.execPath, [join(ROOT, "scripts/prebuild-prelude.ts"), dist], { encoding: "utf8" });
  if (prelude.status !== 0) return `the prelude bundle failed: ${prelude.stderr.slice(0, 300)}`;
  mkdirSync(join(WORK, "bin"), { recursive: true });
  copyFileSync(join(ROOT, "bin/code-mode.js"), join(WORK, "bin/code-mode.js"));
  writeFileSync(join(WORK, "package.json"), JSON.stringify({ type: "module" }));
  return existsSync(join(dist, "index.js")) ? true : "the build wrote no index.js";
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return round(sorted[Math.floor(sorted.length / 2)]!, 1);
}
