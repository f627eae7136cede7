// The layout of a program's result as the model reads it: compact JSON that stays readable, cut
// by structure to a token budget, with every cut saying what it left out. Every token here stays
// in the conversation for all later model calls, so the layout spends none on padding.
//
// Layout: small values on one line as compact JSON; arrays of primitives on one line; arrays of
// objects one element per line, or as a table (a header naming the columns once, then one row of
// values per line) when their elements share one set of keys; large objects one key per line.
// Nothing is indented. Written by hand because it is a budgeting problem, not a formatting one: no
// JSON printer cuts by structure within a token budget.

import { estimateTokens } from "../tokens/estimate-tokens.ts";

export interface Layout {
  text: string;
  /** True when something was left out; the text says what at each place. */
  cut: boolean;
}

/** Compact JSON at most this long stays on one line. */
const INLINE_CHARS = 100;
/** Deeper than this, a container is summarised, not shown: no model reads that far. */
const MAX_DEPTH = 12;
/** Tokens kept back for the note that ends a cut container. */
const NOTE_TOKENS = 16;
/** A table pays off only over several rows. */
const MIN_TABLE_ROWS = 3;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** The value laid out within `budget` tokens (estimated). */
export function layoutValue(value: unknown, budget: number): Layout {
  const state = { cut: false };
  const text = render(value as Json, Math.max(8, budget), 0, state);
  return { text, cut: state.cut };
}

/** Estimated tokens of `value` laid out whole, or any number above `cap` once it is known to exceed it. */
export function layoutCost(value: unknown, cap: number): number {
  return cost(value as Json, cap, 0);
}

function render(value: Json, budget: number, depth: number, state: { cut: boolean }): string {
  if (value === null || typeof value !== "object") return renderPrimitive(value, budget, state);
  if (depth >= MAX_DEPTH) {
    state.cut = true;
    return Array.isArray(value)
      ? `[… ${count(value.length, "item")} nested too deep to show]`
      : `{… ${count(Object.keys(value).length, "key")} nested too deep to show}`;
  }
  const fits = cost(value, budget, depth) <= budget;
  if (fits) {
    const inline = compact(value, INLINE_CHARS);
    if (inline !== undefined) return inline;
  }
  return Array.isArray(value) ? renderArray(value, budget, depth, state) : renderObject(value, budget, depth, state);
}

/** Lines break only between large elements: a lone child, or short primitives, stay on the line. */
function lineBreak(children: Json[]): string {
  if (children.length < 2) return "";
  return children.every((child) => child === null || typeof child !== "object") ? "" : "\n";
}

function renderPrimitive(value: Json | undefined, budget: number, state: { cut: boolean }): string {
  // `undefined` and `-0` cannot come through JSON; the library may still hand them in.
  if (value === undefined) return "null";
  if (typeof value !== "string") return Object.is(value, -0) ? "0" : JSON.stringify(value);
  // Only a prefix is ever measured, so a huge string costs no more than what is shown.
  const shownChars = Math.max(16, budget * 5);
  if (value.length <= shownChars) {
    const whole = JSON.stringify(value);
    if (estimateTokens(whole) <= budget) return whole;
  }
  let head = value.slice(0, shownChars);
  while (head.length > 16 && estimateTokens(JSON.stringify(head)) > budget - NOTE_TOKENS) {
    head = head.slice(0, Math.floor(head.length * 0.85));
  }
  state.cut = true;
  const rest = value.length - head.length;
  return `${JSON.stringify(head).slice(0, -1)}…" (${count(rest, "more character")}, ${value.length.toLocaleString("en-US")} in all)`;
}

function renderArray(items: Json[], budget: number, depth: number, state: { cut: boolean }): string {
  if (items.length === 0) return "[]";
  if (items.every((item) => item === null || typeof item !== "object")) {
    return renderPrimitiveList(items, budget, state);
  }
  const columns = tableColumns(items);
  if (columns) return renderTable(items as Record<string, Json>[], columns, budget, depth, state);
  const lines: string[] = [];
  let left = budget - 2;
  for (let i = 0; i < items.length; i++) {
    const item = items[i] as Json;
    const reserve = i === items.length - 1 ? 0 : NOTE_TOKENS;
    const itemCost = cost(item, left, depth + 1) + 1;
    if (itemCost <= left - reserve) {
      lines.push(render(item, left, depth + 1, state));
      left -= itemCost;
      continue;
    }
    // The first element alone is too big: show part of it rather than nothing.
    if (lines.length === 0) lines.push(render(item, left - reserve, depth + 1, state));
    const shown = lines.length;
    if (shown < items.length) {
      state.cut = true;
      lines.push(`… ${count(items.length - shown, "more item")}, ${items.length.toLocaleString("en-US")} in all`);
    }
    break;
  }
  const nl = lineBreak(items);
  return `[${nl}${lines.join(`,${nl}`)}${nl}]`;
}

function renderPrimitiveList(items: Json[], budget: number, state: { cut: boolean }): string {
  const parts: string[] = [];
  let left = budget - 2;
  for (let i = 0; i < items.length; i++) {
    const reserve = i === items.length - 1 ? 0 : NOTE_TOKENS;
    const text = renderPrimitive(items[i], Math.max(8, left - reserve), state);
    const itemCost = estimateTokens(text) + 1;
    if (itemCost > left - reserve && parts.length > 0) {
      state.cut = true;
      parts.push(
        `… ${count(items.length - parts.length, `more ${kindOf(items)}`)}, ${items.length.toLocaleString("en-US")} in all`,
      );
      break;
    }
    parts.push(text);
    left -= itemCost;
  }
  return `[${parts.join(",")}]`;
}

/** The shared keys when every element is a plain object with the same keys in the same order. */
function tableColumns(items: Json[]): string[] | undefined {
  if (items.length < MIN_TABLE_ROWS) return undefined;
  const first = items[0];
  if (first === null || typeof first !== "object" || Array.isArray(first)) return undefined;
  const keys = Object.keys(first);
  if (keys.length < 2) return undefined;
  for (const item of items) {
    if (item === null || typeof item !== "object" || Array.isArray(item)) return undefined;
    const itemKeys = Object.keys(item);
    if (itemKeys.length !== keys.length || itemKeys.some((key, i) => key !== keys[i])) return undefined;
  }
  return keys;
}

function renderTable(
  rows: Record<string, Json>[],
  columns: string[],
  budget: number,
  depth: number,
  state: { cut: boolean },
): string {
  const header = `table of ${count(rows.length, "row")}, each [${columns.map((c) => JSON.stringify(c)).join(",")}]:`;
  const lines = [header];
  let left = budget - estimateTokens(header) - 2;
  for (let i = 0; i < rows.length; i++) {
    const row = columns.map((column) => (rows[i] as Record<string, Json>)[column] as Json);
    const reserve = i === rows.length - 1 ? 0 : NOTE_TOKENS;
    const rowCost = cost(row, left, depth + 1) + 1;
    if (rowCost > left - reserve) {
      if (i === 0) lines.push(render(row, left - reserve, depth + 1, state));
      const shown = lines.length - 1;
      if (shown < rows.length) {
        state.cut = true;
        lines.push(`… ${count(rows.length - shown, "more row")}, ${rows.length.toLocaleString("en-US")} in all`);
      }
      break;
    }
    lines.push(render(row, left, depth + 1, state));
    left -= rowCost;
  }
  return `[${lines.join("\n")}\n]`;
}

function renderObject(object: Record<string, Json>, budget: number, depth: number, state: { cut: boolean }): string {
  const keys = Object.keys(object);
  if (keys.length === 0) return "{}";
  const labels = keys.map((key) => `${JSON.stringify(key)}:`);
  const labelCosts = labels.map((label) => estimateTokens(label) + 1);
  // Too wide to name every key: show the first ones whole, then name what was left out.
  let shownKeys = keys.length;
  let labelTotal = labelCosts.reduce((sum, c) => sum + c, 0);
  const perValueFloor = 4;
  while (shownKeys > 1 && labelTotal + shownKeys * perValueFloor > budget - NOTE_TOKENS * 2) {
    shownKeys--;
    labelTotal -= labelCosts[shownKeys] as number;
  }
  const available = budget - 2 - labelTotal - (shownKeys < keys.length ? NOTE_TOKENS * 2 : 0);
  const shares = fairShares(
    keys.slice(0, shownKeys).map((key) => cost(object[key] as Json, available, depth + 1)),
    available,
  );
  const lines = keys
    .slice(0, shownKeys)
    .map((key, i) => `${labels[i]}${render(object[key] as Json, Math.max(8, shares[i] as number), depth + 1, state)}`);
  if (shownKeys < keys.length) {
    state.cut = true;
    const dropped = keys.slice(shownKeys);
    const named = namesWithin(dropped, NOTE_TOKENS * 2 - 8);
    lines.push(`… ${count(dropped.length, "more key")}${named ? `: ${named}` : ""}`);
  }
  const nl = lineBreak(Object.values(object));
  return `{${nl}${lines.join(`,${nl}`)}${nl}}`;
}

/** Splits `total` among values so that small ones get all they need and large ones share the rest equally. */
function fairShares(costs: number[], total: number): number[] {
  const shares = new Array<number>(costs.length).fill(0);
  const order = costs.map((_, i) => i).sort((a, b) => (costs[a] as number) - (costs[b] as number));
  let left = total;
  for (let n = 0; n < order.length; n++) {
    const i = order[n] as number;
    const even = Math.floor(left / (order.length - n));
    const share = Math.min(costs[i] as number, even);
    shares[i] = share;
    left -= share;
  }
  return shares;
}

function namesWithin(keys: string[], budget: number): string {
  const names: string[] = [];
  let left = budget;
  for (const key of keys) {
    const text = JSON.stringify(key);
    left -= estimateTokens(text) + 1;
    if (left < 0) break;
    names.push(text);
  }
  return names.length === keys.length ? names.join(", ") : names.length > 0 ? `${names.join(", ")}, …` : "";
}

/** Estimated tokens of the whole layout of `value`, stopping once it is known to exceed `cap`. */
function cost(value: Json | undefined, cap: number, depth: number): number {
  if (value === null || value === undefined || typeof value !== "object") {
    if (typeof value !== "string") return 1;
    // A prefix is enough to know that a long string exceeds the cap.
    return estimateTokens(value.length > cap * 8 ? value.slice(0, cap * 8) : value) + 1;
  }
  if (depth >= MAX_DEPTH) return 8;
  let total = 2;
  if (Array.isArray(value)) {
    for (const item of value) {
      total += cost(item, cap - total, depth + 1) + 1;
      if (total > cap) return total;
    }
    return total;
  }
  for (const key in value) {
    total += estimateTokens(key) + 3 + cost(value[key], cap - total, depth + 1);
    if (total > cap) return total;
  }
  return total;
}

/** Compact JSON of `value` if it is at most `max` characters, else undefined (found out early). */
function compact(value: Json, max: number): string | undefined {
  const parts: string[] = [];
  let length = 0;
  const walk = (node: Json | undefined): boolean => {
    if (length > max) return false;
    if (node === null || node === undefined || typeof node !== "object") {
      const text = renderPrimitive(node, Number.POSITIVE_INFINITY, { cut: false });
      parts.push(text);
      length += text.length;
      return length <= max;
    }
    if (Array.isArray(node)) {
      parts.push("[");
      for (let i = 0; i < node.length; i++) {
        if (i > 0) parts.push(",");
        length++;
        if (!walk(node[i])) return false;
      }
      parts.push("]");
    } else {
      parts.push("{");
      let first = true;
      for (const key in node) {
        const label = `${first ? "" : ","}${JSON.stringify(key)}:`;
        first = false;
        parts.push(label);
        length += label.length;
        if (!walk(node[key])) return false;
      }
      parts.push("}");
    }
    length += 2;
    return length <= max;
  };
  return walk(value) ? parts.join("") : undefined;
}

function kindOf(items: Json[]): string {
  const kinds = new Set(items.map((item) => (item === null ? "null" : typeof item)));
  if (kinds.size !== 1) return "item";
  const [kind] = kinds;
  return kind === "number" ? "number" : kind === "string" ? "string" : kind === "boolean" ? "boolean" : "item";
}

function count(n: number, noun: string): string {
  return `${n.toLocaleString("en-US")} ${noun}${n === 1 ? "" : "s"}`;
}
