// A MockLanguageModelV4 driven by a function of the conversation so far, as the loop tests need.
import type { LanguageModelV4CallOptions, LanguageModelV4GenerateResult } from "@ai-sdk/provider";
import { MockLanguageModelV4 } from "ai/test";

export type Reply = { text: string } | { calls: { tool: string; input: unknown }[] };

const usage = {
  inputTokens: { total: 100, noCache: 100, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: 10, text: 10, reasoning: undefined },
};

let ids = 0;

/** A model whose next reply is `next(options)`; `doGenerateCalls` keeps every prompt it received. */
export function mockModel(next: (options: LanguageModelV4CallOptions, call: number) => Reply): MockLanguageModelV4 {
  let call = 0;
  const model: MockLanguageModelV4 = new MockLanguageModelV4({
    doGenerate: async (options): Promise<LanguageModelV4GenerateResult> => {
      const reply = next(options, call++);
      if ("text" in reply) {
        return {
          content: [{ type: "text", text: reply.text }],
          finishReason: { unified: "stop", raw: "stop" },
          usage,
          warnings: [],
        };
      }
      return {
        content: reply.calls.map((c) => ({
          type: "tool-call",
          toolCallId: `call-${++ids}`,
          toolName: c.tool,
          input: JSON.stringify(c.input),
        })),
        finishReason: { unified: "tool-calls", raw: "tool_calls" },
        usage,
        warnings: [],
      };
    },
  });
  return model;
}

/** The tool results in a prompt, in order, as text the model would read. */
export function toolResults(options: LanguageModelV4CallOptions): { tool: string; type: string; text: string }[] {
  const out: { tool: string; type: string; text: string }[] = [];
  for (const message of options.prompt) {
    if (message.role !== "tool") continue;
    for (const part of message.content) {
      if (part.type !== "tool-result") continue;
      const o = part.output;
      const text = "value" in o ? (typeof o.value === "string" ? o.value : JSON.stringify(o.value)) : o.type;
      out.push({ tool: part.toolName, type: o.type, text });
    }
  }
  return out;
}
