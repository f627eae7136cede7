// The person's terminal, as `code-mode run` uses it: lines written as things happen, and
// questions asked one at a time. While a question is open, other lines wait, so a prompt is
// never broken by a console line of a call running in parallel.
import { openSync } from "node:fs";
import { createInterface, type Interface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import { ReadStream, WriteStream } from "node:tty";

/** Where to write, and (when the person can answer) where to read answers. */
export class Terminal {
  readonly #output: Writable;
  readonly #lines: Interface | undefined;
  readonly #release: () => void;
  /** Questions wait here for the one before them to be answered. */
  #turn: Promise<unknown> = Promise.resolve();
  #open: ((answer: string | undefined) => void) | undefined;
  #held: string[] = [];
  #inputClosed = false;

  constructor(output: Writable, input: Readable | undefined, release: () => void = () => {}) {
    this.#output = output;
    this.#release = release;
    if (!input) return;
    // Read from the start: a line typed before a question appears is dropped, never taken as its answer.
    this.#lines = createInterface({ input, terminal: false });
    this.#lines.on("line", (line) => this.#answer(line));
    this.#lines.on("close", () => {
      this.#inputClosed = true;
      this.#answer(undefined);
    });
  }

  /** Whether questions can be answered here (an input that is still open). */
  get canAsk(): boolean {
    return this.#lines !== undefined && !this.#inputClosed;
  }

  /** Writes a line now, or after the open question is answered. */
  say(line: string): void {
    if (this.#open) this.#held.push(line);
    else this.#output.write(`${line}\n`);
  }

  /**
   * Asks after the questions before it; resolves with the line typed, or undefined when `signal`
   * aborts first (the prompt is then ended and nothing more is read for it) or the input closed.
   */
  ask(prompt: string, signal: AbortSignal): Promise<string | undefined> {
    const asked = this.#turn.then(() => this.#ask(prompt, signal));
    this.#turn = asked;
    // A question still waiting for its turn gives up at once when its signal aborts.
    return new Promise((resolve) => {
      const onAbort = () => resolve(undefined);
      signal.addEventListener("abort", onAbort, { once: true });
      asked.then((answer) => {
        signal.removeEventListener("abort", onAbort);
        resolve(answer);
      });
    });
  }

  /** Stops reading (so the process can exit) and writes what was held. */
  close(): void {
    this.#lines?.close();
    this.#flush();
    this.#release();
  }

  async #ask(prompt: string, signal: AbortSignal): Promise<string | undefined> {
    // Lets lines about the last answer (written a moment later) come before the next prompt.
    await new Promise(setImmediate);
    if (signal.aborted || !this.canAsk) return undefined;
    this.#output.write(prompt);
    return new Promise((resolve) => {
      const onAbort = () => {
        // The prompt line stays unfinished: end it so the next line starts clean.
        this.#output.write("\n");
        this.#answer(undefined);
      };
      this.#open = (answer) => {
        signal.removeEventListener("abort", onAbort);
        this.#open = undefined;
        this.#flush();
        resolve(answer);
      };
      signal.addEventListener("abort", onAbort, { once: true });
    });
  }

  #answer(line: string | undefined): void {
    // A line typed while no question is open answers nothing.
    this.#open?.(line);
  }

  #flush(): void {
    const held = this.#held;
    this.#held = [];
    for (const line of held) this.#output.write(`${line}\n`);
  }
}

/**
 * The terminal of this process: standard error to write to when it is one (else /dev/tty), and,
 * with `input`, standard input to read answers from when it is one (else /dev/tty, as for
 * `run -`). Undefined when there is nowhere to write; without a place to read, it cannot ask.
 */
export function openTerminal(options: { input: boolean }): Terminal | undefined {
  const opened: { destroy(): void }[] = [];
  const release = () => {
    for (const stream of opened) stream.destroy();
  };
  const own = <T extends { destroy(): void }>(stream: T): T => {
    opened.push(stream);
    return stream;
  };
  const output = process.stderr.isTTY ? process.stderr : attempt(() => own(new WriteStream(openSync("/dev/tty", "w"))));
  if (!output) return undefined;
  const input = !options.input
    ? undefined
    : process.stdin.isTTY
      ? process.stdin
      : attempt(() => own(new ReadStream(openSync("/dev/tty", "r"))));
  return new Terminal(output, input, release);
}

// Opening /dev/tty fails without a controlling terminal (a service, CI, a detached process).
function attempt<T>(open: () => T): T | undefined {
  try {
    return open();
  } catch {
    return undefined;
  }
}

// C0 and C1 controls but newline and tab, and the invisible format characters (zero-width,
// bidirectional overrides, line separators): a program's text must not move the cursor, recolour
// the terminal or reorder what it shows (and so fake or hide a prompt).
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point.
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

/** Text from a program made safe to show on a terminal: control characters shown as \u escapes. */
export function printable(text: string): string {
  return text.replace(CONTROLS, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** What a program wrote, as live lines: printable, and every line behind a margin no prompt has. */
export function programLines(text: string, margin = PROGRAM_MARGIN): string {
  return printable(text)
    .split("\n")
    .map((line) => `${margin}${line}`)
    .join("\n");
}

/** Prompts start at the left edge; what a program writes starts behind this, so it cannot pose as one. */
export const PROGRAM_MARGIN = "  | ";
