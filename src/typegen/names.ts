import { type Tool, toolKey } from "../tools/tool.ts";

/** Where a tool appears in the sandbox: `api.<path[0]>.<path[1]>...`. */
export interface ApiEntry {
  key: string;
  /** Identifier path below `api`: `["files", "read_text_file"]` or `["memory_read"]`. */
  path: string[];
  tool: Tool;
}

/**
 * Turns tool (and namespace) names into JavaScript identifiers, without collisions.
 * Typegen and the bridge both use this, so the declarations the model reads and the
 * `api` object it calls always agree. Deterministic: the result depends only on the keys.
 */
export function buildApiLayout(tools: readonly Tool[]): ApiEntry[] {
  const sorted = [...tools].sort((a, b) => compare(toolKey(a), toolKey(b)));
  const namespaces = uniqueIdentifiers([...new Set(sorted.flatMap((t) => (t.namespace ? [t.namespace] : [])))]);
  const topLevel = new Set(namespaces.values());
  // Plain tools share the top level with namespaces; a tool may not shadow a namespace.
  const plain = uniqueIdentifiers(
    sorted.filter((t) => !t.namespace).map((t) => t.name),
    topLevel,
  );
  const inNamespace = new Map<string, Map<string, string>>();
  for (const ns of namespaces.keys()) {
    inNamespace.set(ns, uniqueIdentifiers(sorted.filter((t) => t.namespace === ns).map((t) => t.name)));
  }
  return sorted.map((tool) => ({
    key: toolKey(tool),
    tool,
    path: tool.namespace
      ? [namespaces.get(tool.namespace)!, inNamespace.get(tool.namespace)!.get(tool.name)!]
      : [plain.get(tool.name)!],
  }));
}

/** A safe identifier for one name: invalid characters become "_", a leading digit gets "_". */
function toIdentifier(name: string): string {
  let id = name.replace(/[^A-Za-z0-9_$]/g, "_");
  if (id === "" || /^[0-9]/.test(id)) id = `_${id}`;
  return id;
}

function uniqueIdentifiers(names: string[], taken: Set<string> = new Set()): Map<string, string> {
  const used = new Set(taken);
  const out = new Map<string, string>();
  // Names that are already identifiers keep them; the others are adjusted around them.
  const ordered = [...names].sort(
    (a, b) => Number(toIdentifier(b) === b) - Number(toIdentifier(a) === a) || compare(a, b),
  );
  for (const name of ordered) {
    const base = toIdentifier(name);
    let id = base;
    for (let n = 2; used.has(id) || id === "__proto__" || id === "constructor"; n++) id = `${base}_${n}`;
    used.add(id);
    out.set(name, id);
  }
  return out;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
