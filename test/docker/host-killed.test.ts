// Nothing outlives a host killed with SIGKILL mid-execution (issue 9): no vm child process, and no
// container for more than a few seconds, without waiting for another start to sweep.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { describe, expect, it } from "vitest";
import { createDocker, LABEL_OWNER, processAlive } from "../../src/runtimes/docker/engine.ts";
import { dockerSkipReason } from "./support.ts";

const skip = await dockerSkipReason();
const zombie = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
  } catch {
    return true;
  }
};
const src = (path: string) => new URL(`../../src/${path}`, import.meta.url).href;
const LEFTOVER_BOUND_MS = 15_000;

// The host to kill: both runtimes, two programs each in flight (waiting on a timer), pools warm.
const HOST = `
import { createCodeModeTool, ToolRegistry, VmExecutor } from ${JSON.stringify(src("index.ts"))};
import { DockerExecutor } from ${JSON.stringify(src("runtimes/docker/docker-executor.ts"))};
let started = 0;
const docker = new DockerExecutor({ poolSize: 2, memoryLimitMb: 64 });
const vm = new VmExecutor({ processes: 2 });
await Promise.all([docker.ready(), vm.ready()]);
const tools = [{ name: "started", description: "", inputSchema: { type: "object" }, execute: () => {
  // Once all four run and the docker pool has refilled (a container caught between its create and
  // its start would never start, and only a later sweep removes it), the host says so.
  if (++started === 4) void docker.ready().then(() => process.stdout.write(JSON.stringify({ vmPids: vm.processIds }) + "\\n"));
} }];
for (const runtime of [docker, vm]) {
  const tool = createCodeModeTool(new ToolRegistry(tools), { runtime, timeout: 120, memoryLimit: 64 });
  for (let i = 0; i < 2; i++) void tool.execute({ code: "await api.started({}); await new Promise((r) => setTimeout(r, 100000));" });
}
`;

describe.skipIf(skip)("a host killed with SIGKILL", () => {
  it("leaves no vm child process and no container behind", async () => {
    const host = spawn(process.execPath, ["--input-type=module", "-e", HOST], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    const { vmPids } = await new Promise<{ vmPids: number[] }>((resolve, reject) => {
      host.stdout.on("data", (chunk) => {
        out += chunk;
        if (out.includes("\n")) resolve(JSON.parse(out.split("\n")[0]!));
      });
      host.once("exit", (code) => reject(new Error(`the host exited early (${code}): ${out}`)));
    });
    const docker = createDocker();
    const owner = `${hostname()}:${host.pid}`;
    const ours = async () =>
      (await docker.listContainers({ all: true, filters: { label: [`${LABEL_OWNER}=${owner}`] } })).length;
    // Two running, two warm in the pool.
    expect(await ours()).toBe(4);
    expect(vmPids).toHaveLength(2);

    const killed = Date.now();
    host.kill("SIGKILL");
    let left = await ours();
    while (left > 0 && Date.now() - killed < LEFTOVER_BOUND_MS) {
      await new Promise((r) => setTimeout(r, 100));
      left = await ours();
    }
    const seconds = (Date.now() - killed) / 1000;
    console.log(`[host-killed] containers gone ${seconds.toFixed(1)} s after the host's SIGKILL`);
    expect(left).toBe(0);
    // The vm children see their IPC channel close and exit (a zombie awaiting its reaper counts as gone).
    const running = () => vmPids.filter((pid) => processAlive(pid) && !zombie(pid));
    while (running().length > 0 && Date.now() - killed < LEFTOVER_BOUND_MS) await new Promise((r) => setTimeout(r, 50));
    expect(running()).toEqual([]);
  }, 90_000);
});
