import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { createCodeModeTool } from "../src/execute-code/code-mode-tool.ts";
import { connectMcpServers } from "../src/mcp/client.ts";
import type { McpServerConfig } from "../src/mcp/server-config.ts";
import { VmExecutor } from "../src/runtimes/vm/vm-executor.ts";
import { ToolRegistry } from "../src/tools/registry.ts";
import { round, sample } from "./stats.ts";

/** The official reference servers, as installed (dev dependencies), in a throw-away folder. */
export function referenceServers(): { servers: Record<string, McpServerConfig>; cleanup(): void } {
  const require = createRequire(import.meta.url);
  const script = (pkg: string) => {
    const manifest = require.resolve(`${pkg}/package.json`);
    const { bin } = JSON.parse(readFileSync(manifest, "utf8")) as { bin: Record<string, string> };
    return join(dirname(manifest), Object.values(bin)[0]!);
  };
  const dir = mkdtempSync(join(tmpdir(), "code-mode-bench-"));
  writeFileSync(join(dir, "hello.txt"), "hello\n");
  return {
    servers: {
      files: { command: "node", args: [script("@modelcontextprotocol/server-filesystem"), dir] },
      memory: {
        command: "node",
        args: [script("@modelcontextprotocol/server-memory")],
        env: { MEMORY_FILE_PATH: join(dir, "memory.jsonl") },
      },
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export type McpFigures = {
  /** One `tools/call` straight from the SDK client to the server, p50. */
  directP50Ms: number;
  directP95Ms: number;
  /** One whole execution of a program making that same call (transpile, isolate, bridge, MCP), p50. */
  viaCodeModeP50Ms: number;
  viaCodeModeP95Ms: number;
  /** Per call, inside one program making 200 sequential calls, against 200 direct calls. */
  inProgramCallMs: number;
  directLoopCallMs: number;
};

const LOOP = 200;

/**
 * Overhead of an MCP tool call made from a program, against the same call made directly with the
 * SDK client. The call is the filesystem server's `list_allowed_directories`: no disk work, so the
 * figures are protocol and sandbox costs alone.
 */
export async function benchMcp(runs = 200): Promise<McpFigures> {
  const { servers, cleanup } = referenceServers();
  const files = servers.files as { command: string; args: string[] };
  const client = new Client({ name: "code-mode-bench", version: "0" });
  const registry = new ToolRegistry();
  const executor = new VmExecutor();
  let mcp: Awaited<ReturnType<typeof connectMcpServers>> | undefined;
  try {
    await client.connect(new StdioClientTransport({ command: process.execPath, args: files.args, stderr: "ignore" }));
    mcp = await connectMcpServers({ files }, registry);
    await executor.ready();
    const tool = createCodeModeTool(registry, { runtime: executor, maxToolCalls: LOOP + 10 });

    const direct = () => client.callTool({ name: "list_allowed_directories", arguments: {} });
    const program = (code: string) => async () => {
      const { result } = await tool.execute({ code });
      if (!result.ok) throw new Error(`bench program failed: ${result.error?.message}`);
    };
    const directRun = await sample(direct, runs, 20);
    const viaRun = await sample(program("return await api.files.list_allowed_directories({});"), runs, 20);

    const loop = `for (let i = 0; i < ${LOOP}; i++) await api.files.list_allowed_directories({});`;
    const inProgram = await sample(program(loop), 10, 2);
    const directLoop = await sample(
      async () => {
        for (let i = 0; i < LOOP; i++) await direct();
      },
      10,
      2,
    );
    return {
      directP50Ms: directRun.p50,
      directP95Ms: directRun.p95,
      viaCodeModeP50Ms: viaRun.p50,
      viaCodeModeP95Ms: viaRun.p95,
      inProgramCallMs: round(inProgram.p50 / LOOP),
      directLoopCallMs: round(directLoop.p50 / LOOP),
    };
  } finally {
    await client.close().catch(() => {});
    await mcp?.close();
    await executor.close();
    cleanup();
  }
}
