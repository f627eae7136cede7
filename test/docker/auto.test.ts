// The auto runtime: vm first, docker only when the vm runtime itself fails before any tool call.
// The vm failure is real: the vm runtime's child processes are killed from outside mid-execution.
// Runtime behaviour is under test: the type check is off, so every program reaches the runtime.
import { afterAll, describe, expect, it } from "vitest";
import { createCodeModeTool, ExecutorError, type Tool, ToolRegistry, VmExecutor } from "../../src/index.ts";
import { AutoExecutor } from "../../src/runtimes/auto/auto-executor.ts";
import type { Executor } from "../../src/runtimes/executor.ts";
import { testTools } from "../support/tools.ts";
import { childProcesses, childrenLeft, containersLeft, dockerSkipReason, ourContainers } from "./support.ts";

const skip = await dockerSkipReason();

/** Kills the vm runtime's child processes, as the kernel or an operator might. */
function killVmChildren(): number {
  const children = childProcesses().filter((c) => /runtimes\/vm\/child/.test(c.command));
  for (const child of children) process.kill(child.pid, "SIGKILL");
  return children.length;
}

/** A tool the test awaits: it resolves `reached` when the program calls it. */
function signalTool(): { tool: Tool; reached: Promise<void> } {
  let resolve!: () => void;
  const reached = new Promise<void>((r) => {
    resolve = r;
  });
  return {
    tool: {
      name: "reached",
      description: "Tells the test.",
      inputSchema: { type: "object" },
      execute: () => resolve(),
    },
    reached,
  };
}

async function vmChildrenUp(): Promise<void> {
  for (let i = 0; i < 100 && childProcesses().filter((c) => /runtimes\/vm\/child/.test(c.command)).length === 0; i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.skipIf(skip)("auto runtime", () => {
  afterAll(async () => {
    expect(await containersLeft()).toEqual([]);
    expect(await childrenLeft()).toEqual([]);
  });

  it("runs on vm and starts no container while vm works", async () => {
    const tool = createCodeModeTool(new ToolRegistry(testTools().tools), { typecheck: "off", runtime: "auto" });
    const { result } = await tool.execute({ code: "return await api.add({ a: 1, b: 2 });" });
    expect(result).toMatchObject({ ok: true, result: 3, runtime: "vm" });
    expect(result.fallback).toBeUndefined();
    expect(await ourContainers()).toEqual([]);
    await tool.close();
  }, 60_000);

  it("falls back to docker when the vm child dies before any tool call", async () => {
    const vm = new VmExecutor();
    const auto = new AutoExecutor({ vm, docker: { poolSize: 1 } });
    const tool = createCodeModeTool(new ToolRegistry(testTools().tools), {
      typecheck: "off",
      runtime: auto,
      timeout: 20,
    });
    // Both children up, so the program surely runs in one of the children killed below.
    await vm.ready();
    // The program waits before its first call; the vm child is killed while it waits.
    const pending = tool.execute({
      code: "await new Promise((r) => setTimeout(r, 1500));\nconsole.log('after the wait');\nreturn await api.add({ a: 20, b: 22 });",
    });
    await new Promise((r) => setTimeout(r, 500));
    expect(killVmChildren()).toBeGreaterThan(0);
    const { result } = await pending;
    expect(result).toMatchObject({
      ok: true,
      result: 42,
      runtime: "docker",
      logs: [{ level: "log", message: "after the wait" }],
    });
    expect(result.fallback).toMatch(
      /^The vm runtime failed before any tool call \(The vm runtime's child process died \(SIGKILL\)/,
    );
    expect(result.toolCalls).toHaveLength(1);
    await auto.close();
  }, 60_000);

  it("does not fall back once a tool call was dispatched, so no side effect runs twice", async () => {
    const auto = new AutoExecutor({ docker: { poolSize: 1 } });
    const { tool: reachedTool, reached } = signalTool();
    const calls: unknown[] = [];
    const sideEffect: Tool = {
      name: "charge",
      description: "A call with a side effect.",
      inputSchema: { type: "object" },
      execute: (input) => {
        calls.push(input);
        return "charged";
      },
    };
    const tool = createCodeModeTool(new ToolRegistry([reachedTool, sideEffect]), {
      typecheck: "off",
      runtime: auto,
      timeout: 20,
    });
    await vmChildrenUp();
    const pending = tool.execute({
      code: "await api.charge({ amount: 5 });\nawait api.reached({});\nawait new Promise((r) => setTimeout(r, 3000));\nreturn 1;",
    });
    await reached;
    killVmChildren();
    const { result } = await pending;
    expect(result.ok).toBe(false);
    expect(result.error?.kind).toBe("executor");
    expect(result.runtime).toBe("vm");
    expect(result.fallback).toBeUndefined();
    expect(calls).toEqual([{ amount: 5 }]);
    expect(await ourContainers()).toEqual([]);
    await auto.close();
  }, 60_000);

  it("falls back when the vm runtime cannot load at all", async () => {
    // A vm runtime that fails as one that cannot load isolated-vm does: an ExecutorError from run().
    const broken: Executor = {
      name: "vm",
      run: async () => {
        throw new ExecutorError(
          "The vm runtime's child process could not start (exit 1). Cannot find module 'isolated-vm'",
        );
      },
      close: async () => {},
    };
    const auto = new AutoExecutor({ vm: broken, docker: { poolSize: 1 } });
    const tool = createCodeModeTool(new ToolRegistry(testTools().tools), { typecheck: "off", runtime: auto });
    const { result } = await tool.execute({ code: "return await api.add({ a: 2, b: 3 });" });
    expect(result).toMatchObject({ ok: true, result: 5, runtime: "docker" });
    expect(result.fallback).toMatch(/Cannot find module 'isolated-vm'/);
    // Program errors, timeouts and memory limits on docker stay what they are.
    const thrown = await tool.execute({ code: "throw new Error('mine');" });
    expect(thrown.result.error?.kind).toBe("runtime");
    await auto.close();
  }, 60_000);

  it("never falls back for the program's own errors, timeouts or memory", async () => {
    const auto = new AutoExecutor({ docker: { poolSize: 1 } });
    const tool = createCodeModeTool(new ToolRegistry(testTools().tools), {
      typecheck: "off",
      runtime: auto,
      timeout: 2,
      memoryLimit: 32,
    });
    for (const code of ["throw new Error('x');", "while (true) {}", "let s = 'x'; while (true) s += s;"]) {
      const { result } = await tool.execute({ code });
      expect(result.ok).toBe(false);
      expect(result.runtime).toBe("vm");
      expect(result.fallback).toBeUndefined();
    }
    expect(await ourContainers()).toEqual([]);
    await auto.close();
  }, 60_000);
});
