import { closestName } from "../bridge/suggest.ts";
import { CodeModeError } from "../errors.ts";
import type { Tool } from "../tools/tool.ts";
import { generateDeclarations } from "../typegen/declarations.ts";
import type { ApiEntry } from "../typegen/names.ts";
import { ToolSearchIndex } from "./search-index.ts";
import { summarize } from "./summary.ts";

/** One `$search` match: the call path, what the tool does, and how to call it. */
export interface ToolMatch {
  /** The call path below `api`, such as `github.create_pull_request`. */
  name: string;
  summary: string;
  /** TypeScript declarations enough to call it: `declare const api: { ... }` with its types. */
  declaration: string;
}

export const SEARCH_LIMIT = { default: 5, max: 50 } as const;
const MAX_QUERY_CHARS = 500;
const MAX_DESCRIBE_NAMES = 50;
// Past this a "did you mean" is not worth its edit-distance cost.
const MAX_SUGGESTED_NAME = 200;

/**
 * The tools of one registry state, for looking them up: ranked search and declarations by name.
 * Bad input throws a `type` CodeModeError whose message says how to ask instead.
 */
export class Catalog {
  readonly #entries: readonly ApiEntry[];
  readonly #byName: Map<string, ApiEntry>;
  readonly #declarations = new Map<ApiEntry, string>();
  #index: ToolSearchIndex | undefined;

  constructor(entries: readonly ApiEntry[]) {
    this.#entries = entries;
    this.#byName = new Map(entries.map((entry) => [entry.path.join("."), entry]));
  }

  /** `api.$search(query, { limit })`: the best matches, best first; [] when nothing matches. */
  search(query: unknown, options?: unknown): ToolMatch[] {
    if (typeof query !== "string" || query.trim() === "") {
      throw lookupError(
        `api.$search needs a query: a few words for what the tool should do, such as api.$search("create pull request"); it got ${describeValue(query)}.`,
      );
    }
    if (query.length > MAX_QUERY_CHARS) {
      throw lookupError(
        `api.$search got a query of ${query.length} characters; keep it under ${MAX_QUERY_CHARS}: a few words for what the tool should do.`,
      );
    }
    const limit = searchLimit(options);
    const index = this.warm();
    if (!index.hasTerms(query)) {
      throw lookupError(
        `api.$search(${JSON.stringify(query)}) has no words to search for; name what the tool should do, such as "list issues".`,
      );
    }
    return index.search(query, limit).map((entry) => ({
      name: entry.path.join("."),
      summary: summarize(entry.tool.description),
      declaration: this.declarationOf(entry),
    }));
  }

  /** Builds the search index now (else on the first search): some 100 ms per 250 tools. */
  warm(): ToolSearchIndex {
    this.#index ??= new ToolSearchIndex(this.#entries);
    return this.#index;
  }

  /** `api.$describe(name | names)`: the declarations of those tools, in one text. */
  describe(names: unknown): string {
    const list = typeof names === "string" ? [names] : names;
    if (
      !Array.isArray(list) ||
      list.length === 0 ||
      list.length > MAX_DESCRIBE_NAMES ||
      !list.every((n) => typeof n === "string")
    ) {
      throw lookupError(
        `api.$describe needs a tool's call path or an array of 1 to ${MAX_DESCRIBE_NAMES} of them, such as api.$describe("${this.#example()}"); it got ${describeValue(names)}.`,
      );
    }
    const entries = [...new Set(list.map((name) => this.#entry(name)))];
    if (entries.length === 1) return this.declarationOf(entries[0]!);
    return generateDeclarations(entries.map(asLaidOut));
  }

  /** The standalone declaration of one tool, as `$search` and `$describe` give it. */
  declarationOf(entry: ApiEntry): string {
    let text = this.#declarations.get(entry);
    if (text === undefined) {
      text = generateDeclarations([asLaidOut(entry)]);
      this.#declarations.set(entry, text);
    }
    return text;
  }

  #entry(name: string): ApiEntry {
    const path = name.startsWith("api.") ? name.slice(4) : name;
    const entry = this.#byName.get(path);
    if (entry) return entry;
    const guess = path.length <= MAX_SUGGESTED_NAME ? closestName(path, [...this.#byName.keys()]) : undefined;
    const shown = path.length <= MAX_SUGGESTED_NAME ? path : `${path.slice(0, MAX_SUGGESTED_NAME)}…`;
    throw lookupError(
      `api.$describe: ${JSON.stringify(shown)} is not a tool.${guess ? ` Did you mean "${guess}"?` : ""} Find tools with api.$search("what it does").`,
    );
  }

  #example(): string {
    return this.#entries[0]?.path.join(".") ?? "some_tool";
  }
}

function searchLimit(options: unknown): number {
  if (options === undefined || options === null) return SEARCH_LIMIT.default;
  if (typeof options !== "object" || Array.isArray(options)) {
    throw lookupError(
      `api.$search's second argument is options such as { limit: 5 }; it got ${describeValue(options)}.`,
    );
  }
  const unknown = Object.keys(options).filter((key) => key !== "limit");
  if (unknown.length > 0) {
    throw lookupError(`api.$search has no option ${JSON.stringify(unknown[0])}; the only option is limit.`);
  }
  const { limit } = options as { limit?: unknown };
  if (limit === undefined) return SEARCH_LIMIT.default;
  if (typeof limit !== "number" || !Number.isInteger(limit) || limit < 1 || limit > SEARCH_LIMIT.max) {
    throw lookupError(
      `api.$search's limit is ${describeValue(limit)}; expected a whole number from 1 to ${SEARCH_LIMIT.max} (default ${SEARCH_LIMIT.default}).`,
    );
  }
  return limit;
}

/**
 * The tool renamed to its place in the full layout, so that a declaration of it alone shows the
 * same call path as the full declarations, whatever names the layout had to adjust.
 */
function asLaidOut(entry: ApiEntry): Tool {
  const { namespace: _, ...tool } = entry.tool;
  const name = entry.path.at(-1)!;
  return entry.path.length > 1 ? { ...tool, name, namespace: entry.path[0]! } : { ...tool, name };
}

function lookupError(message: string): CodeModeError {
  return new CodeModeError("type", message);
}

function describeValue(value: unknown): string {
  if (typeof value === "string")
    return value.length > 60 ? `a string of ${value.length} characters` : JSON.stringify(value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value === null || typeof value !== "object") return String(value);
  return "an object";
}
