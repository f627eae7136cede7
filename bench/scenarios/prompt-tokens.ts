import type { LanguageModelV4CallOptions, LanguageModelV4Content } from "@ai-sdk/provider";
import { countTokens } from "gpt-tokenizer/encoding/o200k_base";

/**
 * The text a model receives in one call, as plain sections: each tool definition (name,
 * description, JSON Schema) and every message (system, user, the assistant's earlier calls, every
 * tool result fed back). Providers wrap this in their own few framing tokens per message; those
 * are the same in both modes and left out.
 */
export function renderPrompt(options: Pick<LanguageModelV4CallOptions, "tools" | "prompt">): string {
  const parts: string[] = [];
  for (const tool of options.tools ?? []) {
    if (tool.type === "function")
      parts.push(`tool ${tool.name}: ${tool.description ?? ""}\n${JSON.stringify(tool.inputSchema)}`);
  }
  for (const message of options.prompt) {
    switch (message.role) {
      case "system":
        parts.push(`system: ${message.content}`);
        break;
      case "user":
        for (const part of message.content) if (part.type === "text") parts.push(`user: ${part.text}`);
        break;
      case "assistant":
        for (const part of message.content) {
          if (part.type === "text") parts.push(`assistant: ${part.text}`);
          else if (part.type === "tool-call") parts.push(`call ${part.toolName}: ${JSON.stringify(part.input)}`);
        }
        break;
      case "tool":
        for (const part of message.content) {
          if (part.type !== "tool-result") continue;
          const output = part.output;
          const value = "value" in output ? output.value : output.type;
          parts.push(`result ${part.toolName}: ${typeof value === "string" ? value : JSON.stringify(value)}`);
        }
        break;
    }
  }
  return parts.join("\n");
}

/** Tokens of one call's prompt, o200k_base (the GPT-4o family's tokenizer). */
export function promptTokens(options: Pick<LanguageModelV4CallOptions, "tools" | "prompt">): number {
  return countTokens(renderPrompt(options));
}

/** Tokens the model wrote: its text and its tool calls' arguments. */
export function completionTokens(content: LanguageModelV4Content[]): number {
  const text = content
    .map((part) =>
      part.type === "text" ? part.text : part.type === "tool-call" ? `${part.toolName}: ${part.input}` : "",
    )
    .join("\n");
  return countTokens(text);
}
