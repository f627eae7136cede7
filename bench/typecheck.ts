import { transpile } from "../src/transpile/transpile.ts";
import { CheckerThread } from "../src/typecheck/checker-thread.ts";
import { checkedText } from "../src/typecheck/type-check.ts";
import { generateDeclarations } from "../src/typegen/declarations.ts";
import { CORPUS_MISSING, corpusTools } from "./corpus.ts";
import { percentile, round } from "./stats.ts";

/** Programs of the size models write, honest ones, over several servers of the corpus. */
export const CORPUS_PROGRAMS = [
  `const me = await api.github.get_me({});
const issues = await api.github.list_issues({ owner: "octo", repo: "hello", state: "OPEN" });
const mine = issues.filter((i) => i.assignee?.login === me.login);
return mine.map((i) => i.title);`,
  `const now = await api.time.get_current_time({ timezone: "Europe/Oslo" });
const status = await api.git.git_status({ repo_path: "/srv/repo" });
await api.slack.slack_post_message({ channel_id: "C1", text: \`\${now.datetime}: \${status}\` });
return { now, status };`,
  `const results = await Promise.all(["bug", "docs", "perf"].map((label) =>
  api.github.search_issues({ query: \`repo:octo/hello label:\${label}\` })));
let total = 0;
for (const page of results) total += page.total_count ?? 0;
if (total > 10) console.log("busy week", total);
return total;`,
];
// One misuses a tool, so the blocking path (classification, the tool's declaration) is timed too.
const PROGRAMS = [
  ...CORPUS_PROGRAMS,
  `const channels = await api.slack.slack_list_channels({ limit: 50 });
await api.slack.slack_post_mesage({ channel: "C1", text: 1 });
return channels;`,
];

/**
 * Type-check latency with every corpus tool declared, through the checker thread as
 * `execute_code` uses it: cold (thread start, compiler load, first check) and warm p50/p95 over
 * programs that change every time, as a model's do.
 */
export async function benchTypecheck(
  runs = 60,
): Promise<{ p50Ms: number; p95Ms: number; coldMs: number; tools: number }> {
  const tools = corpusTools();
  if (!tools) throw new Error(CORPUS_MISSING);
  const text = checkedText(generateDeclarations(tools));
  const request = (i: number) => {
    const code = `${PROGRAMS[i % PROGRAMS.length]}\n// run ${i}`;
    const program = transpile(code);
    return { source: program.source, lineOffset: program.lineOffset, lines: code.split("\n").length };
  };

  const coldStart = performance.now();
  const thread = new CheckerThread(text);
  try {
    const first = await thread.check(request(0), 120_000);
    const coldMs = performance.now() - coldStart;
    if ("skipped" in first) throw new Error(`the check did not run: ${first.skipped}`);
    for (let i = 1; i <= 8; i++) await thread.check(request(i), 120_000);
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const started = performance.now();
      await thread.check(request(100 + i), 120_000);
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    return {
      p50Ms: round(percentile(times, 50)),
      p95Ms: round(percentile(times, 95)),
      coldMs: round(coldMs),
      tools: tools.length,
    };
  } finally {
    await thread.close();
  }
}
