// `code-mode serve` as a real process, driven by the SDK's client (stdio and HTTP) and the MCP Inspector.
import { type ChildProcess, execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ToolListChangedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openCodeMode, VmExecutor } from "../../src/index.ts";
import {
  alive,
  CLI,
  descendants,
  fixtureServer,
  INSPECTOR,
  makeWorkspace,
  referenceServers,
  startHttpServe,
  waitFor,
  writeConfig,
} from "./helpers.ts";

const run = promisify(execFile);
const workspace = makeWorkspace();
const config = writeConfig(workspace.dir, {
  codeMode: { runtime: "vm", timeout: 2 },
  tools: [join(import.meta.dirname, "../fixtures/mcp/noisy-tools.ts")],
  mcpServers: { ...referenceServers(workspace.files, workspace.memoryFile), fx: fixtureServer() },
});
const light = writeConfig(
  workspace.dir,
  { codeMode: { runtime: "vm" }, mcpServers: { fx: fixtureServer() } },
  "light.json5",
);

afterAll(() => workspace.cleanup());

type CallResult = { content: { type: string; text: string }[]; structuredContent?: any; isError?: boolean };

describe("serve over stdio, with the SDK client", () => {
  let client: Client;
  let transport: StdioClientTransport;
  let stderr = "";
  const changes: number[] = [];
  const protocolErrors: Error[] = [];

  beforeAll(async () => {
    transport = new StdioClientTransport({
      command: process.execPath,
      args: [CLI, "serve", "--config", config],
      stderr: "pipe",
    });
    transport.stderr?.on("data", (chunk) => {
      stderr += String(chunk);
    });
    client = new Client({ name: "test", version: "1.0.0" });
    // A line on stdout that is not a protocol message surfaces here.
    client.onerror = (error) => protocolErrors.push(error);
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
      changes.push(Date.now());
    });
    await client.connect(transport);
  });

  const call = (code: string) => client.callTool({ name: "execute_code", arguments: { code } }) as Promise<CallResult>;

  it("lists one tool, execute_code, carrying the declarations of every server", async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(["execute_code"]);
    const [tool] = tools;
    expect(tool!.description).toContain("declare const api");
    expect(tool!.description).toMatch(/files: \{[\s\S]*read_text_file/);
    expect(tool!.description).toMatch(/memory: \{[\s\S]*create_entities/);
    expect(tool!.inputSchema).toMatchObject({ type: "object", required: ["code"] });
    expect(tool!.outputSchema).toMatchObject({
      type: "object",
      required: ["ok", "logs", "toolCalls", "runtime", "ms"],
    });
  });

  it("runs a program over both servers: text for the model, the result as structuredContent", async () => {
    const result = await call(`
      const [dir] = (await api.files.list_allowed_directories({})).content.split("\\n").slice(1);
      const team = await api.files.read_text_file({ path: dir + "/team.md" });
      const names = [...team.content.matchAll(/^- (\\w+)/gm)].map((m) => m[1]);
      await api.memory.create_entities({ entities: names.map((name) => ({ name, entityType: "person", observations: [] })) });
      await api.files.write_file({ path: dir + "/names.txt", content: names.join(",") });
      console.log("wrote", names.length, "names", await api.shout({ text: "done" }));
      return (await api.memory.read_graph({})).entities.map((e) => e.name);
    `);
    expect(result.isError).toBe(false);
    expect(result.structuredContent).toMatchObject({ ok: true, runtime: "vm", result: ["Ada", "Grace", "Linus"] });
    expect(result.structuredContent.logs).toEqual([{ level: "log", message: "wrote 3 names DONE" }]);
    expect(result.content[0]!.text).toContain('"Ada"');
    expect(readFileSync(join(workspace.files, "names.txt"), "utf8")).toBe("Ada,Grace,Linus");
  });

  it("a bad program is an isError result; the server lives on", async () => {
    const syntax = await call("return {{;");
    expect(syntax.isError).toBe(true);
    expect(syntax.structuredContent.error.kind).toBe("syntax");
    const loop = await call("while (true) {}");
    expect(loop.isError).toBe(true);
    expect(loop.structuredContent.error.kind).toBe("timeout");
    const missing = (await client.callTool({ name: "execute_code", arguments: {} })) as CallResult;
    expect(missing.isError).toBe(true);
    expect((await call("return 1 + 1")).structuredContent.result).toBe(2);
  });

  it("serves concurrent requests", async () => {
    const results = await Promise.all(
      [1, 2, 3, 4].map((n) =>
        call(
          `const start = Date.now(); await new Promise((r) => setTimeout(r, 600)); return [${n}, start, Date.now()];`,
        ),
      ),
    );
    const runs = results.map((r) => r.structuredContent.result as [number, number, number]);
    expect(runs.map(([n]) => n)).toEqual([1, 2, 3, 4]);
    // Served one after another, each program would start only after the previous one ended. However
    // slow the machine, all four running at once means every one started before any ended.
    const lastStart = Math.max(...runs.map(([, start]) => start));
    const firstEnd = Math.min(...runs.map(([, , end]) => end));
    expect(lastStart).toBeLessThan(firstEnd);
  });

  it("announces tools/list_changed when an upstream server's tools change", async () => {
    const before = changes.length;
    await call(`await api.fx.add_tool({ name: "extra_two" });`);
    expect(await waitFor(() => changes.length > before)).toBe(true);
    const { tools } = await client.listTools();
    expect(tools[0]!.description).toContain("extra_two");
  });

  it("prints nothing but protocol on stdout, and ends every process when the client leaves", async () => {
    const pid = transport.pid!;
    const below = descendants(pid);
    expect(below.length).toBeGreaterThanOrEqual(4); // three MCP servers and the vm runtime's children
    expect(stderr).toContain("code-mode serve: MCP over stdio");
    expect(stderr).toContain("noisy-tools: loaded");
    expect(stderr).toContain("noisy-tools: shouting done");
    expect(protocolErrors).toEqual([]);
    await client.close();
    expect(await waitFor(() => !alive(pid) && below.every((p) => !alive(p)), 8000)).toBe(true);
  });
});

describe("serve over Streamable HTTP", () => {
  let serve: ChildProcess;
  let url: string;

  async function startServe(address: string): Promise<void> {
    ({ child: serve, url } = await startHttpServe(address, ["--config", config]));
  }

  beforeAll(() => startServe("127.0.0.1:0"));

  afterAll(async () => {
    if (serve.exitCode === null) serve.kill("SIGKILL");
  });

  it("answers the SDK client", async () => {
    const client = new Client({ name: "test", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(url)));
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(["execute_code"]);
    expect(tools[0]!.description).toContain("read_text_file");
    const result = (await client.callTool({
      name: "execute_code",
      arguments: {
        code: `return (await api.files.list_directory({ path: ${JSON.stringify(workspace.files)} })).content;`,
      },
    })) as CallResult;
    expect(result.structuredContent.ok).toBe(true);
    expect(result.structuredContent.result).toContain("[FILE] team.md");
    await client.close();
  });

  it("is itself wrapped by another Code Mode session, which reconnects after the server comes back", async () => {
    const executor = new VmExecutor({ processes: 1 });
    const warnings: string[] = [];
    const session = await openCodeMode({
      configFile: writeConfig(workspace.dir, { mcpServers: { remote: { url } } }, "remote.json5"),
      overrides: { runtime: executor },
      onWarning: (message) => warnings.push(message),
    });
    const nested = (code: string) =>
      session.tool.execute({
        code: `return (await api.remote.execute_code({ code: ${JSON.stringify(code)} })).result;`,
      });
    try {
      expect(session.tool.declarations).toMatch(/remote: \{[\s\S]*execute_code/);
      expect((await nested("return 6 * 7")).result.result).toBe(42);

      // The remote server goes away: a clear error naming it; then it is back on the same port.
      const exited = new Promise((resolve) => serve.once("exit", resolve));
      serve.kill("SIGTERM");
      await exited;
      const down = (await nested("return 1")).result;
      expect(down.ok).toBe(false);
      expect(down.error?.message).toMatch(
        /api\.remote\.execute_code failed: MCP server "remote" \(http:\/\/127\.0\.0\.1:\d+\/mcp\) could not be reached/,
      );
      await startServe(new URL(url).host);
      expect((await nested("return 2")).result.result).toBe(2);
    } finally {
      await session.close();
      await executor.close();
    }
  });

  it("ends on SIGTERM with every process it started", async () => {
    const below = descendants(serve.pid!);
    expect(below.length).toBeGreaterThanOrEqual(4);
    const exited = new Promise<number | null>((resolve) => serve.once("exit", (code) => resolve(code)));
    serve.kill("SIGTERM");
    expect(await exited).toBe(143);
    expect(await waitFor(() => below.every((p) => !alive(p)), 8000)).toBe(true);
  });
});

describe("serve driven by the MCP Inspector CLI", () => {
  const inspect = (...args: string[]) =>
    run(process.execPath, [INSPECTOR, "--cli", ...args, "--", process.execPath, CLI, "serve", "--config", light], {
      timeout: 30_000,
    });

  it("tools/list shows execute_code with the declarations", async () => {
    const { stdout } = await inspect("--method", "tools/list");
    const { tools } = JSON.parse(stdout);
    expect(tools).toHaveLength(1);
    expect(tools[0].name).toBe("execute_code");
    expect(tools[0].description).toMatch(/fx: \{[\s\S]*echo\(input: \{ text: string \}\)/);
  });

  it("tools/call runs a program", async () => {
    const { stdout } = await inspect(
      "--method",
      "tools/call",
      "--tool-name",
      "execute_code",
      "--tool-arg",
      `code=const words = await Promise.all(["a", "b"].map((text) => api.fx.echo({ text }))); return words.join("+");`,
    );
    const result = JSON.parse(stdout);
    expect(result.isError).toBe(false);
    expect(result.structuredContent).toMatchObject({ ok: true, result: "a+b" });
    expect(result.structuredContent.toolCalls).toHaveLength(2);
  });
});
