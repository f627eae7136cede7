import type { Stream } from "node:stream";

/** Keeps the last few kilobytes a server wrote to stderr, for error messages. */
export class StderrTail {
  #text = "";
  readonly #maxChars: number;

  constructor(maxChars = 4000) {
    this.#maxChars = maxChars;
  }

  /** Reads a stream to its end; the stream must be drained anyway, or the server blocks on a full pipe. */
  follow(stream: Stream | null): void {
    stream?.on("data", (chunk: Buffer | string) => this.add(String(chunk)));
  }

  add(text: string): void {
    this.#text = (this.#text + text).slice(-this.#maxChars);
  }

  clear(): void {
    this.#text = "";
  }

  /** The last `lines` non-empty lines, or "" when the server said nothing. */
  lines(lines = 12): string {
    return this.#text
      .split(/\r?\n/)
      .filter((line) => line.trim() !== "")
      .slice(-lines)
      .join("\n");
  }

  /** ` Its stderr ended with:\n...` or "", ready to append to a message. */
  suffix(): string {
    const tail = this.lines();
    return tail ? `\nIts stderr ended with:\n${indent(tail)}` : " It wrote nothing to stderr.";
  }
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((line) => `  | ${line}`)
    .join("\n");
}
