// Engine access and images: unreachable engines fail fast and say what to do; leftovers are swept.
import { spawnSync } from "node:child_process";
import { createServer, type Server, type Socket } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { DockerExecutor } from "../../src/runtimes/docker/docker-executor.ts";
import { createDocker, LABEL_OWNER, LABEL_RUNNER } from "../../src/runtimes/docker/engine.ts";
import { RUNNER_IMAGE } from "../../src/runtimes/docker/image.ts";
import type { ExecutionJob } from "../../src/runtimes/executor.ts";
import { resolveOptions } from "../../src/tool/options.ts";
import { childrenLeft, containersLeft, dockerSkipReason } from "./support.ts";

const skip = await dockerSkipReason();

const job: ExecutionJob = {
  js: "async function __main() { return 1; }",
  apiPaths: [],
  bridge: { call: async () => "{}", dispatched: 0 },
  limits: resolveOptions({}).limits,
};

/** Runs `fn` with DOCKER_HOST set to `host`, as a user would. */
async function withDockerHost<T>(host: string, fn: () => Promise<T>): Promise<T> {
  const saved = process.env.DOCKER_HOST;
  process.env.DOCKER_HOST = host;
  try {
    return await fn();
  } finally {
    if (saved === undefined) delete process.env.DOCKER_HOST;
    else process.env.DOCKER_HOST = saved;
  }
}

describe("an unreachable engine", () => {
  it("a dead socket gets an error that says where and what to do, at once", async () => {
    const started = Date.now();
    const executor = await withDockerHost(
      "unix:///tmp/code-mode-no-such-docker.sock",
      async () => new DockerExecutor(),
    );
    const error = await executor.run(job).catch((e: Error) => e);
    expect(error).toMatchObject({ kind: "executor" });
    expect((error as Error).message).toMatch(
      /cannot reach a Docker engine at unix:\/\/\/tmp\/code-mode-no-such-docker\.sock \(DOCKER_HOST\): ENOENT\. Start dockerd, set DOCKER_HOST to a reachable engine, or use runtime "vm"\./,
    );
    expect(Date.now() - started).toBeLessThan(2000);
    await executor.close();
  });

  it("an engine that accepts connections but never answers times out instead of hanging", async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      const started = Date.now();
      const executor = await withDockerHost(
        `tcp://127.0.0.1:${port}`,
        async () => new DockerExecutor({ connectTimeoutMs: 800 }),
      );
      const error = await executor.run(job).catch((e: Error) => e);
      expect((error as Error).message).toMatch(
        new RegExp(`Docker engine at http://127\\.0\\.0\\.1:${port} \\(DOCKER_HOST\\): no answer within 0\\.8 s`),
      );
      expect(Date.now() - started).toBeLessThan(3000);
      await executor.close();
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});

describe.skipIf(skip)("images and leftovers", () => {
  afterAll(async () => {
    expect(await containersLeft()).toEqual([]);
    expect(await childrenLeft()).toEqual([]);
  });

  it("a missing image gets an error naming both ways to get one", async () => {
    const executor = new DockerExecutor({ image: "code-mode-test-absent:1" });
    const error = await executor.run(job).catch((e: Error) => e);
    expect((error as Error).message).toMatch(/"code-mode-test-absent:1" is not present on the engine/);
    expect((error as Error).message).toMatch(/`code-mode image build` --tag code-mode-test-absent:1/);
    expect((error as Error).message).toMatch(/`docker pull code-mode-test-absent:1`/);
    await executor.close();
  });

  it("the default image falls back to the runner image when node:24-slim is absent", async () => {
    const docker = createDocker();
    const hasSlim = await docker
      .getImage("node:24-slim")
      .inspect()
      .then(() => true)
      .catch(() => false);
    const executor = new DockerExecutor({ poolSize: 0 });
    expect(await executor.image()).toBe(hasSlim ? "node:24-slim" : RUNNER_IMAGE);
    await executor.close();
  });

  it("sweeps containers left by a process that died", async () => {
    const docker = createDocker();
    const image = await new DockerExecutor({ poolSize: 0 }).image();
    // A real pid that is certainly gone: a process that ran and exited.
    const dead = spawnSync(process.execPath, ["-e", "0"]).pid;
    const { hostname } = await import("node:os");
    const leftover = await docker.createContainer({
      Image: image,
      Cmd: ["node", "-e", "0"],
      Labels: { [LABEL_RUNNER]: "1", [LABEL_OWNER]: `${hostname()}:${dead}` },
    });
    const executor = new DockerExecutor({ poolSize: 0 });
    await executor.ready();
    const found = await docker.listContainers({ all: true, filters: { id: [leftover.id] } });
    expect(found).toEqual([]);
    await executor.close();
  });
});
