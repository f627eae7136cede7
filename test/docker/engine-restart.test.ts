// The engine going away and coming back is survived. The engine is a private dockerd of this test
// alone (its own socket, config, data and exec roots, pidfile and containerd; no bridge, no
// iptables), stopped and started again under a live executor. The main engine, which other suites
// use meanwhile, is never touched.
// Runtime behaviour is under test: the type check is off, so every program reaches the runtime.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import type Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CodeModeTool, createCodeModeTool, ToolRegistry } from "../../src/index.ts";
import { DockerExecutor } from "../../src/runtimes/docker/docker-executor.ts";
import { createDocker, LABEL_RUNNER, pingEngine, processAlive } from "../../src/runtimes/docker/engine.ts";
import { buildRunnerImage } from "../../src/runtimes/docker/image.ts";
import { dockerUnavailable } from "../support/runtimes.ts";
import { testTools } from "../support/tools.ts";
import { childrenLeft, containersLeft } from "./support.ts";

/** Temp dirs of private engines; short, because the socket path inside must stay under ~100 chars. */
const PREFIX = "/tmp/cm-engine-";
const TAG = "code-mode-runner:restart-test";
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A dockerd of our own, started and stopped at will, that leaves nothing behind. */
class PrivateEngine {
  readonly dir = mkdtempSync(PREFIX);
  readonly socket = `${this.dir}/d.sock`;
  readonly docker: Docker = createDocker({ socketPath: this.socket });
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();

  constructor() {
    // Who owns it, so a later run can sweep what a crashed one left; and an empty config, so the
    // host's /etc/docker/daemon.json (hosts, bridges, pools) does not apply.
    writeFileSync(`${this.dir}/owner`, String(process.pid));
    writeFileSync(`${this.dir}/daemon.json`, "{}\n");
  }

  get running(): boolean {
    return this.#child !== undefined;
  }

  /** Starts dockerd on the same socket and roots as before; resolves when it answers. */
  async start(timeoutMs = 30_000): Promise<void> {
    const log = openSync(`${this.dir}/dockerd.log`, "a");
    const child = spawn(
      "dockerd",
      [
        `--config-file=${this.dir}/daemon.json`,
        `--host=unix://${this.socket}`,
        `--data-root=${this.dir}/data`,
        `--exec-root=${this.dir}/x`,
        `--pidfile=${this.dir}/d.pid`,
        "--bridge=none",
        "--iptables=false",
        "--ip6tables=false",
        "--ip-masq=false",
      ],
      // dockerd lives in an sbin, and finds containerd and runc through PATH.
      {
        stdio: ["ignore", log, log],
        env: { ...process.env, PATH: `${process.env.PATH ?? ""}:/usr/local/sbin:/usr/sbin:/sbin` },
      },
    );
    closeSync(log);
    this.#child = child;
    let spawnError: Error | undefined;
    this.#exited = new Promise<void>((resolve) => {
      child.once("exit", () => resolve());
      child.once("error", (error) => {
        spawnError = error;
        resolve();
      });
    });
    const until = Date.now() + timeoutMs;
    for (;;) {
      if (spawnError || child.exitCode !== null || child.signalCode !== null) {
        this.#child = undefined;
        throw new Error(`dockerd did not start: ${spawnError?.message ?? this.#logTail()}`);
      }
      try {
        await pingEngine(this.docker, 1000);
        return;
      } catch {
        if (Date.now() > until) {
          await this.stop();
          throw new Error(`dockerd did not answer within ${timeoutMs / 1000} s: ${this.#logTail()}`);
        }
        await sleep(100);
      }
    }
  }

  /** SIGTERM, as a service manager stops it, and waits for it to exit (SIGKILL after `timeoutMs`). */
  async stop(timeoutMs = 30_000): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const exited = await Promise.race([this.#exited.then(() => true), sleep(timeoutMs).then(() => false)]);
    if (!exited) {
      child.kill("SIGKILL");
      await this.#exited;
    }
  }

  /** Signals dockerd without waiting (for an exit hook, where nothing can be awaited). */
  signal(signal: NodeJS.Signals): void {
    if (this.#child?.exitCode === null && this.#child.signalCode === null) this.#child.kill(signal);
  }

  /** Stops it and removes every trace: stray processes, mounts, the temp dir. */
  async dispose(): Promise<void> {
    await this.stop();
    await removeTraces(this.dir);
  }

  #logTail(): string {
    try {
      const lines = readFileSync(`${this.dir}/dockerd.log`, "utf8").trim().split("\n");
      // Its errors, or failing that its last words.
      const errors = lines.filter((line) => !/level=(debug|info|warn)/.test(line));
      return (errors.length > 0 ? errors : lines).slice(-2).join(" ");
    } catch {
      return "no log";
    }
  }
}

/** Processes whose command line names `dir`: that engine's dockerd, containerd and shims. */
function processesUnder(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(dir)) pids.push(Number(entry));
    } catch {
      // Exited meanwhile.
    }
  }
  return pids;
}

/** Mount points at or under `dir`, deepest first. */
function mountsUnder(dir: string): string[] {
  const points = readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .map((line) => line.split(" ")[4] ?? "")
    .map((point) =>
      point.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8))),
    )
    .filter((point) => point === dir || point.startsWith(`${dir}/`));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}

/** The cgroups of a container as either cgroup driver names them, on cgroup v1 or v2. */
function cgroupsOf(id: string): string[] {
  let roots = ["/sys/fs/cgroup"];
  try {
    roots = roots.concat(readdirSync("/sys/fs/cgroup").map((name) => `/sys/fs/cgroup/${name}`));
  } catch {
    // No cgroup filesystem here.
  }
  const names = [`docker/${id}`, `system.slice/docker-${id}.scope`];
  return roots.flatMap((root) => names.map((name) => `${root}/${name}`)).filter((path) => existsSync(path));
}

/**
 * Removes every trace of the engine in `dir`: its processes (dockerd, containerd, shims, and those
 * of containers whose shim died with them), its mounts, the cgroups and shim sockets of its
 * containers, and the dir itself. After a clean stop only the dir and the data-root mount remain.
 */
async function removeTraces(dir: string): Promise<void> {
  let ids: string[] = [];
  try {
    ids = readdirSync(`${dir}/data/containers`);
  } catch {
    // Never got that far.
  }
  const cgroups = ids.flatMap(cgroupsOf);
  const victims = new Set(processesUnder(dir));
  for (const cgroup of cgroups) {
    try {
      for (const pid of readFileSync(`${cgroup}/cgroup.procs`, "utf8").split("\n").filter(Boolean)) {
        victims.add(Number(pid));
      }
    } catch {
      // Gone meanwhile.
    }
  }
  for (const pid of victims) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Gone meanwhile.
    }
  }
  for (let i = 0; i < 50 && processesUnder(dir).length > 0; i++) await sleep(100);
  for (const point of mountsUnder(dir)) spawnSync("umount", ["-l", point], { stdio: "ignore" });
  for (const cgroup of cgroups) {
    for (let i = 0; i < 20; i++) {
      try {
        rmdirSync(cgroup);
        break;
      } catch {
        await sleep(100); // Its last processes are still exiting.
      }
    }
  }
  // A shim killed before it could clean up leaves its socket, named by containerd's address and the id.
  for (const id of ids) {
    const hash = createHash("sha256").update(`${dir}/x/containerd/containerd.sock/moby/${id}`).digest("hex");
    rmSync(`/run/containerd/s/${hash}`, { force: true });
  }
  rmSync(dir, { recursive: true, force: true });
}

/** Engines that a crashed run of this test left (their owner is dead): stopped and removed. */
async function sweepStaleEngines(): Promise<void> {
  for (const name of readdirSync("/tmp")) {
    const dir = `/tmp/${name}`;
    if (!dir.startsWith(PREFIX)) continue;
    const number = (file: string) => {
      try {
        return Number(readFileSync(`${dir}/${file}`, "utf8").trim()) || 0;
      } catch {
        return 0;
      }
    };
    const owner = number("owner");
    if (owner > 0 && processAlive(owner)) continue;
    // dockerd first, gently, so that it stops its containers; whatever is left is killed.
    const pid = number("d.pid");
    if (pid > 0 && processesUnder(dir).includes(pid)) {
      process.kill(pid, "SIGTERM");
      for (let i = 0; i < 200 && processesUnder(dir).includes(pid); i++) await sleep(100);
    }
    await removeTraces(dir);
  }
}

/** The private engine, or why this machine cannot run one (skipped; in CI a failure). */
async function startEngine(): Promise<{ engine?: PrivateEngine; skip?: string }> {
  await sweepStaleEngines().catch(() => {});
  const engine = new PrivateEngine();
  try {
    await engine.start();
    return { engine };
  } catch (error) {
    await engine.dispose();
    const why = `cannot start a private dockerd: ${(error as Error).message}`;
    if (process.env.CI === "true") throw new Error(`CI needs the engine-restart test: ${why}`);
    console.warn(`[code-mode tests] skipping test/docker/engine-restart: ${why.split("\n")[0]}`);
    return { skip: why };
  }
}

const { engine, skip } = await startEngine();
// Should the worker end without running afterAll, dockerd still goes down (its dir is swept next run).
process.once("exit", () => engine?.signal("SIGTERM"));

describe.skipIf(skip)("the engine going away and coming back", () => {
  const private_ = engine!;
  let executor: DockerExecutor | undefined;
  let tool: CodeModeTool;
  let runningNow: () => void = () => {};
  const registry = new ToolRegistry([
    ...testTools().tools,
    {
      name: "started",
      description: "Says the program runs.",
      inputSchema: { type: "object" },
      execute: () => runningNow(),
    },
  ]);
  const ours = async () =>
    (await private_.docker.listContainers({ all: true, filters: { label: [`${LABEL_RUNNER}=1`] } })).map((c) => c.Id);

  beforeAll(async () => {
    // The project's own image build, pointed at the private engine: no registry, no main engine.
    await buildRunnerImage(private_.docker, TAG);
    executor = new DockerExecutor({
      docker: private_.docker,
      image: TAG,
      poolSize: 1,
      memoryLimitMb: 64,
      connectTimeoutMs: 2000,
    });
    tool = createCodeModeTool(registry, { typecheck: "off", runtime: executor, timeout: 20, memoryLimit: 64 });
    await executor.ready();
  }, 60_000);

  afterAll(async () => {
    try {
      await tool?.close();
      await executor?.close();
      // Closing removed every container of ours; the engine keeps none, running or stopped.
      if (private_.running) expect(await ours()).toEqual([]);
    } finally {
      await private_.dispose();
    }
    expect(processesUnder(private_.dir)).toEqual([]);
    expect(mountsUnder(private_.dir)).toEqual([]);
    expect(existsSync(private_.dir)).toBe(false);
    // The main engine got nothing from this process.
    if (!(await dockerUnavailable())) expect(await containersLeft()).toEqual([]);
    expect(await childrenLeft()).toEqual([]);
  }, 60_000);

  it("fails clearly while the engine is gone, in bounded time, and recovers when it is back", async () => {
    const run = async (code: string) => (await tool.execute({ code })).result;

    // 1. The engine is up: a program with a tool call works.
    const before = await run("return await api.add({ a: 1, b: 2 });");
    expect(before).toMatchObject({ ok: true, result: 3, runtime: "docker" });

    // 2. The engine goes away in the middle of an execution: that execution ends as an executor
    //    error, it does not wait for its own 20 s timeout.
    const running = new Promise<void>((resolve) => {
      runningNow = resolve;
    });
    const inFlight = run("await api.started({}); await new Promise((r) => setTimeout(r, 15000)); return 1;");
    await running;
    const stopping = Date.now();
    await private_.stop();
    const cut = await inFlight;
    expect(cut.ok).toBe(false);
    expect(cut.error?.kind).toBe("executor");
    // Whether the engine still answered the last inspect while it shut down is a race; either way
    // the message says the container stopped and that the program may be run again.
    expect(cut.error?.message).toMatch(
      /^The container running the program stopped during the execution \((the Docker engine at unix:\/\/\S+ went away: E[A-Z]+|status (exited|removing), exit code 137)\)\. The program may be run again\./,
    );
    expect(cut.toolCalls.map((call) => call.tool)).toEqual(["started"]);
    expect(Date.now() - stopping).toBeLessThan(10_000);

    // 3. While it is gone, an execution fails at once with an error that names the engine and what to do.
    const asked = Date.now();
    const down = await run("return await api.add({ a: 2, b: 2 });");
    expect(Date.now() - asked).toBeLessThan(3000);
    expect(down.ok).toBe(false);
    expect(down.error?.kind).toBe("executor");
    expect(down.error?.message).toContain(`cannot reach a Docker engine at unix://${private_.socket}`);
    expect(down.error?.message).toMatch(/Start dockerd, set DOCKER_HOST to a reachable engine, or use runtime "vm"\./);
    expect(down.toolCalls).toEqual([]);

    // 4. The engine comes back (same socket, same data): the next execution succeeds with the same
    //    executor, and so do the ones after it, from a pool that refilled.
    await private_.start();
    const back = await run("return await api.add({ a: 40, b: 2 });");
    expect(back).toMatchObject({ ok: true, result: 42, runtime: "docker" });
    const again = await run("return await api.echo({ text: 'again' });");
    expect(again).toMatchObject({ ok: true, result: { text: "again" } });

    // 5. Nothing of the outage lingers: the containers that died with the engine are removed too,
    //    and only the pool's own stays (used ones go in the background).
    const until = Date.now() + 5000;
    let left = await ours();
    while (left.length > 1 && Date.now() < until) {
      await sleep(100);
      left = await ours();
    }
    expect(left.length).toBeLessThanOrEqual(1);
  }, 60_000);
});
