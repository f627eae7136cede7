// Engine access and images: unreachable engines fail fast and say what to do; leftovers are swept.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { afterAll, describe, expect, it } from "vitest";
import { resolveOptions } from "../../src/execute-code/options.ts";
import { DockerExecutor } from "../../src/runtimes/docker/docker-executor.ts";
import { createDocker, LABEL_OWNER, LABEL_RUNNER } from "../../src/runtimes/docker/engine.ts";
import { RUNNER_IMAGE } from "../../src/runtimes/docker/image.ts";
import { tarStream } from "../../src/runtimes/docker/tar.ts";
import type { ExecutionJob } from "../../src/runtimes/executor.ts";
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

  it("without DOCKER_HOST, the error names the default socket it tried, not code", async () => {
    // docker-modem prefers ~/.docker/run/docker.sock when it exists: here a plain file, no engine.
    const home = mkdtempSync(`${tmpdir()}/code-mode-home-`);
    mkdirSync(`${home}/.docker/run`, { recursive: true });
    writeFileSync(`${home}/.docker/run/docker.sock`, "");
    const saved = { home: process.env.HOME, host: process.env.DOCKER_HOST };
    process.env.HOME = home;
    delete process.env.DOCKER_HOST;
    try {
      const executor = new DockerExecutor();
      const error = await executor.run(job).catch((e: Error) => e);
      expect((error as Error).message).not.toMatch(/function|Promise/);
      expect((error as Error).message).toContain(
        `cannot reach a Docker engine at unix://${home}/.docker/run/docker.sock (the default socket; DOCKER_HOST is not set): `,
      );
      await executor.close();
    } finally {
      process.env.HOME = saved.home;
      if (saved.host !== undefined) process.env.DOCKER_HOST = saved.host;
      rmSync(home, { recursive: true, force: true });
    }
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

/** A request the stalled engine holds open, to answer (or not) later. */
interface Held {
  method: string;
  url: string;
  res: ServerResponse;
  /** Set when the client gave up on it and closed its connection. */
  closed: boolean;
}

/**
 * An engine on a unix socket that answers what comes before a container (ping, the sweep of
 * leftovers, the image lookup) and holds every other request open: an engine that accepts
 * connections but stalls, as an overloaded or wedged dockerd does.
 */
async function stalledEngine() {
  const dir = mkdtempSync("/tmp/cm-stall-");
  const socketPath = `${dir}/d.sock`;
  const held: Held[] = [];
  const seen: string[] = [];
  const server = createHttpServer((req: IncomingMessage, res: ServerResponse) => {
    const line = `${req.method} ${req.url}`;
    seen.push(line);
    const path = (req.url ?? "").replace(/\?.*$/, "");
    if (path === "/_ping") return void res.end("OK");
    if (req.method === "GET" && path === "/containers/json") return void res.end("[]");
    if (req.method === "GET" && /^\/images\/.+\/json$/.test(path)) return void res.end("{}");
    if (req.method === "DELETE") {
      res.statusCode = 204;
      return void res.end();
    }
    const entry: Held = { method: req.method ?? "", url: req.url ?? "", res, closed: false };
    res.on("close", () => {
      entry.closed = !res.writableFinished;
    });
    held.push(entry);
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  const until = async (what: () => boolean, ms = 3000) => {
    const end = Date.now() + ms;
    while (!what() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    return what();
  };
  return {
    socketPath,
    held,
    seen,
    until,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe("an engine that accepts connections but stalls", () => {
  const limits = { ...resolveOptions({}).limits, timeoutMs: 1000 };

  it("run() ends as an executor error at the execution's deadline, and a container made late is removed", async () => {
    const engine = await stalledEngine();
    try {
      const executor = new DockerExecutor({
        docker: createDocker({ socketPath: engine.socketPath }),
        poolSize: 0,
        graceMs: 500,
      });
      const started = Date.now();
      const error = await executor.run({ ...job, limits }).catch((e: Error) => e);
      const took = Date.now() - started;
      expect(error).toMatchObject({ kind: "executor" });
      expect((error as Error).message).toBe(
        `The docker runtime got no container from the Docker engine at unix://${engine.socketPath} (the given options) within 1.5 s (the execution's 1 s timeout plus 0.5 s): it left creating and starting a container unanswered. Start dockerd (or restart a stalled one), set DOCKER_HOST to a reachable engine, or use runtime "vm".`,
      );
      expect(took).toBeGreaterThanOrEqual(1400);
      expect(took).toBeLessThan(2500);

      // The engine makes the container after all: it is removed at once, never started.
      const create = engine.held.find((h) => h.url.startsWith("/containers/create"));
      expect(create).toBeDefined();
      create!.res.writeHead(201, { "content-type": "application/json" }).end('{"Id":"late-one"}');
      expect(await engine.until(() => engine.seen.some((s) => s.startsWith("DELETE /containers/late-one?")))).toBe(
        true,
      );
      expect(engine.seen.filter((s) => s.startsWith("POST /containers/late-one/start"))).toEqual([]);
      await executor.close();
    } finally {
      await engine.close();
    }
  });

  it("an aborted signal ends the wait at once, as a cancellation", async () => {
    const engine = await stalledEngine();
    try {
      const executor = new DockerExecutor({ docker: createDocker({ socketPath: engine.socketPath }), poolSize: 0 });
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 300);
      const started = Date.now();
      const outcome = await executor.run({
        ...job,
        limits: { ...limits, timeoutMs: 30_000 },
        signal: controller.signal,
      });
      expect(outcome).toEqual({
        ok: false,
        logs: [],
        error: { kind: "executor", message: "The execution was cancelled by the host." },
      });
      expect(Date.now() - started).toBeLessThan(1000);

      // Aborted before run(): nothing is asked of the engine.
      const asked = engine.seen.length;
      const again = await executor.run({ ...job, limits, signal: AbortSignal.abort() });
      expect(again.error?.message).toBe("The execution was cancelled by the host.");
      expect(engine.seen.length).toBe(asked);

      // The container asked for before the abort, made after it, is removed.
      const create = engine.held.find((h) => h.url.startsWith("/containers/create"));
      create!.res.writeHead(201, { "content-type": "application/json" }).end('{"Id":"unwanted"}');
      expect(await engine.until(() => engine.seen.some((s) => s.startsWith("DELETE /containers/unwanted?")))).toBe(
        true,
      );
      await executor.close();
    } finally {
      await engine.close();
    }
  });

  it("an engine request left unanswered is given up, and what it may have made is removed by name", async () => {
    const engine = await stalledEngine();
    try {
      const executor = new DockerExecutor({
        docker: createDocker({ socketPath: engine.socketPath }),
        poolSize: 0,
        requestTimeoutMs: 300,
      });
      const started = Date.now();
      const error = await executor.run({ ...job, limits: { ...limits, timeoutMs: 30_000 } }).catch((e: Error) => e);
      expect(Date.now() - started).toBeLessThan(2000);
      expect(error).toMatchObject({ kind: "executor" });
      expect((error as Error).message).toMatch(
        /cannot reach a Docker engine at unix:.* \(the given options\): no answer to creating a container within 0\.3 s\. Start dockerd/,
      );
      // The request's connection was closed, not left open.
      const create = engine.held.find((h) => h.url.startsWith("/containers/create"));
      expect(await engine.until(() => create?.closed === true)).toBe(true);
      // The engine might still make it: on close it is removed by the name it was asked to have.
      const name = new URL(create!.url, "http://x").searchParams.get("name");
      expect(name).toMatch(/^code-mode-[0-9a-f-]{36}$/);
      await executor.close();
      expect(engine.seen.some((s) => s.startsWith(`DELETE /containers/${name}?`))).toBe(true);
    } finally {
      await engine.close();
    }
  });

  it("an engine that never answers at all ends run() at the deadline even with a longer connect timeout", async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      const executor = await withDockerHost(
        `tcp://127.0.0.1:${port}`,
        async () => new DockerExecutor({ connectTimeoutMs: 20_000, graceMs: 500 }),
      );
      const started = Date.now();
      const error = await executor.run({ ...job, limits }).catch((e: Error) => e);
      expect(Date.now() - started).toBeLessThan(2500);
      expect((error as Error).message).toMatch(
        new RegExp(
          `no container from the Docker engine at http://127\\.0\\.0\\.1:${port} \\(DOCKER_HOST\\) within 1\\.5 s .*left a ping, the sweep of leftovers or the image lookup unanswered`,
        ),
      );
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

  it("a missing image gets an error that says how to make one", async () => {
    const executor = new DockerExecutor({ image: "code-mode-test-absent:1" });
    const error = await executor.run(job).catch((e: Error) => e);
    expect((error as Error).message).toMatch(/"code-mode-test-absent:1" is not present on the engine/);
    expect((error as Error).message).toMatch(/`code-mode image build --tag code-mode-test-absent:1`/);
    expect((error as Error).message).toContain(`the default "${RUNNER_IMAGE}"`);
    await executor.close();
  });

  it("the default image is the runner image that `code-mode image build` makes", async () => {
    const executor = new DockerExecutor({ poolSize: 0 });
    expect(await executor.image()).toBe(RUNNER_IMAGE);
    await executor.close();
  });

  it("an image whose Node cannot load isolated-vm gets an error that says `code-mode image build` makes one", async () => {
    // The runner image with isolated-vm's package pointing at a file that is not there.
    const docker = createDocker();
    const tag = `code-mode-test-no-ivm:${process.pid}`;
    const file = (path: string, text: string) => ({
      type: "file" as const,
      path,
      mode: 0o644,
      size: Buffer.byteLength(text),
      source: Buffer.from(text),
    });
    const stream = await docker.buildImage(
      tarStream([
        file("Dockerfile", `FROM ${RUNNER_IMAGE}\nCOPY package.json /node_modules/isolated-vm/package.json\n`),
        file("package.json", '{ "name": "isolated-vm", "main": "gone.js" }'),
      ]) as unknown as NodeJS.ReadableStream,
      { t: tag, rm: true, forcerm: true },
    );
    await new Promise((resolve, reject) =>
      docker.modem.followProgress(stream, (error: Error | null) => (error ? reject(error) : resolve(undefined))),
    );
    const executor = new DockerExecutor({ image: tag, poolSize: 0 });
    try {
      const error = await executor.run(job).catch((e: Error) => e);
      expect(error).toMatchObject({ kind: "executor" });
      expect((error as Error).message).toMatch(
        new RegExp(`"${tag}" cannot run the sandbox: its Node does not load isolated-vm`),
      );
      expect((error as Error).message).toContain("`code-mode image build` makes an image that carries it");
    } finally {
      await executor.close();
      await docker
        .getImage(tag)
        .remove({ force: true })
        .catch(() => {});
    }
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
