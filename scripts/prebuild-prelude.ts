// The last step of `npm run build`: bundles the sandbox prelude once into the build, so neither the
// vm runtime's children nor anything else bundles it when an installed package runs.
// Usage: node scripts/prebuild-prelude.ts [OUT_DIR]   (default: dist)
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const outDir = resolve(process.argv[2] ?? new URL("../dist", import.meta.url).pathname);
const { writePrebuiltPrelude } = await import(pathToFileURL(resolve(outDir, "sandbox/prelude-source.js")).href);
process.stdout.write(`prelude bundled: ${writePrebuiltPrelude()}\n`);
