// MCP servers wrapped as `api.<server>` namespaces: real reference servers, and fixtures for faults.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CodeModeSession, openCodeMode, VmExecutor } from "../../src/index.ts";
import { alive, fixtureServer, makeWorkspace, referenceServers, waitFor, writeConfig } from "./helpers.ts";

const executor = new VmExecutor({ processes: 1 });
const workspace = makeWorkspace();
const sessions: CodeModeSession[] = [];
const pids: number[] = [];

async function open(config: unknown, options: { toolCallTimeout?: number } = {}) {
  const warnings: string[] = [];
  const session = await openCodeMode({
    configFile: writeConfig(workspace.dir, config, `config-${sessions.length}.json5`),
    overrides: { runtime: executor, ...options },
    onWarning: (message) => warnings.push(message),
  });
  sessions.push(session);
  for (const connection of session.mcp.connections.values()) if (connection.pid) pids.push(connection.pid);
  return { session, warnings };
}

async function run(session: CodeModeSession, code: string) {
  return (await session.tool.execute({ code })).result;
}

afterAll(async () => {
  for (const session of sessions) await session.close();
  await executor.close();
  workspace.cleanup();
  // Every server process started by these tests is gone.
  for (const session of sessions) for (const c of session.mcp.connections.values()) expect(c.pid).toBeNull();
  expect(pids.filter(alive)).toEqual([]);
});

describe("the real filesystem and memory servers", () => {
  let session: CodeModeSession;
  beforeAll(async () => {
    ({ session } = await open({ mcpServers: referenceServers(workspace.files, workspace.memoryFile) }));
  });

  it("declares each server as a namespace, typed from its schemas", () => {
    const declarations = session.tool.declarations;
    expect(declarations).toMatch(/files: \{/);
    expect(declarations).toMatch(/memory: \{/);
    // read_text_file's input is the same as read_file's, so both name one shared declaration.
    const input = /read_text_file\(input: (\w+)\): Promise<\{ content: string \}>/.exec(declarations)?.[1];
    expect(input).toBeDefined();
    expect(declarations).toMatch(new RegExp(`interface ${input} \\{[^}]*head\\?: number;`));
    expect(session.registry.has("memory.create_entities")).toBe(true);
  });

  it("lists, reads, writes, builds a knowledge graph and queries it in one program", async () => {
    const result = await run(
      session,
      `
      const [dir] = (await api.files.list_allowed_directories({})).content.split("\\n").slice(1);
      const listing = (await api.files.list_directory({ path: dir })).content;
      const [team, links] = await Promise.all([
        api.files.read_text_file({ path: dir + "/team.md" }),
        api.files.read_text_file({ path: dir + "/links.json" }),
      ]);
      const people = [...team.content.matchAll(/^- (\\w+): (.+)$/gm)].map(([, name, role]) => ({
        name, entityType: "person", observations: [role],
      }));
      await api.memory.create_entities({ entities: people });
      await api.memory.create_relations({ relations: JSON.parse(links.content) });
      await api.memory.add_observations({ observations: [{ entityName: "Linus", contents: ["reviews Ada's pipeline"] }] });
      const found = await api.memory.search_nodes({ query: "compiler" });
      const graph = await api.memory.read_graph({});
      const summary = graph.entities.map((e) => e.name + ": " + e.observations.join("; ")).join("\\n");
      await api.files.write_file({ path: dir + "/summary.md", content: summary + "\\n" });
      return { listing, found: found.entities.map((e) => e.name), relations: graph.relations };
      `,
    );
    expect(result.error).toBeUndefined();
    expect(result.ok).toBe(true);
    const value = result.result as { listing: string; found: string[]; relations: unknown[] };
    expect(value.listing).toContain("[FILE] team.md");
    expect(value.listing).toContain("[FILE] links.json");
    expect(value.found).toEqual(["Grace"]);
    expect(value.relations).toEqual([{ from: "Ada", to: "Grace", relationType: "works_with" }]);
    expect(result.toolCalls.map((c) => c.tool)).toContain("memory.create_entities");
    expect(result.toolCalls.every((c) => c.ok)).toBe(true);

    // The file the program wrote, and the graph the memory server stored.
    expect(readFileSync(join(workspace.files, "summary.md"), "utf8")).toBe(
      "Ada: analytics lead\nGrace: compiler engineer\nLinus: kernel maintainer; reviews Ada's pipeline\n",
    );
    const stored = readFileSync(workspace.memoryFile, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(stored.filter((r) => r.type === "entity").map((r) => r.name)).toEqual(["Ada", "Grace", "Linus"]);
    expect(stored.filter((r) => r.type === "relation")).toEqual([
      { type: "relation", from: "Ada", to: "Grace", relationType: "works_with" },
    ]);
  });

  it("turns a server's error result into a catchable tool error with the server's message", async () => {
    const result = await run(session, `return await api.files.read_text_file({ path: "/etc/passwd" });`);
    expect(result.ok).toBe(false);
    expect(result.error?.kind).toBe("tool");
    expect(result.error?.message).toMatch(
      /api\.files\.read_text_file failed: .*Access denied.*outside allowed directories/,
    );
    expect(existsSync(join(workspace.files, "passwd"))).toBe(false);
  });
});

describe("fixture servers: results, changes and faults", () => {
  let session: CodeModeSession;
  let warnings: string[];
  beforeAll(async () => {
    ({ session, warnings } = await open({
      mcpServers: {
        fx: fixtureServer(),
        ghost: { command: "/nonexistent/mcp-server-ghost", args: ["--stdio"] },
        broken: fixtureServer("fail-at-start"),
      },
    }));
  });

  it("reports servers that cannot start, naming them, and keeps the others", async () => {
    const ghost = warnings.find((w) => w.includes('"ghost"'));
    expect(ghost).toMatch(/MCP server "ghost" \(\/nonexistent\/mcp-server-ghost --stdio\) failed to start: .*ENOENT/);
    const broken = warnings.find((w) => w.includes('"broken"'));
    expect(broken).toMatch(/MCP server "broken" .* failed to start/);
    expect(broken).toContain("cannot open the database /nonexistent/fixture.db");
    expect(session.mcp.connections.get("ghost")?.state).toBe("down");
    expect(session.registry.list().some((t) => t.namespace === "ghost" || t.namespace === "broken")).toBe(false);
    expect((await run(session, `return await api.fx.echo({ text: "still here" });`)).result).toBe("still here");
  });

  it("follows pagination and converts every kind of result", async () => {
    expect(session.registry.has("fx.pid")).toBe(true); // on the third page
    const result = await run(
      session,
      `
      let error;
      try { await api.fx.fail({}); } catch (e) { error = e.message; }
      return {
        structured: await api.fx.structured({}),
        json: await api.fx.json_text({}),
        parts: await api.fx.two_parts({}),
        error,
      };
      `,
    );
    expect(result.result).toEqual({
      structured: { n: 1 },
      json: { items: [1, 2, 3] },
      parts: ["first", [2]],
      error: "api.fx.fail failed: the widget is broken",
    });
  });

  it("re-registers tools on tools/list_changed, and the declarations follow", async () => {
    expect(session.tool.declarations).not.toContain("extra_one");
    const added = await run(session, `return await api.fx.add_tool({ name: "extra_one" });`);
    expect(added.result).toBe("added");
    expect(await waitFor(() => session.registry.has("fx.extra_one"))).toBe(true);
    expect(session.tool.declarations).toContain("extra_one");
    expect((await run(session, `return await api.fx.extra_one({});`)).result).toBe("extra!");
  });

  it("a call that hangs past the per-call timeout fails; the server keeps serving", async () => {
    const { session: strict } = await open({ mcpServers: { fx: fixtureServer() } }, { toolCallTimeout: 1 });
    const result = await run(
      strict,
      `
      const started = Date.now();
      let error;
      try { await api.fx.hang({}); } catch (e) { error = e.message; }
      return { error, waited: Date.now() - started, after: await api.fx.echo({ text: "alive" }) };
      `,
    );
    expect(result.error).toBeUndefined();
    const value = result.result as { error: string; waited: number; after: string };
    expect(value.error).toMatch(/api\.fx\.hang failed: no answer within 1 s/);
    expect(value.waited).toBeLessThan(3000);
    expect(value.after).toBe("alive");
  });

  it("a server that crashes mid-call gives a clear error and is restarted on next use", async () => {
    const before = Number((await run(session, `return await api.fx.pid({});`)).result);
    expect(alive(before)).toBe(true);
    const result = await run(
      session,
      `
      let error;
      try { await api.fx.crash({}); } catch (e) { error = e.message; }
      return { error, pid: await api.fx.pid({}) };
      `,
    );
    expect(result.error).toBeUndefined();
    const value = result.result as { error: string; pid: number };
    expect(value.error).toMatch(
      /MCP server "fx" \(node .*fixture-server\.ts normal\) stopped during the call to crash/,
    );
    expect(value.error).toContain("segmentation fault (simulated)");
    expect(value.pid).not.toBe(before);
    pids.push(value.pid);
    expect(alive(before)).toBe(false);
    expect(session.mcp.connections.get("fx")?.state).toBe("ready");
    // The tool list came back the same: the tools added at run time are gone with the old process.
    expect(session.registry.has("fx.echo")).toBe(true);
  });
});

describe("malformed tool schemas", () => {
  it("skips unusable tools with a warning naming each, keeps the rest working", async () => {
    const { session, warnings } = await open({ mcpServers: { odd: fixtureServer("malformed") } });
    const keys = session.registry.list().map((t) => `${t.namespace}.${t.name}`);
    expect(keys).toContain("odd.echo");
    expect(keys).toContain("odd.bad_output");
    for (const name of ["bad_schema_string", "bad_schema_type", "bad_ref", "bad output"]) {
      expect(keys).not.toContain(`odd.${name}`);
      expect(warnings.some((w) => w.includes(`tool "${name}" was skipped`))).toBe(true);
    }
    expect(warnings.some((w) => w.includes("tool #"))).toBe(true); // the nameless one
    expect(warnings.find((w) => w.includes('"bad_output"'))).toMatch(/keeps working, but its outputSchema/);
    expect(session.registry.get("odd.bad_output")?.outputSchema).toBeUndefined();
    const result = await run(session, `return [await api.odd.echo({ text: "ok" }), await api.odd.json_text({})];`);
    expect(result.result).toEqual(["ok", { items: [1, 2, 3] }]);
  });
});
