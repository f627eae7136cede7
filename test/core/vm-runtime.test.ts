// Supervision of the vm runtime's child processes: crashes, recovery, shutdown.
import { afterEach, describe, expect, it } from "vitest";
import { resolveOptions } from "../../src/execute-code/options.ts";
import { runProgram } from "../../src/execute-code/run-program.ts";
import { ApiIndex, VmExecutor } from "../../src/index.ts";
import { testTools } from "../support/tools.ts";

const index = new ApiIndex(testTools().tools);
const { limits } = resolveOptions({ timeout: 10 });
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
let executor: VmExecutor | undefined;
afterEach(async () => {
  await executor?.close();
});

describe("vm runtime supervision", () => {
  it("ends an execution as an executor error when its child is killed, and heals", async () => {
    executor = new VmExecutor({ processes: 1 });
    await executor.ready();
    const [pid] = executor.processIds;
    const running = runProgram("await api.slow({ ms: 5000 });\nreturn 'never';", { index, executor, limits });
    await new Promise((r) => setTimeout(r, 300));
    process.kill(pid!, "SIGKILL");
    const result = await running;
    expect(result.ok).toBe(false);
    expect(result.error?.kind).toBe("executor");
    expect(result.error?.message).toMatch(/child process died \(SIGKILL\)/);
    await executor.ready();
    expect(executor.processIds).toHaveLength(1);
    expect(executor.processIds[0]).not.toBe(pid);
    const next = await runProgram("return await api.add({ a: 2, b: 2 });", { index, executor, limits });
    expect(next.result).toBe(4);
  });

  it("leaves no child process behind after close", async () => {
    executor = new VmExecutor({ processes: 2 });
    await executor.ready();
    const pids = executor.processIds;
    expect(pids).toHaveLength(2);
    await executor.close();
    expect(pids.filter(alive)).toEqual([]);
    await expect(runProgram("return 1", { index, executor, limits })).resolves.toMatchObject({
      error: { kind: "executor" },
    });
  });

  it("stops an execution when the caller aborts", async () => {
    executor = new VmExecutor({ processes: 1 });
    await executor.ready();
    const controller = new AbortController();
    const running = runProgram("while (true) {}", { index, executor, limits, signal: controller.signal });
    setTimeout(() => controller.abort(), 200);
    const result = await running;
    expect(result.error).toMatchObject({ kind: "executor", message: expect.stringMatching(/cancelled/) });
  });
});
