// The last step of `npm run build`: bundles the sandbox prelude once into dist, so neither the
// vm runtime's children nor anything else bundles it when an installed package runs.
const { writePrebuiltPrelude } = await import(new URL("../dist/sandbox/prelude-source.js", import.meta.url).href);
process.stdout.write(`prelude bundled: ${writePrebuiltPrelude()}\n`);
