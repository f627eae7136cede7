// The docker runtime against the real engine: hardening, programs, limits, faults, clean-up.
// Runtime behaviour is under test: the type check is off, so every program reaches the runtime.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type CodeModeOptions, type CodeModeTool, createCodeModeTool, ToolRegistry } from "../../src/index.ts";
import { NODE_OVERHEAD_MB } from "../../src/runtimes/docker/container-pool.ts";
import { DockerExecutor } from "../../src/runtimes/docker/docker-executor.ts";
import { LABEL_EXECUTOR, LABEL_OWNER, LABEL_RUNNER, OWNER } from "../../src/runtimes/docker/engine.ts";
import { testTools } from "../support/tools.ts";
import { childrenLeft, containersLeft, dockerSkipReason } from "./support.ts";

const skip = await dockerSkipReason();
const POOL = 1;

describe.skipIf(skip)("docker runtime", () => {
  const fixtures = testTools();
  let executor: DockerExecutor;
  let tool: CodeModeTool;
  const run = async (code: string) => (await tool.execute({ code })).result;
  /** Another tool on the same executor, with options of its own (the caller closes it). */
  const toolWith = (options: CodeModeOptions) =>
    createCodeModeTool(new ToolRegistry(fixtures.tools), {
      typecheck: "off",
      runtime: executor,
      memoryLimit: 64,
      ...options,
    });
  const ours = async () =>
    (await executor.docker.listContainers({ all: true, filters: { label: [`${LABEL_EXECUTOR}=${executor.id}`] } })).map(
      (c) => c.Id,
    );

  beforeAll(async () => {
    executor = new DockerExecutor({ poolSize: POOL, memoryLimitMb: 64, toolCallTimeout: 0.5 });
    await executor.ready();
    tool = createCodeModeTool(new ToolRegistry(fixtures.tools), {
      typecheck: "off",
      runtime: executor,
      timeout: 5,
      memoryLimit: 64,
      toolCallTimeout: 30,
    });
    // The host's first call is its slowest (validators compile, modules load): taken here, so the
    // 0.5 s in-container give-up below never catches a cold path on a loaded machine.
    await tool.execute({ code: "await api.add({ a: 1, b: 1 }); await api.echo({});" });
  });

  afterEach(async () => {
    // Used containers are removed in the background; only the pool's own may stay.
    const until = Date.now() + 5000;
    while ((await ours()).length > POOL && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    expect((await ours()).length).toBeLessThanOrEqual(POOL);
  });

  afterAll(async () => {
    await tool?.close();
    await executor?.close();
    expect(await containersLeft()).toEqual([]);
    expect(await childrenLeft()).toEqual([]);
  });

  it("runs in a container hardened as promised", async () => {
    const [id] = await ours();
    const container = executor.docker.getContainer(id!);
    const info = await container.inspect();
    const host = info.HostConfig;
    expect(host.NetworkMode).toBe("none");
    expect(host.ReadonlyRootfs).toBe(true);
    expect(host.CapDrop).toEqual(["ALL"]);
    expect(host.SecurityOpt).toContain("no-new-privileges");
    expect(host.Memory).toBe((64 + NODE_OVERHEAD_MB) * 1024 * 1024);
    expect(host.MemorySwap).toBe(host.Memory);
    expect(host.PidsLimit).toBe(64);
    expect(host.NanoCpus).toBe(1e9);
    expect(Object.keys(host.Tmpfs ?? {})).toEqual(["/tmp"]);
    expect(info.Config.User).toBe("65534:65534");
    expect(info.Config.Labels).toMatchObject({
      [LABEL_RUNNER]: "1",
      [LABEL_OWNER]: OWNER,
      [LABEL_EXECUTOR]: executor.id,
    });

    // And from inside: what a process in that container actually gets.
    const probe = `const fs = require("fs"), os = require("os");
      const status = fs.readFileSync("/proc/self/status", "utf8");
      const can = (f) => { try { f(); return true; } catch { return false; } };
      console.log(JSON.stringify({
        uid: process.getuid(), gid: process.getgid(),
        networks: Object.keys(os.networkInterfaces()),
        rootWritable: can(() => fs.writeFileSync("/probe", "x")),
        tmpWritable: can(() => fs.writeFileSync("/tmp/probe", "x")),
        capEff: /CapEff:\\s+(\\S+)/.exec(status)[1],
        noNewPrivs: /NoNewPrivs:\\s+(\\d)/.exec(status)[1],
      }));`;
    const exec = await container.exec({ Cmd: ["node", "-e", probe], AttachStdout: true, AttachStderr: true });
    const stream = await exec.start({});
    let out = "";
    executor.docker.modem.demuxStream(stream, { write: (c: Buffer) => (out += c) } as never, process.stderr);
    await new Promise((r) => stream.on("end", r));
    expect(JSON.parse(out)).toEqual({
      uid: 65534,
      gid: 65534,
      networks: ["lo"],
      rootWritable: false,
      tmpWritable: true,
      capEff: "0000000000000000",
      noNewPrivs: "1",
    });
  });

  it("runs a program with tool calls, console and a result", async () => {
    const result = await run(`
      const a = await api.add({ a: 1, b: 2 });
      const [b, c] = await Promise.all([api.add({ a, b: 10 }), api.echo({ text: "hi" })]);
      console.log("sum", b, c);
      console.warn({ nested: [1, 2] });
      return { a, b, c, process: typeof process, require: typeof require };`);
    expect(result).toMatchObject({
      ok: true,
      runtime: "docker",
      result: { a: 3, b: 13, c: { text: "hi" }, process: "undefined", require: "undefined" },
      logs: [
        { level: "log", message: 'sum 13 {"text":"hi"}' },
        { level: "warn", message: '{"nested":[1,2]}' },
      ],
    });
    expect(result.toolCalls.map((c) => c.tool)).toEqual(["add", "add", "echo"]);
  });

  it("reports errors with the model's line and column, and tool errors as tool errors", async () => {
    const thrown = await run("const x = 1;\nconst y: number = x + 1;\nthrow new Error('bad ' + y);");
    expect(thrown.error).toMatchObject({ kind: "runtime", message: "Error: bad 2", line: 3 });
    const failed = await run("await api.fail({});");
    expect(failed.error).toMatchObject({ kind: "tool", message: "api.fail failed: the fail tool failed on purpose" });
    const typed = await run("await api.add({ a: 'one', b: 2 });");
    expect(typed.error?.kind).toBe("type");
  });

  it("stops a program at its timeout by removing its container", async () => {
    const started = Date.now();
    const result = await run("console.log('spinning'); while (true) {}");
    expect(result.error?.kind).toBe("timeout");
    expect(result.error?.message).toMatch(/did not finish within 5 s/);
    expect(result.logs).toEqual([{ level: "log", message: "spinning" }]);
    expect(Date.now() - started).toBeLessThan(5000 + 3000);
    expect((await run("return 1;")).result).toBe(1);
  });

  it.each([
    ["a growing array", "const a = []; while (true) a.push({ n: Math.random(), s: 'abc' + a.length });"],
    ["ArrayBuffers", "const keep = []; while (true) keep.push(new ArrayBuffer(8 * 1024 * 1024));"],
    ["touched buffers", "const keep = []; while (true) keep.push(new Uint8Array(16 * 1024 * 1024).fill(7));"],
  ])("ends %s as a memory error", async (_name, code) => {
    // Near its heap limit V8 collects again and again; on a busy machine with one CPU that takes seconds.
    const roomy = createCodeModeTool(new ToolRegistry(fixtures.tools), {
      typecheck: "off",
      runtime: executor,
      timeout: 25,
      memoryLimit: 64,
    });
    const { result } = await roomy.execute({ code });
    expect(result.error?.kind).toBe("memory");
    expect(result.error?.message).toMatch(/64 MB memory limit/);
    expect((await run("return 2;")).result).toBe(2);
  });

  it("gives up on a tool that never answers inside the container (docker.toolCallTimeout)", async () => {
    const started = Date.now();
    const result = await run("try { await api.never({}); } catch (e) { return e.message; }");
    expect(result.ok).toBe(true);
    expect(result.result).toMatch(/api\.never got no answer within 0\.5 s .*inside the container/);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it("never runs a call the container gave up on while it waited for a slot", async () => {
    const oneAtATime = toolWith({ timeout: 5, maxConcurrentCalls: 1 });
    try {
      fixtures.echoed.length = 0;
      const { result } = await oneAtATime.execute({
        code: `api.slow({ ms: 1200 }).catch(() => {});
          let told = "";
          try { await api.echo({ late: true }); } catch (e) { told = e.message; }
          // Alive until well after the host's slot is free again.
          await new Promise((r) => setTimeout(r, 1800));
          return told;`,
      });
      expect(result.ok).toBe(true);
      expect(result.result).toMatch(/api\.echo got no answer within 0\.5 s .*inside the container/);
      // The slot freed after the program was told: the call was dropped, not run late.
      expect(fixtures.echoed).toEqual([]);
    } finally {
      await oneAtATime.close();
    }
  });

  it("does not give up inside the container on a call that waits for approval", async () => {
    const approving = toolWith({ timeout: 1, approval: { require: ["echo"] } });
    try {
      // Longer than docker.toolCallTimeout (0.5 s) and than the program's timeout (1 s): neither counts the wait.
      const { result } = await approving.execute(
        { code: `return await api.echo({ waited: true });` },
        { approve: () => new Promise((resolve) => setTimeout(() => resolve(true), 1500)) },
      );
      expect(result).toMatchObject({ ok: true, result: { waited: true } });
    } finally {
      await approving.close();
    }
  });

  it("ends as an executor error when its container is killed mid-execution, and the pool heals", async () => {
    let started!: () => void;
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    const registry = new ToolRegistry([
      ...fixtures.tools,
      {
        name: "started",
        description: "Says the program runs.",
        inputSchema: { type: "object" },
        execute: () => started(),
      },
    ]);
    const killable = createCodeModeTool(registry, {
      typecheck: "off",
      runtime: executor,
      timeout: 20,
      memoryLimit: 64,
    });
    const pending = killable.execute({
      code: "await api.started({}); await new Promise((r) => setTimeout(r, 15000)); return 1;",
    });
    await running;
    // Kill every container of this runtime, the one running the program among them.
    await Promise.all(
      (await ours()).map((id) =>
        executor.docker
          .getContainer(id)
          .kill()
          .catch(() => {}),
      ),
    );
    const { result } = await pending;
    expect(result.error?.kind).toBe("executor");
    expect(result.error?.message).toMatch(/container running the program stopped during the execution/);
    const after = await run("return await api.add({ a: 40, b: 2 });");
    expect(after.result).toBe(42);
  });

  it("cancels through the caller's signal", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const { result } = await tool.execute({ code: "await new Promise(() => {});" }, { signal: controller.signal });
    expect(result.error).toMatchObject({ kind: "executor", message: "The execution was cancelled by the host." });
  });
});
