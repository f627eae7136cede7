// codeMode.catalog through the CLI: a program looks tools up, and a wrong setting stops everything.
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = new URL("../..", import.meta.url).pathname;
const BIN = join(ROOT, "bin/code-mode.js");
const TOOLS = join(ROOT, "examples/tools.ts");

function cli(args: string[], input: string) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const child = execFile(process.execPath, [BIN, ...args], { cwd: ROOT, timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin!.end(input);
  });
}

function config(codeMode: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), "code-mode-catalog-")), "code-mode.json5");
  writeFileSync(file, JSON.stringify({ codeMode, tools: [TOOLS] }));
  return file;
}

describe("code-mode run with codeMode.catalog", () => {
  it("runs a program that searches, describes and calls", async () => {
    const { code, stdout } = await cli(
      ["run", "-", "--json", "--runtime", "vm", "--config", config({ catalog: { mode: "index", indexBudget: 500 } })],
      `const [m] = await api.$search("save a note", { limit: 1 });
       const text = await api.$describe(m.name);
       await api[m.name]({ text: "from the cli", tags: ["cli"] });
       return [m.name, text.includes("memory_write("), (await api.memory_read({ tag: "cli" })).length];`,
    );
    expect(code).toBe(0);
    const out = JSON.parse(stdout);
    expect(out.result).toEqual(["memory_write", true, 1]);
    expect(out.toolCalls.map((c: { tool: string }) => c.tool)).toEqual([
      "$search",
      "$describe",
      "memory_write",
      "memory_read",
    ]);
  });

  it("refuses a wrong catalog setting with exit 2, naming the field", async () => {
    const { code, stderr } = await cli(["run", "-", "--config", config({ catalog: { mode: "never" } })], "return 1;");
    expect(code).toBe(2);
    expect(stderr).toMatch(/codeMode\.catalog\.mode is "never"/);
  });
});
