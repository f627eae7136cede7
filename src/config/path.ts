import { existsSync } from "node:fs";
import { resolve } from "node:path";

const DEFAULT_FILES = ["code-mode.json5", "augure.json5"];

/** The config file to read: `file` (resolved against `cwd`), else the first default file in `cwd`, else none. */
export function configPath(file: string | undefined, cwd: string): string | undefined {
  return file ? resolve(cwd, file) : DEFAULT_FILES.map((f) => resolve(cwd, f)).find((f) => existsSync(f));
}
