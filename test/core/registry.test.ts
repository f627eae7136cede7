import { describe, expect, it } from "vitest";
import { ConfigError, type Tool, ToolRegistry } from "../../src/index.ts";

const tool = (name: string, extra: Partial<Tool> = {}): Tool => ({
  name,
  description: `${name} tool`,
  inputSchema: { type: "object" },
  execute: () => null,
  ...extra,
});

describe("ToolRegistry", () => {
  it("registers, lists in order, gets and unregisters, emitting change each time", () => {
    const registry = new ToolRegistry();
    let changes = 0;
    registry.on("change", () => changes++);
    registry.register(tool("b"), tool("a"));
    registry.register(tool("read", { namespace: "files" }));
    expect(registry.list().map((t) => t.name)).toEqual(["b", "a", "read"]);
    expect(registry.get("files.read")?.name).toBe("read");
    expect(registry.unregister("a")).toBe(true);
    expect(registry.unregister("a")).toBe(false);
    expect(registry.unregisterNamespace("files")).toBe(1);
    expect(registry.list().map((t) => t.name)).toEqual(["b"]);
    expect(changes).toBe(4);
  });

  it("refuses a duplicate name, naming it", () => {
    const registry = new ToolRegistry([tool("memory_read")]);
    expect(() => registry.register(tool("memory_read"))).toThrow(/"memory_read" is already registered/);
    // The same name in another namespace is a different tool.
    expect(() => registry.register(tool("memory_read", { namespace: "other" }))).not.toThrow();
  });

  it.each([
    ["an empty name", tool(""), /invalid name ""/],
    ["a name with spaces", tool("read file"), /invalid name "read file"/],
    ["a missing description", { ...tool("x"), description: undefined } as unknown as Tool, /needs a description/],
    [
      "an array schema",
      tool("x", { inputSchema: [] as unknown as Tool["inputSchema"] }),
      /inputSchema that is a JSON Schema object/,
    ],
    ["no execute", { ...tool("x"), execute: undefined } as unknown as Tool, /needs an execute/],
    ["a bad namespace", tool("x", { namespace: "a b" }), /invalid namespace/],
  ])("refuses %s with a ConfigError", (_case, bad, message) => {
    const registry = new ToolRegistry();
    expect(() => registry.register(bad)).toThrow(ConfigError);
    expect(() => registry.register(bad)).toThrow(message);
    expect(registry.size).toBe(0);
  });

  it("accepts names that are not identifiers, such as my-tool.v2", () => {
    const registry = new ToolRegistry([tool("my-tool.v2")]);
    expect(registry.has("my-tool.v2")).toBe(true);
  });
});
