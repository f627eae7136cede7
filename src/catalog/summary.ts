/**
 * The first sentence of a tool's description, on one line, cut to `maxWords` words ("…" marks a
 * cut). Descriptions come from other people's servers: anything but a string summarizes to "".
 */
export function summarize(description: unknown, maxWords = 30): string {
  if (typeof description !== "string") return "";
  // The first paragraph line; then its first sentence (a full stop followed by a space).
  const line = description.trim().split(/\n/, 1)[0] ?? "";
  const sentence = line.split(/(?<=[.!?])\s/, 1)[0] ?? "";
  const words = sentence.replace(/\s+/g, " ").trim().replace(/[.:]$/, "").split(" ");
  if (words.length <= maxWords) return words.join(" ");
  return `${words.slice(0, maxWords).join(" ")}…`;
}
