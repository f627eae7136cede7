import { openCodeMode } from "../../config/open-code-mode.ts";
import { parseFlags } from "../usage.ts";

/** `code-mode types`: prints the declarations the model would see. */
export async function typesCommand(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, { tools: { type: "string", multiple: true }, config: { type: "string" } }, false);
  const session = await openCodeMode({
    ...(values.config && { configFile: values.config }),
    toolModules: values.tools ?? [],
  });
  try {
    process.stdout.write(`${session.tool.declarations}\n`);
  } finally {
    await session.close();
  }
  return 0;
}
