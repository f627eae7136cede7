// Whatever an execute_code tool starts, its close() ends: runtime children and esbuild's service
// process alike, counted as the operating system sees them.
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { createCodeModeTool, ToolRegistry } from "../../src/index.ts";
import { testTools } from "../support/tools.ts";

/** This process's children (zombies included), as `ps` lists them. */
function children(): string[] {
  let table = "";
  try {
    table = execFileSync("ps", ["--ppid", String(process.pid), "-o", "pid=,stat=,args="], { encoding: "utf8" });
  } catch {
    // ps exits 1 when there is none.
  }
  return table
    .trim()
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !/^\d+\s+\S+\s+ps /.test(line));
}
const esbuild = (lines: string[]) => lines.filter((line) => /esbuild/.test(line));
// An enum is beyond type stripping: it goes through esbuild.
const ENUM_PROGRAM = "enum Color { Red = 2 }\nreturn await api.add({ a: Color.Red, b: 1 });";

describe("close()", () => {
  it("leaves no process behind once the last tool closes, and a tool created afterwards works", async () => {
    const registry = new ToolRegistry(testTools().tools);
    const before = children();
    const first = createCodeModeTool(registry, { runtime: "vm" });
    const second = createCodeModeTool(registry, { runtime: "vm" });
    expect((await first.execute({ code: ENUM_PROGRAM })).result.result).toBe(3);
    expect(esbuild(children())).not.toEqual([]);

    // Another open tool still uses esbuild: its service stays.
    await first.close();
    expect(esbuild(children())).not.toEqual([]);
    expect((await second.execute({ code: ENUM_PROGRAM })).result.result).toBe(3);
    await second.close();
    expect(children()).toEqual(before);

    const third = createCodeModeTool(registry, { runtime: "vm" });
    expect((await third.execute({ code: ENUM_PROGRAM })).result.result).toBe(3);
    const syntax = await third.execute({ code: "return (1 +;" });
    expect(syntax.result.error?.kind).toBe("syntax");
    await third.close();
    expect(children()).toEqual(before);
  });
});
