// The demo program must type-check against the declarations the model would be given.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import exampleTools from "../../examples/tools.ts";
import { generateDeclarations } from "../../src/index.ts";
import { SANDBOX_GLOBALS } from "../../src/typegen/sandbox-globals.ts";
import { typeErrors } from "../typegen/type-check.ts";

describe("examples", () => {
  it("the demo program type-checks against the example tools' declarations", () => {
    const demo = readFileSync(new URL("../../examples/programs/demo.ts", import.meta.url), "utf8");
    const source = `${SANDBOX_GLOBALS}\n${generateDeclarations(exampleTools)}\nasync function main() {\n${demo}\n}\n`;
    expect(typeErrors(source)).toEqual([]);
  });

  it("a program that misuses the example tools does not type-check", () => {
    const source = `${generateDeclarations(exampleTools)}\nasync function main() {\nawait api.schedule({ title: "x", at: 5 });\n}\n`;
    expect(typeErrors(source).join("\n")).toMatch(/attendees|number/);
  });
});
