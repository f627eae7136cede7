import { CodeModeError } from "../errors.ts";
import { flagUsage } from "../settings.ts";
import { UsageError } from "./usage.ts";

type Command = (argv: string[]) => Promise<number>;

// Loaded on demand: `run` should not pay for the MCP or AI SDK imports of other commands.
const COMMANDS: Record<string, () => Promise<Command>> = {
  run: async () => (await import("./commands/run.ts")).runCommand,
  types: async () => (await import("./commands/types.ts")).typesCommand,
  serve: async () => (await import("./commands/serve.ts")).serveCommand,
  image: async () => (await import("./commands/image.ts")).imageCommand,
  bench: async () => (await import("./commands/bench.ts")).benchCommand,
  agent: async () => (await import("./commands/agent.ts")).agentCommand,
};

export const USAGE = `Usage:
  code-mode run FILE... [--tools MODULE]... [--config FILE] [${flagUsage("runtime")}]
                        [${flagUsage("timeout")}] [${flagUsage("memoryLimit")}] [--json]
                        [--require-approval PATTERN]... [--approve PATTERN]... [--deny PATTERN]...
                        [${flagUsage("approval.timeout")}]
  code-mode types   [--tools MODULE]... [--config FILE]
  code-mode serve   [--config FILE] [--http HOST:PORT] [--max-sessions N] [--session-idle SECONDS]
  code-mode image build [--tag NAME]
  code-mode bench   [--json] [--agent]
  code-mode agent "TASK" [--mode classic|code] [--model NAME] [--config FILE] [--tools MODULE]...
                         [${flagUsage("runtime")}] [--max-steps N] [--json]
                         [--require-approval PATTERN]... [--approve PATTERN]... [--deny PATTERN]...
                         [${flagUsage("approval.timeout")}]

FILE is a TypeScript program (use - for standard input). A tools MODULE is a .ts, .js or .mjs
file whose default export is an array of tools. See README.md for the config file.

On a terminal, run and agent show console lines and tool calls as they happen (on stderr; run
not with --json).
--deny refuses matching calls whatever the policy. Calls that need approval
(codeMode.approval.require, or --require-approval, which replaces it) are allowed by --approve
(--deny wins), else asked about on the terminal (y/N); with no terminal they are refused.
A PATTERN is a tool path, * for any characters ("files.*").`;

/** Runs the CLI; resolves with the exit status (0 ok, 1 a program failed, 2 usage or config). */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    (name ? process.stdout : process.stderr).write(`${USAGE}\n`);
    return name ? 0 : 2;
  }
  if (name === "--version" || name === "-v") {
    const { VERSION } = await import("../version.ts");
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const load = COMMANDS[name];
  if (!load) {
    process.stderr.write(`code-mode: unknown command "${name}".\n\n${USAGE}\n`);
    return 2;
  }
  try {
    return await (await load())(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`code-mode ${name}: ${error.message}\n\n${USAGE}\n`);
      return 2;
    }
    if (CodeModeError.isInstance(error) && (error.kind === "config" || error.kind === "executor")) {
      process.stderr.write(`code-mode ${name}: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}
