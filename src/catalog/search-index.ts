import { createRequire } from "node:module";
import type MiniSearch from "minisearch";
import type { ApiEntry } from "../typegen/names.ts";
import { summarize } from "./summary.ts";

// Ranking: BM25+ over fields (MiniSearch, a small, dependency-free and maintained full-text index),
// with terms split from snake_case and camelCase and reduced to their Porter stems (stemmer), so
// that "creating pull requests" meets `create_pull_request`. The tool's name weighs most; words
// of its parameters least, since every tool has many.
const BOOST = { name: 4, summary: 2, description: 1, params: 0.5 };

// Text of other people's schemas is capped, so one huge description cannot slow every search.
const MAX_FIELD_CHARS = 4000;
const MAX_PARAMS = 60;

// Words that say nothing about what a tool does.
const STOP_WORDS =
  "a an and are as at be by for from in into is it its of on or that the this to with you your use used using can will when which what how do does my i want need all any";

const require = createRequire(import.meta.url);

interface SearchLibraries {
  MiniSearch: typeof MiniSearch;
  stem: (word: string) => string;
  /** STOP_WORDS, stemmed like the terms they are compared with. */
  stopStems: Set<string>;
}
let libraries: SearchLibraries | undefined;

// Loaded on the first search (some 20 ms): most programs never search.
function searchLibraries(): SearchLibraries {
  if (!libraries) {
    const { stemmer } = require("stemmer") as typeof import("stemmer");
    libraries = {
      MiniSearch: require("minisearch") as typeof MiniSearch,
      stem: stemmer,
      stopStems: new Set(STOP_WORDS.split(" ").map((word) => stemmer(word))),
    };
  }
  return libraries;
}

// Query expansion: short forms people write for words tool descriptions spell out, and the verbs
// people use for the few that tool names use (create, get, update, delete). Keys and values are
// stems; a query word keeps its own stem beside its expansions.
const EXPANSIONS: Record<string, string[]> = {
  pr: ["pull", "request"],
  repo: ["repositori"],
  dm: ["direct", "messag"],
  msg: ["messag"],
  db: ["databas"],
  dir: ["directori"],
  env: ["environ"],
  open: ["creat"],
  make: ["creat"],
  new: ["creat"],
  post: ["creat"],
  write: ["creat", "updat"],
  leav: ["creat"],
  renam: ["updat", "titl"],
  edit: ["updat"],
  chang: ["updat"],
  modifi: ["updat"],
  remov: ["delet"],
  eras: ["delet"],
  show: ["get", "list"],
  read: ["get"],
  fetch: ["get"],
  view: ["get"],
  see: ["get"],
  find: ["search"],
  look: ["search", "get"],
  newest: ["latest"],
  recent: ["latest"],
  download: ["fetch", "get"],
  visit: ["navig"],
  go: ["navig"],
  login: ["authent"],
  log: ["authent"],
};

// A tool whose every name word the query names is likely the one meant: its score grows by up to
// this share (create_pull_request over create_pull_request_review for "create a pull request").
const NAME_COVERAGE_BONUS = 0.5;
const MAX_QUERY_WORDS = 24;
// Results re-scored by name coverage; the rest keep their BM25 order.
const RESCORED = 50;

interface SearchDocument {
  id: number;
  name: string;
  summary: string;
  description: string;
  params: string;
}

/** A full-text index of tools: names, summaries, descriptions and parameters. */
export class ToolSearchIndex {
  readonly #entries: readonly ApiEntry[];
  readonly #index: MiniSearch<SearchDocument>;
  /** Per entry, the stems of its name, and of its whole call path. */
  readonly #nameStems: { leaf: Set<string>; path: Set<string> }[];

  constructor(entries: readonly ApiEntry[]) {
    this.#entries = entries;
    this.#index = new (searchLibraries().MiniSearch)<SearchDocument>({
      fields: ["name", "summary", "description", "params"],
      tokenize: words,
      processTerm: indexTerm,
      searchOptions: {
        boost: BOOST,
        processTerm: queryTerm,
        // Stems shorter than the indexed word still meet it ("configur" -> "configuration");
        // a typo of one letter in longer words is forgiven.
        prefix: (term) => term.length >= 4,
        fuzzy: (term) => (term.length >= 6 ? 1 : false),
        combineWith: "OR",
      },
    });
    this.#index.addAll(entries.map((entry, id) => toDocument(entry, id)));
    const stems = (names: string[]) => new Set(names.flatMap(words).flatMap((word) => indexTerm(word) ?? []));
    this.#nameStems = entries.map((entry) => ({ leaf: stems([entry.path.at(-1)!]), path: stems(entry.path) }));
  }

  /** Whether `query` has any word that can be searched for. */
  hasTerms(query: string): boolean {
    return words(query).some((word) => queryTerm(word) !== null);
  }

  /** The best `limit` entries for `query`, best first. */
  search(query: string, limit: number): ApiEntry[] {
    // Each word once, and not too many: a query's cost grows with its words, and a program may
    // search as often as its call limit allows.
    const distinct = [...new Set(words(query).map((word) => word.toLowerCase()))].slice(0, MAX_QUERY_WORDS);
    const asked = new Set(distinct.flatMap((word) => queryTerm(word) ?? []));
    const hits = this.#index.search(distinct.join(" "));
    const rescored = hits.slice(0, RESCORED).map((hit) => {
      // The name alone, and the whole path: "github create pull request" prefers the path it names.
      const { leaf, path } = this.#nameStems[hit.id as number]!;
      const coverage = (share(leaf, asked) + share(path, asked)) / 2;
      return { id: hit.id as number, score: hit.score * (1 + NAME_COVERAGE_BONUS * coverage) };
    });
    rescored.sort((a, b) => b.score - a.score);
    return rescored
      .concat(hits.slice(RESCORED).map((hit) => ({ id: hit.id as number, score: hit.score })))
      .slice(0, limit)
      .map((hit) => this.#entries[hit.id]!);
  }
}

/** The share of `stems` that `asked` holds. */
function share(stems: Set<string>, asked: Set<string>): number {
  if (stems.size === 0) return 0;
  let named = 0;
  for (const stem of stems) if (asked.has(stem)) named++;
  return named / stems.size;
}

function toDocument(entry: ApiEntry, id: number): SearchDocument {
  const description = typeof entry.tool.description === "string" ? entry.tool.description : "";
  return {
    id,
    // Each word once: the laid-out path and the registered names ("brave_search", "brave-search")
    // often share them, and a repeated word would outweigh the rest.
    name: [...new Set([...entry.path, entry.tool.name, entry.tool.namespace ?? ""].flatMap(words))].join(" "),
    summary: summarize(description),
    description: description.slice(0, MAX_FIELD_CHARS),
    params: paramText(entry.tool.inputSchema).slice(0, MAX_FIELD_CHARS),
  };
}

/** Parameter names, their descriptions and their enum values, one level deep. */
function paramText(schema: unknown): string {
  const parts: string[] = [];
  try {
    const properties = (schema as { properties?: unknown } | null)?.properties;
    if (typeof properties !== "object" || properties === null) return "";
    for (const [name, property] of Object.entries(properties).slice(0, MAX_PARAMS)) {
      parts.push(name);
      if (typeof property !== "object" || property === null) continue;
      const { description, enum: values } = property as { description?: unknown; enum?: unknown };
      if (typeof description === "string") parts.push(description.slice(0, 300));
      if (Array.isArray(values)) parts.push(...values.slice(0, 30).filter((v): v is string => typeof v === "string"));
    }
  } catch {
    // A hostile schema (a throwing getter) costs its tool the parameter words, nothing more.
  }
  return parts.join(" ");
}

/** Words of a text: split at anything but letters and digits, and inside camelCase. */
function words(text: string): string[] {
  return text
    .replace(/(\p{Ll}|\p{N})(\p{Lu})/gu, "$1 $2")
    .replace(/(\p{Lu}+)(\p{Lu}\p{Ll}{2,})/gu, "$1 $2")
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word !== "");
}

function indexTerm(word: string): string | null {
  const { stem, stopStems } = searchLibraries();
  const term = stem(word.toLowerCase());
  return stopStems.has(term) ? null : term;
}

function queryTerm(word: string): string | string[] | null {
  const { stem, stopStems } = searchLibraries();
  const term = stem(word.toLowerCase());
  const expanded = EXPANSIONS[term];
  if (expanded) return [term, ...expanded];
  return stopStems.has(term) ? null : term;
}
