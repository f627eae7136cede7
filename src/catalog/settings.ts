import { ConfigError } from "../errors.ts";

/** How much of the tool catalog the `execute_code` description carries. */
export interface CatalogSettings {
  /**
   * `"auto"` (default): every declaration while they fit `budget`, else a compact index that fits
   * `indexBudget`; `"full"`: always every declaration; `"index"`: always the index.
   * Programs can look tools up with `api.$search` and `api.$describe` in every mode.
   */
  mode?: CatalogMode;
  /** Tokens the declarations may take in the description before the index replaces them. Default 4,000. */
  budget?: number;
  /** Tokens of the index with its lookup guide, when it replaces the declarations. Default 1,750. */
  indexBudget?: number;
}

export type CatalogMode = "auto" | "full" | "index";

export type ResolvedCatalogSettings = Required<CatalogSettings>;

// 4,000 tokens hold some 40 typical tools (the 23 of the filesystem and memory servers take about
// 2,100), so small catalogs keep their declarations; past that every model call would pay for
// tools it does not use. 1,750 keeps the whole description under 2,000 tokens at any catalog size.
export const CATALOG_DEFAULTS = { mode: "auto", budget: 4000, indexBudget: 1750 } as const;

/** Budgets below this cannot hold the lookup guide itself. */
export const MIN_INDEX_BUDGET = 300;
export const MAX_BUDGET = 1_000_000;

/** Fills the catalog defaults and checks them, as `resolveOptions` does for the other options. */
export function resolveCatalogSettings(settings: CatalogSettings | undefined): ResolvedCatalogSettings {
  if (settings !== undefined && (typeof settings !== "object" || settings === null || Array.isArray(settings))) {
    throw new ConfigError(
      `catalog is ${JSON.stringify(settings)}; expected an object such as { mode: "auto", budget: 4000, indexBudget: 1750 }.`,
    );
  }
  const mode = settings?.mode ?? CATALOG_DEFAULTS.mode;
  if (!["auto", "full", "index"].includes(mode)) {
    throw new ConfigError(`catalog.mode is ${JSON.stringify(mode)}; expected "auto", "full" or "index".`);
  }
  return {
    mode,
    budget: tokens("catalog.budget", settings?.budget ?? CATALOG_DEFAULTS.budget, 0),
    indexBudget: tokens("catalog.indexBudget", settings?.indexBudget ?? CATALOG_DEFAULTS.indexBudget, MIN_INDEX_BUDGET),
  };
}

function tokens(name: string, value: unknown, min: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > MAX_BUDGET) {
    throw new ConfigError(
      `${name} is ${JSON.stringify(value)}; expected a whole number of tokens from ${min} to ${MAX_BUDGET}.`,
    );
  }
  return value;
}
