import { readFileSync } from "node:fs";
import { dirname } from "node:path";
import JSON5 from "json5";
import type { z } from "zod";
import { ConfigError } from "../errors.ts";
import { configPath } from "./path.ts";
import { type CodeModeConfig, configSchema } from "./schema.ts";

/** A loaded config and the folder its relative paths are resolved against. */
export interface LoadedConfig {
  config: CodeModeConfig;
  /** The file it came from; undefined when no file was found and defaults apply. */
  file?: string;
  baseDir: string;
}

/**
 * Loads `file`, or else `code-mode.json5` / `augure.json5` from `cwd`. An `augure.json5` is read
 * the same way (its `codeMode`, `tools`, `mcpServers` and `model`; other sections are its own).
 *
 * @example
 * import { loadConfig } from "code-mode/config";
 * const { config, baseDir } = loadConfig(); // code-mode.json5 in the working directory, if any
 * console.log(config.codeMode?.runtime ?? "auto", baseDir);
 */
export function loadConfig(file?: string, cwd = process.cwd()): LoadedConfig {
  const path = configPath(file, cwd);
  if (!path) return { config: {}, baseDir: cwd };
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ConfigError(
      `Cannot read the config file ${path}: ${(error as Error).message}. Check the path given to --config.`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON5.parse(text);
  } catch (error) {
    throw new ConfigError(`${path} is not valid JSON5: ${(error as Error).message}.`);
  }
  if (path.endsWith("augure.json5") && isObject(raw)) {
    const { codeMode, tools, mcpServers, model } = raw;
    raw = Object.fromEntries(Object.entries({ codeMode, tools, mcpServers, model }).filter(([, v]) => v !== undefined));
  }
  return { config: parseConfig(raw, path), file: path, baseDir: dirname(path) };
}

/**
 * Checks a config object; every wrong field is named with its value and what was expected.
 *
 * @example
 * import { parseConfig } from "code-mode/config";
 * parseConfig({ codeMode: { timeout: 0 } });
 * // throws ConfigError: the config has a problem:
 * // - codeMode.timeout is 0: expected a number of seconds from 0.01 to 3600
 */
export function parseConfig(raw: unknown, source = "the config"): CodeModeConfig {
  const parsed = configSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `- ${describeIssue(issue, raw)}`);
  throw new ConfigError(
    `${source} has ${problems.length === 1 ? "a problem" : `${problems.length} problems`}:\n${problems.join("\n")}`,
  );
}

function describeIssue(issue: z.core.$ZodIssue, raw: unknown): string {
  const path = issue.path.map(String);
  const field = path.length > 0 ? path.join(".") : "(top level)";
  if (issue.code === "unrecognized_keys") {
    const where = path.length > 0 ? `${field}.` : "";
    return issue.keys.map((key) => `${where}${key} is not a known field; remove it or check its spelling`).join("\n- ");
  }
  if (issue.code === "invalid_union" && issue.errors.length > 0) {
    // Explain the closest branch (e.g. a stdio server missing `command`), not "Invalid input".
    const best = [...issue.errors].sort((a, b) => a.length - b.length)[0]!;
    const inner = best.map((sub) =>
      describeIssue({ ...sub, path: [...issue.path, ...sub.path] } as z.core.$ZodIssue, raw),
    );
    if (path[0] === "mcpServers") inner.push(`a server needs either "command" (stdio) or "url" (Streamable HTTP)`);
    return inner.join("; ");
  }
  const value = valueAt(raw, path);
  const shown = value === undefined ? "missing" : JSON.stringify(value);
  return `${field} is ${shown}: ${issue.message}`;
}

function valueAt(raw: unknown, path: string[]): unknown {
  let value = raw;
  for (const key of path) {
    if (!isObject(value) && !Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
