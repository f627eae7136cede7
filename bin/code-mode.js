#!/usr/bin/env node
// Entry point: refuse old Node plainly, then load the CLI (from source in a checkout, else built).
const [major] = process.versions.node.split(".").map(Number);
if (major < 24) {
  process.stderr.write(
    `code-mode needs Node.js 24 or newer; this is ${process.version}.\n` +
      "Run it through npm (npm start, npx code-mode), which uses the Node 24 this project installs,\n" +
      "or install Node 24 and run it again.\n",
  );
  process.exit(2);
}
const { existsSync } = await import("node:fs");
// A checkout runs its source: a dist/ there (left by `npm pack`) may be older. A package has only dist/.
const source = new URL("../src/cli/main.ts", import.meta.url);
const { main } = await import(existsSync(source) ? source.href : new URL("../dist/cli/main.js", import.meta.url).href);
process.exitCode = await main(process.argv.slice(2));
