import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig, parseConfig } from "../../src/config/index.ts";
import { loadCodeMode } from "../../src/config/open-code-mode.ts";
import { resolveOptions } from "../../src/execute-code/options.ts";
import { ConfigError } from "../../src/index.ts";

const dir = () => mkdtempSync(join(tmpdir(), "code-mode-config-"));

describe("config", () => {
  it("defaults to auto, 30 s and 128 MB", () => {
    const { runtime, limits } = resolveOptions({});
    expect(runtime).toBe("auto");
    expect(limits.timeoutMs).toBe(30_000);
    expect(limits.memoryLimitMb).toBe(128);
  });

  it("reads code-mode.json5 from the working directory, comments and all", () => {
    const cwd = dir();
    writeFileSync(
      join(cwd, "code-mode.json5"),
      "{ // settings\n codeMode: { runtime: 'vm', timeout: 5, }, tools: ['./t.ts'] }",
    );
    const loaded = loadConfig(undefined, cwd);
    expect(loaded.config).toEqual({ codeMode: { runtime: "vm", timeout: 5 }, tools: ["./t.ts"] });
    expect(loaded.baseDir).toBe(cwd);
  });

  it("reads the code-mode sections of augure.json5 and ignores its own", () => {
    const cwd = dir();
    writeFileSync(join(cwd, "augure.json5"), "{ agent: { name: 'x' }, codeMode: { memoryLimit: 64 } }");
    expect(loadConfig(undefined, cwd).config).toEqual({ codeMode: { memoryLimit: 64 } });
  });

  it("names every wrong field with its value and what was expected", () => {
    const attempt = () => parseConfig({ codeMode: { runtime: "fast", timout: 3, memoryLimit: "big" } });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/codeMode\.runtime is "fast": .*"vm"\|"docker"\|"auto"/);
    expect(attempt).toThrow(/codeMode\.timout is not a known field/);
    expect(attempt).toThrow(/codeMode\.memoryLimit is "big": .*expected number/);
  });

  it("checks the type-check settings like the others", () => {
    expect(parseConfig({ codeMode: { typecheck: "warn", typecheckTimeout: 10 } }).codeMode).toEqual({
      typecheck: "warn",
      typecheckTimeout: 10,
    });
    const attempt = () => parseConfig({ codeMode: { typecheck: "strict", typecheckTimeout: 0 } });
    expect(attempt).toThrow(/codeMode\.typecheck is "strict": .*"error"\|"warn"\|"off"/);
    expect(attempt).toThrow(/codeMode\.typecheckTimeout is 0/);
  });

  it("explains an MCP server entry that is neither stdio nor HTTP", () => {
    expect(() => parseConfig({ mcpServers: { files: { command: 42 } } })).toThrow(
      /mcpServers\.files\.command is 42.*either "command" \(stdio\) or "url"/,
    );
  });

  it("reports invalid JSON5 and a missing file by path", () => {
    const cwd = dir();
    writeFileSync(join(cwd, "bad.json5"), "{ codeMode: ");
    expect(() => loadConfig("bad.json5", cwd)).toThrow(/bad\.json5 is not valid JSON5/);
    expect(() => loadConfig("missing.json5", cwd)).toThrow(/Cannot read the config file .*missing\.json5/);
  });

  it.each([
    [{ timeout: 0 }, /timeout is 0; expected a number of seconds/],
    [{ memoryLimit: 2 }, /memoryLimit is 2; expected a number of MB from 8/],
    [{ runtime: "wasm" as "vm" }, /runtime is "wasm"/],
    [{ maxToolCalls: 1.5 }, /maxToolCalls is 1.5; expected a whole number/],
  ])("refuses bad options passed in code: %o", (options, message) => {
    expect(() => resolveOptions(options)).toThrow(message);
  });

  it("refuses an approval pattern that cannot be one, naming it; warns of one that matches no tool", async () => {
    expect(() => parseConfig({ codeMode: { approval: { require: ["github.*", "files write"] } } })).toThrow(
      /codeMode\.approval\.require is \["github\.\*","files write"\]: "files write" is not a tool pattern: write a tool's path/,
    );
    expect(() => resolveOptions({ approval: { require: ["files..x"] } })).toThrow(
      /approval\.require is \["files\.\.x"\]; expected a list of tool patterns.*"files\.\.x" is not a tool pattern/,
    );
    const cwd = dir();
    writeFileSync(
      join(cwd, "tools.mjs"),
      "export default [{ name: 'write_file', namespace: 'files', description: 'w', inputSchema: { type: 'object' }, execute: () => 1 }];",
    );
    writeFileSync(
      join(cwd, "code-mode.json5"),
      "{ tools: ['./tools.mjs'], codeMode: { approval: { require: ['files.*', 'github.*'] } } }",
    );
    const warnings: string[] = [];
    const setup = await loadCodeMode({
      cwd,
      overrides: { approval: { timeout: 5 } },
      onWarning: (message) => warnings.push(message),
    });
    await setup.close();
    expect(warnings).toEqual([
      expect.stringMatching(/approval\.require has "github\.\*", which matches none of the tools/),
    ]);
    // A flag for one field of the group keeps the config's other fields.
    expect(setup.options.approval).toEqual({ require: ["files.*", "github.*"], timeout: 5 });
  });
});
