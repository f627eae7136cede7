import { parseFlags, UsageError } from "../src/cli/usage.ts";
import { benchTypegen } from "./typegen.ts";
import { benchVm } from "./vm.ts";

type Section = Record<string, unknown>;

// Sections whose runtime or servers may be missing on this machine load on demand and are
// skipped with a reason, so `bench` always reports what it can measure.
const OPTIONAL: Record<string, () => Promise<object>> = {
  docker: async () => (await import("./docker.ts")).benchDocker(),
  tokens: async () => (await import("./tokens.ts")).benchTokens(),
  mcp: async () => (await import("./mcp.ts")).benchMcp(),
  results: async () => (await import("./results.ts")).benchResults(),
  startup: async () => (await import("./startup.ts")).benchStartup(),
  typecheck: async () => (await import("./typecheck.ts")).benchTypecheck(),
  catalog: async () => (await import("./catalog.ts")).benchCatalog(),
};

/**
 * `code-mode bench [--json] [--agent] [--skip SECTION,...] [--soak ...]`: figures side by side with
 * their baselines, from one run. `--skip` leaves out optional sections (a skipped one is absent).
 */
export async function benchCommand(argv: string[]): Promise<number> {
  if (argv.includes("--soak")) {
    const { soakCommand } = await import("./soak.ts");
    return soakCommand(argv.filter((arg) => arg !== "--soak"));
  }
  const { values } = parseFlags(
    argv,
    { json: { type: "boolean" }, agent: { type: "boolean" }, skip: { type: "string" } },
    false,
  );
  const skipped = new Set((values.skip ?? "").split(",").filter(Boolean));
  for (const name of skipped) {
    if (!(name in OPTIONAL)) {
      throw new UsageError(`--skip names "${name}"; the optional sections are ${Object.keys(OPTIONAL).join(", ")}.`);
    }
  }
  const started = performance.now();
  const progress = (text: string) =>
    process.stderr.write(`${text} (${((performance.now() - started) / 1000).toFixed(1)} s)\n`);
  const report: Record<string, Section> = {};
  if (values.agent) {
    progress("bench: agent scenarios (scripted models, classic vs code)…");
    const { benchAgent, formatAgentBench } = await import("./agent.ts");
    const agent = await benchAgent();
    process.stdout.write(values.json ? `${JSON.stringify({ agent })}\n` : `${formatAgentBench(agent)}\n`);
    return 0;
  } else {
    progress("bench: vm runtime vs node:vm baseline…");
    report.vm = { ...(await benchVm()) };
    progress("bench: typegen…");
    report.typegen = benchTypegen();
    for (const [name, run] of Object.entries(OPTIONAL)) {
      if (skipped.has(name)) continue;
      progress(`bench: ${name}…`);
      try {
        report[name] = { ...(await run()) };
      } catch (error) {
        progress(`bench: ${name} skipped: ${(error as Error).message.split("\n")[0]}`);
      }
    }
  }
  process.stdout.write(values.json ? `${JSON.stringify(report)}\n` : `${formatReport(report)}\n`);
  return 0;
}

function formatReport(report: Record<string, Section>): string {
  const lines: string[] = [];
  for (const [name, section] of Object.entries(report)) {
    lines.push(`${name}:`);
    for (const [key, value] of Object.entries(section)) {
      lines.push(`  ${key.padEnd(26)} ${typeof value === "object" ? JSON.stringify(value) : String(value)}`);
    }
  }
  return lines.join("\n");
}
