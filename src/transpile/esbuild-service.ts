import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";

// esbuild's sync API (transformSync, buildSync: the transpiler's fallback, the prelude and the
// docker runner) talks to a long-lived `esbuild --service` process that a worker thread of
// esbuild's starts. `esbuild.stop()` terminates that thread at once, without waiting for the
// process (evanw/esbuild#3897): it exits, but nobody is left to reap it, and it stays in the
// process table as a zombie for the life of this process, one more per stop. esbuild has no call
// that ends it cleanly, hence the few lines below: the last holder ends the service process
// while the thread that started it is still there to reap it, and only then stops esbuild.

const require = createRequire(import.meta.url);
let holders = 0;
const REAP_WAIT_MS = 1000;

/**
 * Holds esbuild's service for one user (an open `execute_code` tool). The returned function lets
 * go; when the last holder lets go, esbuild's service process ends. A later esbuild call starts a
 * new one, so a tool created afterwards works as before.
 */
export function holdEsbuild(): () => Promise<void> {
  holders++;
  let held = true;
  return async () => {
    if (!held) return;
    held = false;
    if (--holders === 0) await stopEsbuild();
  };
}

/** Ends esbuild's service processes of this process and resets esbuild (its next call starts anew). */
export async function stopEsbuild(): Promise<void> {
  // Every user loads esbuild through `require` on first use: not in the cache, nothing started.
  const loaded = require.cache[require.resolve("esbuild")]?.exports as typeof import("esbuild") | undefined;
  if (!loaded) return;
  const pids = syncServicePids();
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGTERM");
    } catch {
      // Already gone.
    }
  }
  // Waited for synchronously, so that no esbuild call can reach the ended service meanwhile;
  // the worker thread reaps the process within milliseconds.
  const pause = new Int32Array(new SharedArrayBuffer(4));
  const deadline = performance.now() + REAP_WAIT_MS;
  while (pids.some(exists) && performance.now() < deadline) Atomics.wait(pause, 0, 0, 5);
  await loaded.stop();
}

/**
 * Service processes started by this process's worker threads (esbuild's sync API runs in one).
 * Linux lists each thread's children under /proc; elsewhere nothing is found and `stop()` alone
 * runs, as esbuild intends.
 */
function syncServicePids(): number[] {
  let threads: string[];
  try {
    threads = readdirSync("/proc/self/task");
  } catch {
    return [];
  }
  const pids: number[] = [];
  for (const thread of threads) {
    if (Number(thread) === process.pid) continue;
    let children: string;
    try {
      children = readFileSync(`/proc/self/task/${thread}/children`, "utf8");
    } catch {
      continue;
    }
    for (const pid of children.trim().split(/\s+/).filter(Boolean).map(Number)) {
      if (isEsbuildService(pid)) pids.push(pid);
    }
  }
  return pids;
}

function isEsbuildService(pid: number): boolean {
  try {
    const [command = "", ...args] = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    return /(^|\/)esbuild(\.exe)?$/.test(command) && args.some((arg) => arg.startsWith("--service="));
  } catch {
    return false;
  }
}

function exists(pid: number): boolean {
  try {
    readFileSync(`/proc/${pid}/stat`);
    return true;
  } catch {
    return false;
  }
}
