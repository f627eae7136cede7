// `code-mode serve` with a catalog behind an index: execute_code and search_tools, through the SDK's client.
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, makeWorkspace, ROOT, writeConfig } from "./helpers.ts";

const workspace = makeWorkspace();
const config = writeConfig(workspace.dir, {
  codeMode: { runtime: "vm", catalog: { mode: "index" } },
  tools: [join(ROOT, "examples/tools.ts")],
});

type CallResult = { content: { type: string; text: string }[]; structuredContent?: any; isError?: boolean };

describe("serve: search_tools when the description holds an index", () => {
  let client: Client;

  beforeAll(async () => {
    client = new Client({ name: "test", version: "1.0.0" });
    await client.connect(
      new StdioClientTransport({ command: process.execPath, args: [CLI, "serve", "--config", config], stderr: "pipe" }),
    );
  });
  afterAll(async () => {
    await client.close();
    workspace.cleanup();
  });

  it("lists execute_code with the index, and search_tools", async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(["execute_code", "search_tools"]);
    expect(tools[0]!.description).toContain("top level (4 tools):\n- list_events: List calendar events");
    expect(tools[0]!.description).toContain("api.$search(");
    expect(tools[1]!.inputSchema).toMatchObject({ required: ["query"] });
  });

  it("search_tools answers the matches as text and structured content", async () => {
    const result = (await client.callTool({
      name: "search_tools",
      arguments: { query: "book a meeting in the calendar", limit: 2 },
    })) as CallResult;
    expect(result.isError).toBeFalsy();
    const matches = result.structuredContent.matches as { name: string; summary: string; declaration: string }[];
    expect(matches).toHaveLength(2);
    expect(matches[0]!.name).toBe("schedule");
    expect(matches[0]!.declaration).toContain("schedule(input: {");
    expect(result.content[0]!.text).toMatch(/^schedule: Put an event in the calendar[\s\S]*declare const api/);
  });

  it("a found tool runs in execute_code", async () => {
    const result = (await client.callTool({
      name: "execute_code",
      arguments: {
        code: `const [m] = await api.$search("search notes memory"); return [m.name, (await api[m.name]({ tag: "ada" })).length];`,
      },
    })) as CallResult;
    expect(result.structuredContent.result).toEqual(["memory_read", 2]);
  });

  it("a bad query is an isError result that says what to fix", async () => {
    const result = (await client.callTool({ name: "search_tools", arguments: { query: "", limit: 3 } })) as CallResult;
    expect(result.isError).toBe(true);
    expect(result.content[0]!.text).toMatch(/needs a query/);
    const tooMany = (await client.callTool({
      name: "search_tools",
      arguments: { query: "notes", limit: 99 },
    })) as CallResult;
    expect(tooMany.isError).toBe(true);
    expect(tooMany.content[0]!.text).toMatch(/limit is 99; expected a whole number from 1 to 50/);
  });
});
