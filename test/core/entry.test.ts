// `import "code-mode"` loads only what a vm execute_code tool needs; the heavy parts load from
// their own entries, or when used. Asserted by the packages a fresh process resolves, not by time.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = new URL("../../", import.meta.url).pathname;
const WATCH = join(ROOT, "test/fixtures/watch-packages.mjs");
const entry = (path: string) => JSON.stringify(pathToFileURL(join(ROOT, path)).href);

function packagesLoadedBy(script: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["--import", WATCH, "--input-type=module", "-e", script],
      { cwd: ROOT, timeout: 60_000 },
      (error, _stdout, stderr) => {
        if (error) return reject(new Error(stderr));
        resolve(stderr.split("\n").flatMap((line) => (line.startsWith("[package] ") ? [line.slice(10)] : [])));
      },
    );
  });
}

const HEAVY = ["@modelcontextprotocol/sdk", "ai", "dockerode", "zod", "json5"];

describe("the main entry", () => {
  it("imports none of the heavy dependencies, nor the transpiler or validator before first use", async () => {
    const loaded = await packagesLoadedBy(`await import(${entry("src/index.ts")});`);
    for (const name of [...HEAVY, "amaro", "ajv", "esbuild", "@jridgewell/trace-mapping"])
      expect(loaded).not.toContain(name);
  });

  it("runs a vm program without the MCP SDK, the AI SDK, dockerode or zod", async () => {
    const loaded = await packagesLoadedBy(`
      const { createCodeModeTool, ToolRegistry } = await import(${entry("src/index.ts")});
      const add = { name: "add", description: "Adds.", inputSchema: { type: "object" }, execute: ({ a, b }) => a + b };
      const tool = createCodeModeTool(new ToolRegistry([add]), { runtime: "vm" });
      const { result } = await tool.execute({ code: "return await api.add({ a: 1, b: 2 })" });
      await tool.close();
      if (result.result !== 3) throw new Error(JSON.stringify(result));`);
    expect(loaded).toContain("amaro"); // the type stripper, loaded on first use
    for (const name of HEAVY) expect(loaded).not.toContain(name);
  });

  it("the subpath entries bring their own dependencies", async () => {
    expect(await packagesLoadedBy(`await import(${entry("src/mcp/index.ts")});`)).toContain(
      "@modelcontextprotocol/sdk",
    );
    expect(await packagesLoadedBy(`await import(${entry("src/agent/index.ts")});`)).toContain("ai");
  });
});
