import type { CatalogSettings } from "../settings.ts";
import { estimateTokens } from "../tokens/estimate-tokens.ts";
import type { ApiEntry } from "../typegen/names.ts";
import { summarize } from "./summary.ts";

/** Which form the description's catalog has: every declaration, or an index plus lookups. */
export type CatalogForm = "full" | "index";

/** `api.$search` and `api.$describe` as declared members of `api`, in every form. */
export const LOOKUP_MEMBERS = `  /** Finds tools by what they do, best first; \`name\` is the path below api. */
  $search(query: string, options?: { limit?: number }): Promise<{ name: string; summary: string; declaration: string }[]>;
  /** Declarations of tools by name. */
  $describe(names: string | string[]): Promise<string>;
`;

/** The declarations with the lookup methods added to `api` (the last object literal in the text). */
export function withLookupMembers(declarations: string): string {
  const end = declarations.lastIndexOf("}");
  if (end === -1) return `${declarations}declare const api: {\n${LOOKUP_MEMBERS}};\n`;
  const before = declarations.slice(0, end);
  return `${before}${before.endsWith("\n") ? "" : "\n"}${LOOKUP_MEMBERS}${declarations.slice(end)}`;
}

// estimateTokens is within a few percent of real tokenizers, a little under them on lists of
// snake_case names: fitting to this share of a budget keeps the real count within it.
const ESTIMATE_MARGIN = 0.96;

/** Whether `text` fits `budget` tokens, as the model reads it. */
export function fitsBudget(text: string, budget: number): boolean {
  return estimateTokens(text) <= budget * ESTIMATE_MARGIN;
}

/**
 * The catalog part of the description: the declarations when they fit the settings' budget,
 * else the lookup guide and an index of the tools that fits `indexBudget`.
 */
export function catalogText(
  entries: readonly ApiEntry[],
  declarations: string,
  settings: Required<CatalogSettings>,
): { form: CatalogForm; text: string } {
  const full = settings.mode === "full" || (settings.mode === "auto" && fitsBudget(declarations, settings.budget));
  if (full) return { form: "full", text: declarations };
  return { form: "index", text: indexText(entries, settings.indexBudget) };
}

/** A group of the index: the tools of one namespace, or the top-level tools (`namespace` ""). */
interface Group {
  namespace: string;
  entries: ApiEntry[];
}

// Summaries as long as this at most, then shorter until the index fits.
const SUMMARY_WORDS = [16, 10, 6, 3];

/**
 * The lookup guide and as much of the tool index as fits `budget` tokens, degrading step by step:
 * names with summaries (shorter and shorter), then names only, then the first names of each
 * namespace with a count of the rest, then namespaces with counts.
 */
export function indexText(entries: readonly ApiEntry[], budget: number): string {
  const groups = groupsOf(entries);
  const head = guide(entries, groups);
  const fits = (body: string) => fitsBudget(head + body, budget);
  for (const words of SUMMARY_WORDS) {
    const body = groups.map((g) => withSummaries(g, words)).join("");
    if (fits(body)) return head + body;
  }
  // Names only, each namespace cut to its first `cap` names; the largest cap that fits.
  const largest = Math.max(...groups.map((g) => g.entries.length), 0);
  let low = 0;
  let high = largest;
  while (low < high) {
    const cap = Math.ceil((low + high) / 2);
    if (fits(groups.map((g) => namesOnly(g, cap)).join(""))) low = cap;
    else high = cap - 1;
  }
  if (low > 0 || fits(groups.map((g) => namesOnly(g, 0)).join(""))) {
    return head + groups.map((g) => namesOnly(g, low)).join("");
  }
  // Even the counts do not fit: as many namespaces as fit, then how many are left.
  let body = "";
  for (const [i, group] of groups.entries()) {
    const rest = groups.slice(i);
    const tail = `… and ${rest.length} more namespaces (${rest.reduce((n, g) => n + g.entries.length, 0)} tools)\n`;
    const line = namesOnly(group, 0);
    if (!fits(body + line + tail)) return head + body + tail;
    body += line;
  }
  return head + body;
}

function guide(entries: readonly ApiEntry[], groups: Group[]): string {
  const example = entries[0];
  const namespaces = groups.filter((g) => g.namespace !== "").length;
  const count = `${entries.length} tools${namespaces > 0 ? ` in ${namespaces} namespaces` : ""}`;
  const query = example ? summarize(example.tool.description, 4).replace(/…$/, "") || example.path.at(-1) : "";
  const name = example?.path.join(".") ?? "tool_name";
  const topLevel = groups.some((g) => g.namespace === "");
  const call = [topLevel && "api.<tool>", namespaces > 0 && "api.<namespace>.<tool>"].filter(Boolean).join(" or ");
  return `The catalog has ${count}, indexed below without their declarations (call them as ${call}). Look tools up before calling them; one program may search and call:
const found = await api.$search(${JSON.stringify(query || "what the tool does")}); // best first: [{ name: ${JSON.stringify(name)}, summary, declaration }]
console.log(await api.$describe(found.map((m) => m.name))); // their declarations, as plain text to read
declare const api: {
${LOOKUP_MEMBERS}  // ...and the tools below
};
Tools:
`;
}

function groupsOf(entries: readonly ApiEntry[]): Group[] {
  const groups = new Map<string, Group>();
  for (const entry of entries) {
    const namespace = entry.path.length > 1 ? entry.path[0]! : "";
    let group = groups.get(namespace);
    if (!group) {
      group = { namespace, entries: [] };
      groups.set(namespace, group);
    }
    group.entries.push(entry);
  }
  return [...groups.values()];
}

function label(group: Group): string {
  const n = group.entries.length;
  return `${group.namespace === "" ? "top level" : group.namespace} (${n} tool${n === 1 ? "" : "s"})`;
}

function withSummaries(group: Group, words: number): string {
  const lines = group.entries.map((entry) => {
    const summary = summarize(entry.tool.description, words);
    return `- ${entry.path.at(-1)}${summary ? `: ${summary}` : ""}\n`;
  });
  return `${label(group)}:\n${lines.join("")}`;
}

function namesOnly(group: Group, cap: number): string {
  if (cap === 0) return `${label(group)}\n`;
  const names = group.entries.slice(0, cap).map((entry) => entry.path.at(-1)!);
  const more = group.entries.length - names.length;
  return `${label(group)}: ${braced(names)}${more > 0 ? `, … ${more} more` : ""}\n`;
}

/**
 * Names in shell brace form where three or more in a row share a first word, which many servers
 * repeat in every name: `browser_{click, close, drag}` for browser_click, browser_close, browser_drag.
 */
function braced(names: string[]): string {
  const parts: string[] = [];
  for (let i = 0; i < names.length; ) {
    const prefix = /^[^_]+_/.exec(names[i]!)?.[0];
    let end = i + 1;
    const shares = (name: string) => prefix !== undefined && name.startsWith(prefix) && name.length > prefix.length;
    if (shares(names[i]!)) while (end < names.length && shares(names[end]!)) end++;
    if (end - i >= 3) {
      parts.push(
        `${prefix}{${names
          .slice(i, end)
          .map((name) => name.slice(prefix!.length))
          .join(", ")}}`,
      );
    } else {
      parts.push(...names.slice(i, end));
    }
    i = end;
  }
  return parts.join(", ");
}
