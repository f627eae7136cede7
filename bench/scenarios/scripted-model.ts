import type {
  LanguageModelV4,
  LanguageModelV4CallOptions,
  LanguageModelV4Content,
  LanguageModelV4GenerateResult,
  LanguageModelV4Prompt,
} from "@ai-sdk/provider";
import { completionTokens, promptTokens } from "./prompt-tokens.ts";

/** A tool result the model has read back, with the JSON it carried when it carried any. */
export interface ToolOutcome {
  tool: string;
  input: unknown;
  ok: boolean;
  /** The result as the model read it. */
  text: string;
  /** The parsed value: a classic tool's JSON, or the `Result:` of an `execute_code` text. */
  value: unknown;
}

/** What a scripted model knows when it decides: the task and every result so far. */
export interface Conversation {
  task: string;
  outcomes: ToolOutcome[];
}

/** The model's next move: an answer, or tool calls (more than one means parallel calls). */
export type Decision = { answer: string } | { calls: { tool: string; input: unknown }[] };

export const answer = (text: string): Decision => ({ answer: text });
export const call = (tool: string, input: unknown): Decision => ({ calls: [{ tool, input }] });

/** Per model call: tokens of the prompt it received and of what it wrote. */
export interface CallTokens {
  prompt: number;
  completion: number;
}

/**
 * A language model that decides its next response from the conversation so far, as a competent
 * model would, and counts the tokens of every prompt it is sent. Usage reports those counts.
 */
export class ScriptedModel implements LanguageModelV4 {
  readonly specificationVersion = "v4";
  readonly provider = "scripted";
  readonly modelId: string;
  readonly supportedUrls = {};
  readonly calls: CallTokens[] = [];
  readonly #decide: (conversation: Conversation) => Decision;
  #ids = 0;

  constructor(modelId: string, decide: (conversation: Conversation) => Decision) {
    this.modelId = modelId;
    this.#decide = decide;
  }

  async doGenerate(options: LanguageModelV4CallOptions): Promise<LanguageModelV4GenerateResult> {
    const prompt = promptTokens(options);
    const decision = this.#decide(readConversation(options.prompt));
    const content: LanguageModelV4Content[] =
      "answer" in decision
        ? [{ type: "text", text: decision.answer }]
        : decision.calls.map((c) => ({
            type: "tool-call",
            toolCallId: `${this.modelId}-${++this.#ids}`,
            toolName: c.tool,
            input: JSON.stringify(c.input),
          }));
    const completion = completionTokens(content);
    this.calls.push({ prompt, completion });
    return {
      content,
      finishReason:
        "answer" in decision ? { unified: "stop", raw: "stop" } : { unified: "tool-calls", raw: "tool_calls" },
      usage: {
        inputTokens: { total: prompt, noCache: prompt, cacheRead: undefined, cacheWrite: undefined },
        outputTokens: { total: completion, text: completion, reasoning: undefined },
      },
      warnings: [],
    };
  }

  doStream(): never {
    throw new Error("A scripted model answers generateText (doGenerate) only.");
  }
}

/** The task and the tool results in a prompt, in order. */
export function readConversation(prompt: LanguageModelV4Prompt): Conversation {
  let task = "";
  const calls = new Map<string, { tool: string; input: unknown }>();
  const outcomes: ToolOutcome[] = [];
  for (const message of prompt) {
    if (message.role === "user") {
      for (const part of message.content) if (part.type === "text") task = part.text;
    } else if (message.role === "assistant") {
      for (const part of message.content) {
        if (part.type === "tool-call") calls.set(part.toolCallId, { tool: part.toolName, input: part.input });
      }
    } else if (message.role === "tool") {
      for (const part of message.content) {
        if (part.type !== "tool-result") continue;
        const asked = calls.get(part.toolCallId) ?? { tool: part.toolName, input: undefined };
        outcomes.push({ ...asked, ...readOutput(part.output) });
      }
    }
  }
  return { task, outcomes };
}

function readOutput(output: { type: string; value?: unknown }): { ok: boolean; text: string; value: unknown } {
  switch (output.type) {
    case "json":
      return { ok: true, text: JSON.stringify(output.value), value: output.value };
    case "text": {
      const text = String(output.value);
      // An execute_code text: a failed program starts with "Error", a good one with "Result:".
      if (text.startsWith("Error")) return { ok: false, text, value: undefined };
      return { ok: true, text, value: resultSection(text) };
    }
    default:
      return { ok: false, text: typeof output.value === "string" ? output.value : output.type, value: undefined };
  }
}

// "Result:\n<json>\n\nConsole:\n..." -> the parsed JSON, or the text when it is not JSON.
function resultSection(text: string): unknown {
  if (!text.startsWith("Result:\n")) return tryJson(text);
  const body = text.slice("Result:\n".length).split(/\n\n(?:Console|Type-check warnings|Tool calls):/)[0] ?? "";
  return tryJson(body);
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * The code-mode model of a scenario: sends `programs[0]`; when a program fails and another is
 * scripted, sends that one (its fix); once one succeeds, answers from its result.
 */
export function codeModel(name: string, programs: string[], respond: (result: unknown) => string): ScriptedModel {
  return new ScriptedModel(`${name}/code`, ({ outcomes }) => {
    const last = outcomes.at(-1);
    if (!last) return call("execute_code", { code: programs[0] });
    if (!last.ok && outcomes.length < programs.length) return call("execute_code", { code: programs[outcomes.length] });
    return answer(last.ok ? respond(last.value) : `I could not finish: ${last.text.split("\n")[0]}`);
  });
}
