// A MockLanguageModelV4 driven by a function of the conversation so far, as the loop tests need.
import type {
  LanguageModelV4CallOptions,
  LanguageModelV4GenerateResult,
  LanguageModelV4StreamPart,
} from "@ai-sdk/provider";
import { convertArrayToReadableStream, MockLanguageModelV4 } from "ai/test";

export type Reply = { text: string } | { calls: { tool: string; input: unknown }[] };

const usage = {
  inputTokens: { total: 100, noCache: 100, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: 10, text: 10, reasoning: undefined },
};

let ids = 0;

/**
 * A model whose next reply is `next(options)`, for generateText and streamText alike;
 * `doGenerateCalls` (or `doStreamCalls`) keeps every prompt it received.
 */
export function mockModel(next: (options: LanguageModelV4CallOptions, call: number) => Reply): MockLanguageModelV4 {
  let call = 0;
  const generate = (options: LanguageModelV4CallOptions): LanguageModelV4GenerateResult => {
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
  };
  return new MockLanguageModelV4({
    doGenerate: async (options) => generate(options),
    // The same reply, in the parts a streaming provider sends.
    doStream: async (options) => {
      const { content, finishReason } = generate(options);
      const parts: LanguageModelV4StreamPart[] = [{ type: "stream-start", warnings: [] }];
      for (const part of content) {
        if (part.type === "text") {
          parts.push({ type: "text-start", id: "text" }, { type: "text-delta", id: "text", delta: part.text });
          parts.push({ type: "text-end", id: "text" });
        } else if (part.type === "tool-call") parts.push(part);
      }
      parts.push({ type: "finish", usage, finishReason });
      return { stream: convertArrayToReadableStream(parts) };
    },
  });
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
