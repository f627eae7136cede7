// The one table of settings: every option's default, range, unit, documentation and CLI flag.
// The config schema (src/config/schema.ts), the CLI flags (src/cli/flags.ts) and resolveOptions
// (src/execute-code/options.ts) are derived from it; runtimes read their defaults here. It imports
// nothing, so every layer may use it. Adding a setting = adding a row here and its field below.

/** The runtimes a user can name; "auto" is vm with docker as a fallback. */
export const RUNTIMES = ["vm", "docker", "auto"] as const;
export type RuntimeChoice = (typeof RUNTIMES)[number];

/** "error": misuse blocks the run, the rest warns; "warn": everything warns; "off": no check. */
export const TYPECHECK_MODES = ["error", "warn", "off"] as const;
export type TypecheckMode = (typeof TYPECHECK_MODES)[number];

interface SettingBase {
  /** One line for the docs and the JSDoc. */
  doc: string;
  /** The CLI flag (without `--`) of commands that offer this setting, if any. */
  flag?: string;
}

/** One of a fixed list of words. */
export interface ChoiceSetting extends SettingBase {
  kind: "choice";
  choices: readonly string[];
  default: string;
}

/** A number within [min, max], e.g. seconds or MB; fractions allowed. */
export interface NumberSetting extends SettingBase {
  kind: "number";
  unit: string;
  min: number;
  max: number;
  default: number;
}

/** A whole number of at least `min` (and at most `max`, when given). */
export interface IntegerSetting extends SettingBase {
  kind: "integer";
  min: number;
  max?: number;
  default: number;
}

/** A non-empty string. */
export interface TextSetting extends SettingBase {
  kind: "text";
  default: string;
}

/** A list of tool patterns: tool paths with `*` for any characters (`files.write_file`, `github.*`). */
export interface PatternsSetting extends SettingBase {
  kind: "patterns";
  default: readonly string[];
}

export type Setting = ChoiceSetting | NumberSetting | IntegerSetting | TextSetting | PatternsSetting;

// Tool keys and api paths (MCP tool names add - : /), dots between segments, * for any characters.
const TOOL_PATTERN = /^[A-Za-z0-9_$\-:/*]+(?:\.[A-Za-z0-9_$\-:/*]+)*$/;

/** Why a tool pattern cannot be used, saying how to write one; undefined when it can. */
export function toolPatternProblem(pattern: unknown): string | undefined {
  if (typeof pattern === "string" && TOOL_PATTERN.test(pattern)) return undefined;
  return `${JSON.stringify(pattern)} is not a tool pattern: write a tool's path as programs call it ("files.write_file"), or use * for any characters ("github.*", "*.delete_*", "*")`;
}

/**
 * Every setting, by its path in `codeMode` (a dot nests it: `docker.image` is
 * `codeMode.docker.image` in the config and `options.docker.image` in code).
 */
export const SETTINGS = {
  runtime: {
    kind: "choice",
    choices: RUNTIMES,
    default: "auto",
    flag: "runtime",
    doc: 'Where programs run: "vm" (isolates), "docker" (containers) or "auto" (vm, docker if vm itself fails).',
  },
  timeout: {
    kind: "number",
    unit: "seconds",
    min: 0.01,
    max: 3600,
    default: 30,
    flag: "timeout",
    doc: "Wall-clock limit of a whole execution.",
  },
  memoryLimit: {
    kind: "number",
    unit: "MB",
    min: 8,
    max: 65536,
    default: 128,
    flag: "memory-limit",
    doc: "Heap limit of the sandbox.",
  },
  maxToolCalls: { kind: "integer", min: 1, default: 1000, doc: "Tool calls per execution; the next fails as `limit`." },
  maxConcurrentCalls: {
    kind: "integer",
    min: 1,
    default: 16,
    doc: "Tool calls in flight at once; more wait their turn.",
  },
  toolCallTimeout: {
    kind: "number",
    unit: "seconds",
    min: 0.01,
    max: 3600,
    default: 120,
    doc: "Limit of one tool call (its signal aborts); defaults to the execution timeout when that is shorter.",
  },
  maxLogChars: { kind: "integer", min: 100, default: 20_000, doc: "Console characters kept per execution." },
  maxResultChars: { kind: "integer", min: 100, default: 100_000, doc: "Characters of the result's JSON; more is cut." },
  maxToolInputChars: {
    kind: "integer",
    min: 100,
    default: 4_000_000,
    doc: "Characters of one tool call's input as JSON; more fails as `limit`.",
  },
  maxTextChars: { kind: "integer", min: 500, default: 20_000, doc: "Characters of the text returned to the model." },
  maxTextTokens: {
    kind: "integer",
    min: 100,
    default: 2000,
    doc: "Tokens (estimated) of the text returned to the model; result and console share it, cut by structure.",
  },
  typecheck: {
    kind: "choice",
    choices: TYPECHECK_MODES,
    default: "error",
    doc: 'Type-check programs before they run: "error" blocks certain misuse of `api` (kind `type`), "warn" only warns, "off" skips it.',
  },
  typecheckTimeout: {
    kind: "number",
    unit: "seconds",
    min: 0.01,
    max: 3600,
    default: 3,
    doc: "How long the type check may take, a cold start included, before the program runs unchecked (with a warning).",
  },
  "docker.image": {
    kind: "text",
    default: "code-mode-runner:ivm",
    doc: "Image of the docker runtime: Node 24 with isolated-vm, as `code-mode image build` makes it under this tag.",
  },
  "docker.poolSize": { kind: "integer", min: 0, max: 64, default: 2, doc: "Containers kept started ahead of need." },
  "docker.toolCallTimeout": {
    kind: "number",
    unit: "seconds",
    min: 0.01,
    max: 3600,
    default: 120,
    doc: "How long a tool call may go unanswered inside a container.",
  },
  "catalog.mode": {
    kind: "choice",
    choices: ["auto", "full", "index"],
    default: "auto",
    doc: 'What the description carries: "auto" every declaration while they fit catalog.budget, else an index and api.$search; "full" or "index" always that.',
  },
  "catalog.budget": {
    kind: "integer",
    min: 0,
    max: 1_000_000,
    default: 4000,
    doc: "Tokens the declarations may take in the description before an index replaces them.",
  },
  "catalog.indexBudget": {
    kind: "integer",
    min: 300,
    max: 1_000_000,
    default: 1750,
    doc: "Tokens of the index and its lookup guide, when the index replaces the declarations.",
  },
  "approval.require": {
    kind: "patterns",
    default: [],
    doc: 'Tool calls that wait for a person\'s approval before they run: tool paths, * for any characters ("files.write_file", "github.*").',
  },
  "approval.timeout": {
    kind: "number",
    unit: "seconds",
    min: 0.01,
    max: 86_400,
    default: 300,
    flag: "approval-timeout",
    doc: "How long a call waits for an approval; then it fails unrun. The program's own timeout stops meanwhile.",
  },
} as const satisfies Record<string, Setting>;

export type SettingName = keyof typeof SETTINGS;

/**
 * Settings of `code-mode serve --http`, the config's top-level `serve` section (they shape the
 * server, not the execute_code tool). Same rows, same checks; the flags win over the config.
 */
export const SERVE_SETTINGS = {
  maxSessions: {
    kind: "integer",
    min: 1,
    max: 100_000,
    default: 100,
    flag: "max-sessions",
    doc: "HTTP sessions open at once; at the cap a new client closes the least recently used idle one.",
  },
  sessionIdleTimeout: {
    kind: "number",
    unit: "seconds",
    min: 1,
    max: 86_400,
    default: 600,
    flag: "session-idle",
    doc: "A session with no request for this long is ended, even if its notification stream stays open.",
  },
} as const satisfies Record<string, Setting>;

/** Docker runtime settings (see the docker runtime). */
export interface DockerSettings {
  /** {@link SETTINGS} `docker.image`: default "code-mode-runner:ivm", the image `code-mode image build` makes. */
  image?: string;
  /** {@link SETTINGS} `docker.poolSize`: containers kept started ahead of need. Default 2. */
  poolSize?: number;
  /** {@link SETTINGS} `docker.toolCallTimeout`: seconds a tool call may go unanswered in a container. Default 120. */
  toolCallTimeout?: number;
}

export type CatalogMode = "auto" | "full" | "index";

/**
 * How much of the tool catalog the `execute_code` description carries. Small catalogs keep every
 * declaration (4,000 tokens hold some 40 typical tools); past that every model call would pay for
 * tools it does not use, so an index of 1,750 tokens keeps the whole description under 2,000, and
 * programs look tools up with `api.$search` and `api.$describe` (declared in every mode).
 */
export interface CatalogSettings {
  /** {@link SETTINGS} `catalog.mode`: "auto" (default), "full" or "index". */
  mode?: CatalogMode;
  /** {@link SETTINGS} `catalog.budget`: tokens the declarations may take before the index replaces them. Default 4,000. */
  budget?: number;
  /** {@link SETTINGS} `catalog.indexBudget`: tokens of the index with its lookup guide. Default 1,750. */
  indexBudget?: number;
}

/** Which tool calls wait for a person's approval, and how long at most. */
export interface ApprovalSettings {
  /** {@link SETTINGS} `approval.require`: tool patterns (`files.write_file`, `github.*`, `*`). Default none. */
  require?: string[];
  /** {@link SETTINGS} `approval.timeout`: seconds one call waits for an answer. Default 300. */
  timeout?: number;
}

/** The settings as data: what the config's `codeMode` section and the CLI flags may set. */
export interface Settings {
  /** Where programs run. Default "auto". */
  runtime?: RuntimeChoice;
  /** Seconds for a whole execution. Default 30. */
  timeout?: number;
  /** Sandbox heap limit, MB. Default 128. */
  memoryLimit?: number;
  /** Tool calls per execution. Default 1000. */
  maxToolCalls?: number;
  /** Tool calls in flight at once. Default 16. */
  maxConcurrentCalls?: number;
  /** Seconds one tool call may take. Default: 120, or the execution timeout if shorter. */
  toolCallTimeout?: number;
  /** Console characters kept per execution. Default 20,000. */
  maxLogChars?: number;
  /** Characters of the result's JSON. Default 100,000. */
  maxResultChars?: number;
  /** Characters of one tool call's input as JSON. Default 4,000,000. */
  maxToolInputChars?: number;
  /** Characters of the text returned to the model, a hard cap. Default 20,000. */
  maxTextChars?: number;
  /**
   * Tokens (estimated) of the text returned to the model: the result and console output share it,
   * and what does not fit is cut by structure, saying what was left out. Default 2,000.
   */
  maxTextTokens?: number;
  /**
   * Type-checks each program against every tool's declarations before it runs. "error": misuse
   * of `api`, unknown names and certain failures block the run (kind `type`), the rest comes back
   * as `warnings`; "warn": nothing blocks; "off": no check. Default "error".
   */
  typecheck?: TypecheckMode;
  /** Seconds the check may take (a cold start included) before the program runs unchecked. Default 3. */
  typecheckTimeout?: number;
  docker?: DockerSettings;
  /** How much of the tool catalog the description carries; see {@link CatalogSettings}. */
  catalog?: CatalogSettings;
  /** Which calls wait for a person's approval; see {@link ApprovalSettings}. */
  approval?: ApprovalSettings;
}

// The table and the Settings type name the same fields, in both directions (a compile error otherwise).
type Paths<T> = {
  [K in keyof T & string]-?: NonNullable<T[K]> extends object ? `${K}.${keyof NonNullable<T[K]> & string}` : K;
}[keyof T & string];
const sameFields: [Paths<Settings>, SettingName] extends [SettingName, Paths<Settings>] ? true : never = true;
void sameFields;

/** Every setting filled: what resolveSettings returns. */
export type ResolvedSettings = Required<Omit<Settings, "docker" | "catalog" | "approval">> & {
  docker: Required<DockerSettings>;
  catalog: Required<CatalogSettings>;
  approval: Required<ApprovalSettings>;
};

type DefaultsOf = {
  -readonly [K in SettingName as K extends `${string}.${string}` ? never : K]: (typeof SETTINGS)[K]["default"];
};

/** The defaults, shaped like Settings (`DEFAULTS.docker.image`). */
export const DEFAULTS = nest(
  Object.fromEntries(Object.entries(SETTINGS).map(([name, s]) => [name, s.default])),
) as DefaultsOf & {
  docker: { [F in keyof DockerSettings]-?: (typeof SETTINGS)[`docker.${F}`]["default"] };
  catalog: { [F in keyof CatalogSettings]-?: (typeof SETTINGS)[`catalog.${F}`]["default"] };
  approval: { [F in keyof ApprovalSettings]-?: (typeof SETTINGS)[`approval.${F}`]["default"] };
};

/** What a setting accepts, in words: `a number of seconds from 0.01 to 3600`. */
export function expectation(setting: Setting): string {
  switch (setting.kind) {
    case "choice":
      return listed(setting.choices.map((c) => JSON.stringify(c)));
    case "number":
      return `a number of ${setting.unit} from ${setting.min} to ${setting.max}`;
    case "integer":
      return setting.max === undefined
        ? `a whole number of at least ${setting.min}`
        : `a whole number from ${setting.min} to ${setting.max}`;
    case "text":
      return "a non-empty string";
    case "patterns":
      return 'a list of tool patterns such as "files.write_file" or "github.*"';
  }
}

/** Whether a value fits a setting (its kind and range). */
export function accepts(setting: Setting, value: unknown): boolean {
  switch (setting.kind) {
    case "choice":
      return typeof value === "string" && setting.choices.includes(value);
    case "text":
      return typeof value === "string" && value.length > 0;
    case "patterns":
      return Array.isArray(value) && patternsProblem(value) === undefined;
    case "number":
    case "integer": {
      if (typeof value !== "number" || !Number.isFinite(value)) return false;
      if (setting.kind === "integer" && !Number.isInteger(value)) return false;
      return value >= setting.min && value <= (setting.max ?? Number.POSITIVE_INFINITY);
    }
  }
}

/** `timeout is 0; expected a number of seconds from 0.01 to 3600.`: the one wording of a refused setting. */
export function refusal(name: string, shown: string, setting: Setting): string {
  return `${name} is ${shown}; expected ${expectation(setting)}.`;
}

/** What is wrong with a list of tool patterns, naming the first bad one; undefined when none is. */
export function patternsProblem(value: unknown): string | undefined {
  if (!Array.isArray(value)) return undefined;
  for (const pattern of value) {
    const problem = toolPatternProblem(pattern);
    if (problem) return problem;
  }
  return undefined;
}

/**
 * Fills every default and checks every value; the first wrong one is returned as a problem
 * (its name, value and what was expected) for the caller to throw as its own kind of error.
 */
export function resolveSettings(settings: Settings): { settings: ResolvedSettings } | { problem: string } {
  const flat: Record<string, unknown> = {};
  for (const [name, setting] of Object.entries(SETTINGS) as [SettingName, Setting][]) {
    const value = valueAt(settings, name) ?? defaultOf(name, flat);
    if (!accepts(setting, value)) {
      const detail = setting.kind === "patterns" ? patternsProblem(value) : undefined;
      return { problem: `${refusal(name, JSON.stringify(value), setting)}${detail ? ` ${detail}.` : ""}` };
    }
    flat[name] = value;
  }
  return { settings: nest(flat) as ResolvedSettings };
}

// A default that depends on another setting; the table lists the plain one.
function defaultOf(name: SettingName, resolved: Record<string, unknown>): unknown {
  if (name === "toolCallTimeout") return Math.min(SETTINGS.toolCallTimeout.default, resolved.timeout as number);
  return SETTINGS[name].default;
}

/** The value of a CLI flag's text for a setting, or the problem (naming the flag) to report. */
export function parseFlagValue(name: SettingName, text: string): { value: string | number } | { problem: string } {
  return parseSettingFlag(SETTINGS[name], name, text);
}

/** As `parseFlagValue`, for a setting of any table (`name` stands in when it has no flag). */
export function parseSettingFlag(
  setting: Setting,
  name: string,
  text: string,
): { value: string | number } | { problem: string } {
  const flag = `--${setting.flag ?? name}`;
  if (setting.kind === "patterns") return { problem: `${flag} is not a flag; set ${name} in the config.` };
  const numeric = setting.kind === "number" || setting.kind === "integer";
  const value = numeric && text.trim() !== "" ? Number(text) : text;
  if (accepts(setting, value)) return { value };
  const shown = numeric && Number.isFinite(value) ? text : JSON.stringify(text);
  return { problem: refusal(flag, shown, setting) };
}

/** How a flag reads in the usage text: `--runtime vm|docker|auto`, `--timeout SECONDS`. */
export function flagUsage(name: SettingName): string {
  const setting: Setting = SETTINGS[name];
  const flag = `--${setting.flag ?? name}`;
  if (setting.kind === "choice") return `${flag} ${setting.choices.join("|")}`;
  if (setting.kind === "number") return `${flag} ${setting.unit.toUpperCase()}`;
  if (setting.kind === "patterns") return `${flag} PATTERN`;
  return `${flag} ${setting.kind === "integer" ? "N" : "TEXT"}`;
}

function valueAt(settings: Settings, name: string): unknown {
  let value: unknown = settings;
  for (const key of name.split(".")) {
    if (typeof value !== "object" || value === null) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function nest(flat: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(flat)) {
    const [group, field] = name.split(".");
    if (field === undefined) out[name] = value;
    else out[group!] = { ...(out[group!] as object | undefined), [field]: value };
  }
  return out;
}

function listed(words: string[]): string {
  return words.length < 2 ? (words[0] ?? "") : `${words.slice(0, -1).join(", ")} or ${words.at(-1)}`;
}
