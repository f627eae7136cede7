import { readFileSync } from "node:fs";
import { countTokens } from "gpt-tokenizer/encoding/o200k_base";
const corpus = JSON.parse(readFileSync("/work/shared/corpus-typegen/corpus.json", "utf8"));
for (const ids of [["github"], null]) {
  let D = 0, n = 0, toolD = 0;
  const walk = (s: any) => { if (s && typeof s === "object") { if (typeof s.description === "string") { D += countTokens(JSON.stringify(s.description)) - 2; n++; } for (const v of Object.values(s)) walk(v); } };
  for (const ts of corpus.toolsets) if (!ids || ids.includes(ts.id)) for (const t of ts.tools) { toolD += countTokens(JSON.stringify(t.description)) - 2; walk(t.inputSchema); walk(t.outputSchema); }
  console.log(ids, { toolDescTokens: toolD, schemaDescTokens: D, schemaDescCount: n });
}
