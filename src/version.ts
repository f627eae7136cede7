import { readFileSync } from "node:fs";

/** This package's version, read once from package.json (the same file in `src/` and `dist/` layouts). */
export const VERSION = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
).version;
