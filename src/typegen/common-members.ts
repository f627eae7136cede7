import { type Member, type ShapeTable, shapeId } from "./shapes.ts";
import { pascalCase, type TypeNames } from "./type-names.ts";

/** A member is worth a shared declaration when this many tool inputs repeat it... */
const MIN_USES = 4;
/** ...and it is at least this long written out (doc included): `owner: string; // Repository owner`. */
const MIN_CHARS = 24;

/**
 * Factors members that many tool inputs repeat word for word, doc included (GitHub's server gives
 * 60 tools the same `owner` and `repo`, 25 the same `perPage`), into shared declarations: an input
 * becomes `OwnerRepo & { ...the rest }`. Members that always come together form one declaration.
 * The types are the same; the text says each repeated member once. Returns the rewritten inputs.
 */
export function factorCommonMembers(inputs: readonly string[], table: ShapeTable, names: TypeNames): string[] {
  const ids = inputs.map((text) => {
    const id = shapeId(text);
    return id !== undefined && table.isUnnamed(id) ? id : undefined;
  });
  const keyOf = (m: Member) => `${m.doc.join("\n")}\x03${m.sig}`;
  // Which inputs (by shape id, each once) carry each member.
  const carriers = new Map<string, Set<number>>();
  for (const id of new Set(ids)) {
    if (id === undefined) continue;
    for (const m of table.membersOf(id)) {
      if (m.sig.startsWith("[")) continue;
      const key = keyOf(m);
      if (key.length < MIN_CHARS) continue;
      const set = carriers.get(key) ?? new Set<number>();
      set.add(id);
      carriers.set(key, set);
    }
  }
  // Members carried by exactly the same inputs go together.
  const groups = new Map<string, string[]>();
  for (const [key, set] of carriers) {
    if (set.size < MIN_USES) continue;
    const by = [...set].sort((a, b) => a - b).join(",");
    groups.set(by, [...(groups.get(by) ?? []), key]);
  }
  if (groups.size === 0) return [...inputs];
  const groupOf = new Map<string, string>();
  const groupText = new Map<string, string>();
  const rewritten = new Map<number, string>();
  for (const [by, keys] of groups) {
    for (const key of keys) groupOf.set(key, by);
    const first = Number(by.split(",")[0]);
    const members = table.membersOf(first).filter((m) => keys.includes(keyOf(m)));
    const label = members.map((m) => pascalCase(m.sig.slice(0, m.sig.search(/\??:/)))).join("");
    const text = table.intern(members, label);
    table.nameOnUse(text, names.take(label));
    groupText.set(by, text);
  }
  for (const id of new Set(ids)) {
    if (id === undefined) continue;
    const members = table.membersOf(id);
    const used: string[] = [];
    const rest: Member[] = [];
    for (const m of members) {
      const by = groupOf.get(keyOf(m));
      if (by === undefined) rest.push(m);
      else if (!used.includes(by)) used.push(by);
    }
    if (used.length === 0) continue;
    const parts = used.map((by) => groupText.get(by)!);
    // Not under the input's reserved name: shared, this part would be declared as if it were all of it.
    if (rest.length > 0) parts.push(table.intern(rest, table.hintOf(id)));
    rewritten.set(id, parts.join(" & "));
  }
  return inputs.map((text, i) => (ids[i] !== undefined ? (rewritten.get(ids[i]!) ?? text) : text));
}
