import { type ParseArgsConfig, parseArgs } from "node:util";
import { parseFlagValue, SETTINGS, type Setting, type SettingName, type Settings } from "../settings.ts";

/** A wrong flag or argument: the CLI prints it with the usage and exits 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** `parseArgs` whose mistakes become UsageErrors with the flag named. */
export function parseFlags<T extends ParseArgsConfig["options"]>(argv: string[], options: T, allowPositionals = true) {
  try {
    return parseArgs({ args: argv, options: options as NonNullable<T>, allowPositionals, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** The parseArgs options of the settings a command offers as flags (the table's `flag` names). */
export function settingFlags<const N extends SettingName>(names: readonly N[]) {
  return Object.fromEntries(names.map((name) => [flagOf(name), { type: "string" as const }])) as Record<
    FlagOf<N>,
    { type: "string" }
  >;
}

/** The settings given as flags, checked against the table; a wrong one is a UsageError naming the flag. */
export function readSettingFlags(values: Record<string, unknown>, names: readonly SettingName[]): Settings {
  const out: Record<string, unknown> = {};
  for (const name of names) {
    const text = values[flagOf(name)];
    if (typeof text !== "string") continue;
    const parsed = parseFlagValue(name, text);
    if ("problem" in parsed) throw new UsageError(parsed.problem);
    const [group, field] = name.split(".");
    if (field === undefined) out[name] = parsed.value;
    else out[group!] = { ...(out[group!] as object | undefined), [field]: parsed.value };
  }
  return out as Settings;
}

type FlagOf<N extends SettingName> = (typeof SETTINGS)[N] extends { flag: infer F extends string } ? F : N;

function flagOf(name: SettingName): string {
  const setting: Setting = SETTINGS[name];
  return setting.flag ?? name;
}
