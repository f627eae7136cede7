import { Catalog } from "../catalog/catalog.ts";
import type { Tool } from "../tools/tool.ts";
import { type ApiEntry, buildApiLayout } from "../typegen/names.ts";

/** The `api` layout of one set of tools, indexed for the bridge's per-call lookups. */
export class ApiIndex {
  readonly entries: readonly ApiEntry[];
  readonly paths: string[][];
  readonly #byPath: Map<string, ApiEntry>;
  #catalog: Catalog | undefined;

  constructor(tools: readonly Tool[]) {
    this.entries = buildApiLayout(tools);
    this.paths = this.entries.map((e) => e.path);
    this.#byPath = new Map(this.entries.map((e) => [e.path.join("."), e]));
  }

  /** The tool behind a dotted api path such as `files.read_text_file`. */
  get(path: string): ApiEntry | undefined {
    return this.#byPath.get(path);
  }

  /** The same tools for `api.$search` and `api.$describe`; built on first use. */
  get catalog(): Catalog {
    this.#catalog ??= new Catalog(this.entries);
    return this.#catalog;
  }

  /** Every dotted path, for "did you mean" suggestions. */
  dottedPaths(): string[] {
    return [...this.#byPath.keys()];
  }
}
