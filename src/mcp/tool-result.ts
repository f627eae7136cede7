/** The parts of a `tools/call` result we read. */
export interface CallResult {
  content?: unknown[];
  structuredContent?: unknown;
  isError?: boolean;
}

/**
 * What a program receives from an MCP tool: `structuredContent` when the server sent it; else
 * the content: one text part becomes its text (parsed when it is JSON), several parts become an
 * array of the same (non-text parts, such as images, stay MCP content objects); no content is
 * `undefined`. A result with `isError` throws, with the server's text as the message.
 */
export function toolResultValue(result: CallResult): unknown {
  const content = Array.isArray(result.content) ? result.content : [];
  if (result.isError) throw new Error(errorText(content));
  if (result.structuredContent !== undefined && result.structuredContent !== null) return result.structuredContent;
  if (content.length === 0) return undefined;
  const values = content.map(partValue);
  return values.length === 1 ? values[0] : values;
}

function partValue(part: unknown): unknown {
  if (!isText(part)) return part;
  try {
    return JSON.parse(part.text);
  } catch {
    return part.text;
  }
}

function errorText(content: unknown[]): string {
  const text = content
    .filter(isText)
    .map((part) => part.text.trim())
    .filter(Boolean)
    .join("\n");
  return text || "the server reported an error without a message";
}

function isText(part: unknown): part is { type: "text"; text: string } {
  return (
    typeof part === "object" &&
    part !== null &&
    (part as { type?: unknown }).type === "text" &&
    typeof (part as { text?: unknown }).text === "string"
  );
}
