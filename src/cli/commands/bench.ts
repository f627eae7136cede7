import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ConfigError } from "../../errors.ts";

// The benchmark harness and its scripted scenarios live in the repository's `bench/` folder, not
// in the shipped package: from `src/cli/commands` or `dist/cli/commands` alike it is three up.
const HARNESS = new URL("../../../bench/main.ts", import.meta.url);

/** `code-mode bench [--json] [--agent]`: runs the repository's benchmark harness. */
export async function benchCommand(argv: string[]): Promise<number> {
  if (!existsSync(fileURLToPath(HARNESS))) {
    throw new ConfigError(
      "code-mode bench runs from a clone of the code-mode repository (its bench/ folder is not part of the package): clone it, run npm install, then npm run bench.",
    );
  }
  const { benchCommand: run } = (await import(HARNESS.href)) as { benchCommand(argv: string[]): Promise<number> };
  const code = await run(argv);
  // The report is out. A checker thread some section left open must not hold the process (seen:
  // two worker ports alive after the catalog section; see the closing notes), so end shortly.
  setTimeout(() => process.exit(code), 500).unref();
  return code;
}
