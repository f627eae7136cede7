import { type AgentMode, runAgent } from "../../src/agent/run-agent.ts";
import type { Executor } from "../../src/runtimes/executor.ts";
import { ToolRegistry } from "../../src/tools/registry.ts";
import type { ModeFigures } from "../agent.ts";
import { corpusTools } from "../corpus.ts";
import { answer, type Conversation, type Decision, ScriptedModel } from "./scripted-model.ts";

// The large-catalog scenario: all 258 corpus tools registered, with in-memory behaviour for the
// three the task needs. Classic mode sends every definition on every model call; code mode sends
// the index, and the model finds the three tools with api.$search before it calls them.

const TASK =
  'File a bug in acme/shop titled "Checkout fails on Safari 17", post a link to it in the Slack channel C0DEV, and tell me what time it is in Tokyo for the stand-up note.';
const ISSUE = {
  owner: "acme",
  repo: "shop",
  title: "Checkout fails on Safari 17",
  body: "Reported during the release check.",
};
const TOKYO = "Asia/Tokyo";
/** The tools the task needs, and what the model looks for to find each. */
const NEEDS = [
  { tool: "github.create_issue", query: "create an issue in a GitHub repository" },
  { tool: "slack.slack_post_message", query: "post a message to a Slack channel" },
  { tool: "time.get_current_time", query: "current time in a timezone" },
];

interface World {
  issues: { owner: string; repo: string; title: string; body?: string; number: number }[];
  messages: { channel_id: string; text: string }[];
  /** Every other tool the model called: none, in a competent run. */
  others: string[];
}

/** The 258 corpus tools, three of them with behaviour, over a fresh world; undefined without the corpus. */
function openWorld(): { registry: ToolRegistry; world: World } | undefined {
  const world: World = { issues: [], messages: [], others: [] };
  const tools = corpusTools((key, input) => {
    const args = input as Record<string, string>;
    switch (key) {
      case "github.create_issue": {
        const number = 100 + world.issues.length + 1;
        world.issues.push({ ...(args as unknown as World["issues"][number]), number });
        return { number, url: `https://github.com/${args.owner}/${args.repo}/issues/${number}` };
      }
      case "slack.slack_post_message":
        world.messages.push({ channel_id: args.channel_id!, text: args.text! });
        return { ok: true, channel: args.channel_id, ts: "1765099800.000100" };
      case "time.get_current_time":
        return { timezone: args.timezone, datetime: "2026-12-07T18:30:00+09:00", is_dst: false };
      default:
        world.others.push(key);
        return { ok: true };
    }
  });
  return tools && { registry: new ToolRegistry(tools), world };
}

const wire = (key: string) => key.replace(/\./g, "__");
const answerText = (url: string, datetime: string) => `Filed ${url}, posted it to C0DEV; in Tokyo it is ${datetime}.`;

/** Classic: the issue and the time at once, then the Slack post with the issue's link, then the answer. */
function classicModel(): ScriptedModel {
  return new ScriptedModel("large-catalog/classic", ({ outcomes }: Conversation): Decision => {
    if (outcomes.length === 0) {
      return {
        calls: [
          { tool: wire("github.create_issue"), input: ISSUE },
          { tool: wire("time.get_current_time"), input: { timezone: TOKYO } },
        ],
      };
    }
    const issue = outcomes[0]!.value as { url: string };
    const now = outcomes[1]!.value as { datetime: string };
    if (outcomes.length === 2) {
      return {
        calls: [
          { tool: wire("slack.slack_post_message"), input: { channel_id: "C0DEV", text: `New bug: ${issue.url}` } },
        ],
      };
    }
    return answer(answerText(issue.url, now.datetime));
  });
}

// The declarations go to the console, where they come back as plain text; the names as the result.
const SEARCH_PROGRAM = `const needs = ${JSON.stringify(NEEDS.map((n) => n.query))};
const found = await Promise.all(needs.map((q) => api.$search(q, { limit: 2 })));
console.log(await api.$describe(found.flat().map((m) => m.name)));
return found.map((matches) => matches.map((m) => m.name));`;

/**
 * Code: one program searches; the next calls the three tools it found (the model reads each
 * match's declaration and picks the one the task means); then the answer.
 */
function codeModeModel(): ScriptedModel {
  return new ScriptedModel("large-catalog/code", (conversation: Conversation): Decision => {
    const [search, work] = conversation.outcomes;
    if (!search) return { calls: [{ tool: "execute_code", input: { code: SEARCH_PROGRAM } }] };
    if (!work) {
      const found = search.value;
      const names = (i: number): unknown[] => (Array.isArray(found) && Array.isArray(found[i]) ? found[i] : []);
      const missing = NEEDS.filter((need, i) => !names(i).includes(need.tool));
      if (missing.length > 0) return answer(`I could not find ${missing.map((n) => n.tool).join(", ")}.`);
      return {
        calls: [
          {
            tool: "execute_code",
            input: {
              code: `const issue = await api.github.create_issue(${JSON.stringify(ISSUE)});
const [posted, now] = await Promise.all([
  api.slack.slack_post_message({ channel_id: "C0DEV", text: \`New bug: \${issue.url}\` }),
  api.time.get_current_time({ timezone: "${TOKYO}" }),
]);
return { issue: issue.url, posted: posted.ok, tokyo: now.datetime };`,
            },
          },
        ],
      };
    }
    if (!work.ok) return answer(`I could not finish: ${work.text.split("\n")[0]}`);
    const done = work.value as { issue: string; tokyo: string };
    return answer(answerText(done.issue, done.tokyo));
  });
}

export interface LargeCatalogFigures {
  tools: number;
  classic: ModeFigures;
  code: ModeFigures;
  /** Code mode's prompt tokens as a share of classic's. */
  promptShare: number;
}

/**
 * Runs the scenario in both modes on the real agent loop and sandbox; throws when either mode
 * leaves a different world (the figures compare equal work). Undefined without the corpus.
 */
export async function benchLargeCatalog(executor: Executor): Promise<LargeCatalogFigures | undefined> {
  const figures: Partial<Record<AgentMode, ModeFigures>> = {};
  const worlds: Partial<Record<AgentMode, World>> = {};
  let tools = 0;
  for (const mode of ["classic", "code"] as const) {
    const opened = openWorld();
    if (!opened) return undefined;
    tools = opened.registry.list().length;
    const model = mode === "classic" ? classicModel() : codeModeModel();
    const run = await runAgent({ model, tools: opened.registry, mode, prompt: TASK, codeMode: { runtime: executor } });
    if (run.finishReason !== "stop" || !run.text.startsWith("Filed ")) {
      throw new Error(`The large-catalog scenario (${mode}) did not finish: ${run.text || run.finishReason}`);
    }
    figures[mode] = {
      modelCalls: run.modelCalls,
      toolCalls: run.toolCalls.length,
      promptTokens: model.calls.reduce((sum, c) => sum + c.prompt, 0),
      completionTokens: model.calls.reduce((sum, c) => sum + c.completion, 0),
    };
    worlds[mode] = opened.world;
  }
  if (JSON.stringify(worlds.classic) !== JSON.stringify(worlds.code)) {
    throw new Error(
      `The large-catalog scenario's modes did different work.\nclassic: ${JSON.stringify(worlds.classic)}\ncode: ${JSON.stringify(worlds.code)}`,
    );
  }
  const classic = figures.classic!;
  const code = figures.code!;
  return { tools, classic, code, promptShare: Math.round((code.promptTokens / classic.promptTokens) * 1000) / 1000 };
}
