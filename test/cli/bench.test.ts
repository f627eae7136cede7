// `code-mode bench --json` is a contract (DESIGN.md): other programs read its shape. This runs the
// real benchmark once (all but the startup section) and checks the shape and that the process ends;
// it asserts no speed.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CORPUS_FILE } from "../../bench/corpus.ts";
import { runtimesUnderTest } from "../support/runtimes.ts";

const ROOT = new URL("../..", import.meta.url).pathname;
const runtimes = await runtimesUnderTest();

describe("code-mode bench --json", () => {
  it("prints one JSON object with each section beside its baseline, and exits", async () => {
    const { code, stdout } = await new Promise<{ code: number; stdout: string }>((resolve) => {
      execFile(
        process.execPath,
        // The startup section builds the package and times fresh processes, minutes on a loaded
        // machine; it is left out here (its figures come from `npm run bench`).
        [join(ROOT, "bin/code-mode.js"), "bench", "--json", "--skip", "startup"],
        { cwd: ROOT, timeout: 420_000, env: { ...process.env, CODE_MODE_BENCH_STARTUP_RUNS: "1" } },
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
    expect(report.startup).toBeUndefined();
    if (existsSync(CORPUS_FILE)) {
      expect(report.typecheck).toEqual({
        p50Ms: expect.any(Number),
        p95Ms: expect.any(Number),
        coldMs: expect.any(Number),
        tools: 258,
      });
    }
    const catalog = { tools: 1000, classic: expect.any(Number), full: expect.any(Number), default: expect.any(Number) };
    expect(report.catalog).toMatchObject({ catalogs: { generated: catalog } });
  }, 480_000);
});
