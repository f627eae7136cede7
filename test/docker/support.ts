// Shared by the docker tests: skip or fail when no engine answers, and what a test leaves behind.
import { readdirSync, readFileSync } from "node:fs";
import { createDocker, LABEL_OWNER, OWNER } from "../../src/runtimes/docker/engine.ts";
import { dockerUnavailable } from "../support/runtimes.ts";

/** Why docker tests cannot run here (they skip), or undefined; in CI a missing engine throws. */
export async function dockerSkipReason(): Promise<string | undefined> {
  const why = await dockerUnavailable();
  if (why && process.env.CI === "true") throw new Error(`CI needs the docker runtime: ${why}`);
  if (why) console.warn(`[code-mode tests] skipping test/docker: ${why.split(". ")[0]}.`);
  return why;
}

/** Containers (any state) that this test process created. */
export async function ourContainers(): Promise<string[]> {
  const list = await createDocker().listContainers({ all: true, filters: { label: [`${LABEL_OWNER}=${OWNER}`] } });
  return list.map((c) => c.Id);
}

/** Waits until no container of this process is left, up to `ms`; returns what is left. */
export async function containersLeft(ms = 5000): Promise<string[]> {
  const until = Date.now() + ms;
  let left = await ourContainers();
  while (left.length > 0 && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 100));
    left = await ourContainers();
  }
  return left;
}

/** Child processes of this process, read from /proc (spawning `ps` would count itself). */
export function childProcesses(): { pid: number; command: string }[] {
  const children: { pid: number; command: string }[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // The command name may hold spaces and parentheses; the fields after its last ")" do not.
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid !== process.pid) continue;
      const command = readFileSync(`/proc/${entry}/cmdline`, "utf8").replaceAll("\0", " ").trim();
      // esbuild's service process belongs to the transpiler and lives as long as this process.
      if (/esbuild/.test(command)) continue;
      children.push({ pid: Number(entry), command });
    } catch {
      // Exited meanwhile.
    }
  }
  return children;
}

/** Waits until this process has no child left (killed ones take a moment to be reaped). */
export async function childrenLeft(ms = 3000): Promise<{ pid: number; command: string }[]> {
  const until = Date.now() + ms;
  let left = childProcesses();
  while (left.length > 0 && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 50));
    left = childProcesses();
  }
  return left;
}
