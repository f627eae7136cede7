import type { Duplex } from "node:stream";
import { ApiIndex } from "../src/bridge/api-index.ts";
import { Bridge } from "../src/bridge/bridge.ts";
import { resolveOptions } from "../src/execute-code/options.ts";
import { runProgram } from "../src/execute-code/run-program.ts";
import { hardenedConfig } from "../src/runtimes/docker/container-pool.ts";
import { DockerExecutor } from "../src/runtimes/docker/docker-executor.ts";
import { linkRunner, RunnerChannel } from "../src/runtimes/docker/runner-link.ts";
import { runnerCommand } from "../src/runtimes/docker/runner-source.ts";
import type { ExecutionLimits } from "../src/runtimes/executor.ts";
import { transpile } from "../src/transpile/transpile.ts";
import { percentile, round, sample } from "./stats.ts";
import { addTool, THREE_CALLS } from "./vm.ts";

export interface DockerFigures {
  p50Ms: number;
  p95Ms: number;
  baselineP50Ms: number;
  callsPerSec: number;
}

const LOOP_CALLS = 2000;
const LOOP = `let s = 0;\nfor (let i = 0; i < ${LOOP_CALLS}; i++) s = await api.add({ a: s, b: 1 });\nreturn s;`;

/**
 * The docker runtime with a warm pool against a plain `docker run --rm` of the same program per
 * execution (same image, same hardening, same runner and bridge over the attach stream), both
 * through the Engine API; and sequential tool calls per second over the container bridge.
 */
export async function benchDocker(runs = 20, baselineRuns = 8): Promise<DockerFigures> {
  const index = new ApiIndex([addTool]);
  const { limits } = resolveOptions({ maxToolCalls: LOOP_CALLS + 10, timeout: 60 });
  const executor = new DockerExecutor({ memoryLimitMb: limits.memoryLimitMb });
  await executor.ready();
  try {
    const pooled = (code: string) => async () => {
      const result = await runProgram(code, { index, executor, limits });
      if (!result.ok) throw new Error(`bench program failed: ${result.error?.message}`);
    };
    // "With a warm pool": each timed execution starts once the pool has refilled.
    const times: number[] = [];
    for (let i = 0; i < runs + 2; i++) {
      await executor.ready();
      const started = performance.now();
      await pooled(THREE_CALLS)();
      if (i >= 2) times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    const image = await executor.image();
    const baseline = await sample(() => dockerRunOnce(executor, image, index, limits), baselineRuns, 1);

    await executor.ready();
    await pooled(LOOP)();
    await executor.ready();
    const started = performance.now();
    await pooled(LOOP)();
    const callsPerSec = Math.round(LOOP_CALLS / ((performance.now() - started) / 1000));
    return {
      p50Ms: round(percentile(times, 50)),
      p95Ms: round(percentile(times, 95)),
      baselineP50Ms: baseline.p50,
      callsPerSec,
    };
  } finally {
    await executor.close();
  }
}

/** One `docker run --rm -i`: create, attach, start, run the program, wait until removed. */
async function dockerRunOnce(
  executor: DockerExecutor,
  image: string,
  index: ApiIndex,
  limits: ExecutionLimits,
): Promise<void> {
  const docker = executor.docker;
  const config = hardenedConfig({ image, memoryLimitMb: limits.memoryLimitMb, executorId: executor.id });
  const container = await docker.createContainer({
    ...config,
    Cmd: runnerCommand(limits.memoryLimitMb),
    OpenStdin: true,
    StdinOnce: true,
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    HostConfig: { ...config.HostConfig, AutoRemove: true },
  });
  const removed = container.wait({ condition: "removed" });
  const stream = (await container.attach({
    stream: true,
    stdin: true,
    stdout: true,
    stderr: true,
    hijack: true,
  })) as Duplex;
  await container.start();
  const bridge = new Bridge(index, limits);
  const channel = new RunnerChannel(stream, (s, out, err) => docker.modem.demuxStream(s, out, err));
  const job = { js: transpile(THREE_CALLS).js, apiPaths: index.paths, bridge, limits };
  const link = linkRunner(channel, job, 10_000);
  const end = await link.ended;
  bridge.end();
  stream.destroy();
  await removed;
  if (!end.done || !end.outcome.ok) throw new Error(`baseline program failed: ${JSON.stringify(end).slice(0, 300)}`);
}
