import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/index.ts";
import { resolveOptions } from "../../src/execute-code/options.ts";
import { ConfigError, DEFAULTS, SETTINGS, type Setting } from "../../src/index.ts";
import { parseFlagValue, resolveSettings, type SettingName } from "../../src/settings.ts";

const rows = Object.entries(SETTINGS) as [SettingName, Setting][];

/** `{ docker: { image: value } }` for `docker.image`. */
function nested(name: string, value: unknown): Record<string, unknown> {
  const [group, field] = name.split(".");
  return field === undefined ? { [name]: value } : { [group!]: { [field]: value } };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** A value just outside the setting's range, or of the wrong kind. */
function outside(setting: Setting): unknown {
  if (setting.kind === "number" || setting.kind === "integer") return setting.min - 1;
  if (setting.kind === "patterns") return ["files..write_file"];
  return setting.kind === "text" ? "" : "nonsense";
}

describe("the settings table", () => {
  it.each(rows)("%s: its default is what code, config and defaults agree on", (name, setting) => {
    const resolved = resolveSettings({});
    expect("settings" in resolved).toBe(true);
    const value = name.split(".").reduce<unknown>((v, k) => (v as Record<string, unknown>)[k], DEFAULTS);
    expect(value).toBe(setting.default);
    expect(() => parseConfig({ codeMode: nested(name, setting.default) })).not.toThrow();
  });

  it.each(rows)("%s: a value out of range is refused by the config and by code, naming it", (name, setting) => {
    const bad = outside(setting);
    expect(() => parseConfig({ codeMode: nested(name, bad) })).toThrow(
      new RegExp(escapeRegExp(`codeMode.${name} is ${JSON.stringify(bad)}`)),
    );
    expect(() => resolveOptions(nested(name, bad))).toThrow(ConfigError);
    expect(() => resolveOptions(nested(name, bad))).toThrow(new RegExp(`^${name.replace(".", "\\.")} is `));
  });

  it("a flag's text is checked against the same row", () => {
    expect(parseFlagValue("timeout", "2.5")).toEqual({ value: 2.5 });
    expect(parseFlagValue("runtime", "vm")).toEqual({ value: "vm" });
    expect(parseFlagValue("memoryLimit", "7")).toEqual({
      problem: "--memory-limit is 7; expected a number of MB from 8 to 65536.",
    });
    expect(parseFlagValue("runtime", "fast")).toEqual({
      problem: '--runtime is "fast"; expected "vm", "docker" or "auto".',
    });
  });

  it("the tool-call timeout follows a shorter execution timeout unless set", () => {
    expect(resolveOptions({ timeout: 5 }).limits.toolCallTimeoutMs).toBe(5000);
    expect(resolveOptions({ timeout: 5, toolCallTimeout: 2 }).limits.toolCallTimeoutMs).toBe(2000);
    expect(resolveOptions({ timeout: 600 }).limits.toolCallTimeoutMs).toBe(SETTINGS.toolCallTimeout.default * 1000);
  });
});
