// The check on the real MCP corpus (258 tools, shared beside the repository): every tool is
// declared to the checker, honest programs pass, a misspelt tool or a wrong argument is blocked
// with the right tool's declaration.
import { existsSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { CORPUS_FILE, corpusTools } from "../../bench/corpus.ts";
import { CORPUS_PROGRAMS } from "../../bench/typecheck.ts";
import { ApiIndex } from "../../src/bridge/api-index.ts";
import { transpile } from "../../src/transpile/transpile.ts";
import { ProgramService } from "../../src/typecheck/service.ts";
import { checkedText } from "../../src/typecheck/type-check.ts";
import { verdictOf } from "../../src/typecheck/verdict.ts";
import { generateDeclarations } from "../../src/typegen/declarations.ts";

const present = existsSync(CORPUS_FILE);
if (!present)
  console.warn(
    "[code-mode tests] skipping the corpus type-check tests: ../shared/corpus-typegen/corpus.json is absent.",
  );

describe.skipIf(!present)("type check on the 258-tool corpus", () => {
  const tools = corpusTools() ?? [];
  const index = new ApiIndex(tools);
  const service = new ProgramService(checkedText(generateDeclarations(tools)));
  afterAll(() => service.dispose());
  const verdict = (code: string) => {
    const program = transpile(code);
    const found = service.check({
      source: program.source,
      lineOffset: program.lineOffset,
      lines: code.split("\n").length,
    });
    return verdictOf(found, "error", index);
  };

  it("declares every tool of the corpus to the checker", () => {
    expect(tools).toHaveLength(258);
    const uses = index.paths.map((path, i) => `const t${i} = api.${path.join(".")};`).join("\n");
    expect(verdict(uses).blocked).toBeUndefined();
  });

  it.each(CORPUS_PROGRAMS.map((code, i) => [i + 1, code] as const))("honest program %i passes", (_i, code) => {
    expect(verdict(code).blocked).toBeUndefined();
  });

  it("a misspelt tool: did you mean, and the declaration of the tool meant", () => {
    const { blocked } = verdict(
      `const issues = await api.github.list_issue({ owner: "o", repo: "r" });\nreturn issues;`,
    );
    expect(blocked).toMatchObject({ line: 1, column: 33 });
    expect(blocked?.message).toContain("api.github.list_issue is not a tool. Did you mean api.github.list_issues?");
    expect(blocked?.message).toMatch(
      /Declaration of api\.github\.list_issues:\n[\s\S]*declare const api: \{\s*github: \{[\s\S]*list_issues\(input: /,
    );
  });

  it("a wrong argument: the compiler's words and the tool's declaration", () => {
    const { blocked } = verdict(`return await api.time.get_current_time({ timezone: 2 });`);
    expect(blocked?.message).toContain("api.time.get_current_time: Type 'number' is not assignable to type 'string'.");
    expect(blocked?.message).toMatch(/Declaration of api\.time\.get_current_time:[\s\S]*get_current_time\(input: /);
  });
});
