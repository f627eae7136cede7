// `code-mode bench --json` is a contract (DESIGN.md): other programs read its shape. This runs the
// real benchmark once and checks the shape and that the process ends; it asserts no speed.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runtimesUnderTest } from "../support/runtimes.ts";

const ROOT = new URL("../..", import.meta.url).pathname;
const runtimes = await runtimesUnderTest();

describe("code-mode bench --json", () => {
  it("prints one JSON object with each section beside its baseline, and exits", async () => {
    const { code, stdout } = await new Promise<{ code: number; stdout: string }>((resolve) => {
      execFile(
        process.execPath,
        [join(ROOT, "bin/code-mode.js"), "bench", "--json"],
        { cwd: ROOT, timeout: 240_000 },
        (error, out) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout: out }),
      );
    });
    expect(code).toBe(0);
    const lines = stdout.trim().split("\n");
    expect(lines).toHaveLength(1);
    const report = JSON.parse(lines[0]!);
    const figures = {
      p50Ms: expect.any(Number),
      p95Ms: expect.any(Number),
      baselineP50Ms: expect.any(Number),
      callsPerSec: expect.any(Number),
    };
    expect(report.vm).toMatchObject(figures);
    expect(report.typegen).toMatchObject({ tools: 1000, ms: expect.any(Number) });
    expect(report.tokens).toMatchObject({ classic: expect.any(Number), code: expect.any(Number) });
    if (runtimes.includes("docker")) expect(report.docker).toMatchObject(figures);
    const catalog = { tools: 1000, classic: expect.any(Number), full: expect.any(Number), default: expect.any(Number) };
    expect(report.catalog).toMatchObject({ catalogs: { generated: catalog } });
  }, 300_000);
});
