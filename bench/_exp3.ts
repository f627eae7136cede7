import { readFileSync } from "node:fs";
import { countTokens } from "gpt-tokenizer/encoding/o200k_base";
const corpus = JSON.parse(readFileSync("/work/shared/corpus-typegen/corpus.json", "utf8"));
const m = new Map<string, number>();
for (const ts of corpus.toolsets) if (ts.id === "github") for (const t of ts.tools) for (const [k, v] of Object.entries<any>(t.inputSchema.properties ?? {})) { const key = k + " " + JSON.stringify(v); m.set(key, (m.get(key) ?? 0) + 1); }
let saved = 0;
const rows = [...m].filter(([, n]) => n > 2).sort((a, b) => b[1] - a[1]);
for (const [k, n] of rows.slice(0, 25)) console.log(n, k.slice(0, 150));
for (const [k, n] of rows) saved += (n - 1) * countTokens(JSON.stringify(k));
console.log("rows", rows.length, "approx repeated tokens", saved);
