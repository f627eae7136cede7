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
  const keys = new Map<Member, string>();
  const keyOf = (m: Member) => {
    let key = keys.get(m);
    if (key === undefined) {
      key = `${m.doc.join("\n")}\x03${m.sig}`;
      keys.set(m, key);
    }
    return key;
  };
  // Which inputs (by shape id, each once) carry each member.
  const carriers = new Map<string, Set<number>>();
  const distinct = [...new Set(ids)].filter((id) => id !== undefined);
  for (const id of distinct) {
    const members = table.membersOf(id);
    for (let i = 0; i < members.length; i++) {
      const m = members[i]!;
      if (m.sig.startsWith("[")) continue;
      const key = keyOf(m);
      if (key.length < MIN_CHARS) continue;
      const set = carriers.get(key) ?? new Set<number>();
      set.add(id);
      carriers.set(key, set);
    }
  }
  // Members carried by exactly the same inputs go together (a group is known by its number).
  const groupKeys: string[][] = [];
  const groupIndex = new Map<string, number>();
  const groupOf = new Map<string, number>();
  for (const [key, set] of carriers) {
    if (set.size < MIN_USES) continue;
    const by = [...set].sort((a, b) => a - b).join(",");
    let group = groupIndex.get(by);
    if (group === undefined) {
      group = groupKeys.length;
      groupIndex.set(by, group);
      groupKeys.push([]);
    }
    groupKeys[group]!.push(key);
    groupOf.set(key, group);
  }
  if (groupKeys.length === 0) return [...inputs];
  const groupText = groupKeys.map((keys) => {
    const first = carriers.get(keys[0]!)!.values().next().value!;
    const members = table.membersOf(first).filter((m) => groupOf.has(keyOf(m)) && keys.includes(keyOf(m)));
    const label = members.map((m) => pascalCase(m.sig.slice(0, m.sig.search(/\??:/)))).join("");
    const text = table.intern(members, label);
    table.nameOnUse(text, names.take(label));
    return text;
  });
  const rewritten = new Map<number, string>();
  for (const id of distinct) {
    const used: number[] = [];
    const rest: Member[] = [];
    for (const m of table.membersOf(id)) {
      const group = groupOf.get(keyOf(m));
      if (group === undefined) rest.push(m);
      else if (!used.includes(group)) used.push(group);
    }
    if (used.length === 0) continue;
    const parts = used.map((group) => groupText[group]!);
    // Not under the input's reserved name: shared, this part would be declared as if it were all of it.
    if (rest.length > 0) parts.push(table.intern(rest, table.hintOf(id)));
    rewritten.set(id, parts.join(" & "));
  }
  return inputs.map((text, i) => (ids[i] !== undefined ? (rewritten.get(ids[i]!) ?? text) : text));
}
