import { loadCodeMode } from "../../config/open-code-mode.ts";
import { generateDeclarations } from "../../typegen/declarations.ts";
import { parseFlags } from "../usage.ts";

/** `code-mode types`: prints the declarations the model would see; starts no runtime. */
export async function typesCommand(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, { tools: { type: "string", multiple: true }, config: { type: "string" } }, false);
  const setup = await loadCodeMode({
    ...(values.config && { configFile: values.config }),
    toolModules: values.tools ?? [],
  });
  try {
    process.stdout.write(`${generateDeclarations(setup.registry.list())}\n`);
  } finally {
    await setup.close();
  }
  return 0;
}
