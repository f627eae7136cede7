import { readFileSync } from "node:fs";
import { countTokens } from "gpt-tokenizer/encoding/o200k_base";
import { describe, expect, it } from "vitest";
import exampleTools from "../../examples/tools.ts";
import { estimateTokens } from "../../src/tokens/estimate-tokens.ts";
import { generateDeclarations } from "../../src/typegen/declarations.ts";

const rows = Array.from({ length: 100 }, (_, i) => ({
  id: i,
  name: `user${i}`,
  email: `u${i}@example.com`,
  on: i % 2,
}));
const TEXTS: Record<string, string> = {
  prose: readFileSync(new URL("../../README.md", import.meta.url), "utf8"),
  code: readFileSync(new URL("../../src/execute-code/run-program.ts", import.meta.url), "utf8"),
  rowsJson: JSON.stringify(rows),
  rowsPretty: JSON.stringify(rows, null, 2),
  numbers: JSON.stringify(Array.from({ length: 500 }, (_, i) => (i * 7919) % 100_003)),
  floats: JSON.stringify(Array.from({ length: 200 }, (_, i) => Math.sin(i))),
  declarations: generateDeclarations(exampleTools),
  declarationsAsJson: JSON.stringify(generateDeclarations(exampleTools)),
  unicode: "Grüße aus Köln — 東京の天気は晴れ; emoji 🎉🎉 and accents: àéîõü ".repeat(20),
};

describe("estimateTokens", () => {
  for (const [name, text] of Object.entries(TEXTS)) {
    it(`stays within 20% of o200k_base on ${name}`, () => {
      const real = countTokens(text);
      const estimate = estimateTokens(text);
      expect(Math.abs(estimate - real) / real).toBeLessThan(0.2);
    });
  }

  it("counts nothing for empty text and grows with the text", () => {
    expect(estimateTokens("")).toBe(0);
    expect(estimateTokens("word ".repeat(1000))).toBeGreaterThan(estimateTokens("word ".repeat(10)));
  });
});
