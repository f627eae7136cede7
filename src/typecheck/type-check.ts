import type { ApiIndex } from "../bridge/api-index.ts";
import { SANDBOX_GLOBALS } from "../typegen/sandbox-globals.ts";
import { CheckerThread } from "./checker-thread.ts";
import { type TypeCheckVerdict, verdictOf } from "./verdict.ts";

export type { TypecheckMode } from "../settings.ts";
export type { TypeCheckVerdict } from "./verdict.ts";

/** A program as `transpile` compiled it: the model's code in its wrapper. */
export interface CheckedProgram {
  source: string;
  lineOffset: number;
  /** Lines of the model's own code. */
  lines: number;
}

/** What the check compares programs against, as the tool currently declares it. */
export interface CheckedApi {
  /** The `declare const api` text of every registered tool. */
  declarations: string;
  index: ApiIndex;
}

/**
 * The type check of one `execute_code` tool: a compiler kept warm on a worker thread, fed the
 * declarations of every registered tool plus the sandbox's globals.
 */
export class ProgramTypeCheck {
  readonly #mode: "error" | "warn";
  readonly #timeoutMs: number;
  readonly #current: () => CheckedApi;
  readonly #thread: CheckerThread;

  /** Starts the checker thread at once; the declarations follow without holding up the caller. */
  constructor(mode: "error" | "warn", timeoutMs: number, current: () => CheckedApi) {
    this.#mode = mode;
    this.#timeoutMs = timeoutMs;
    this.#current = current;
    this.#thread = new CheckerThread("");
    setImmediate(() => this.refresh()).unref();
  }

  /** Hands the current declarations to the thread, which prepares them in the background. */
  refresh(): void {
    this.#thread.setDeclarations(checkedText(this.#current().declarations));
  }

  async check(program: CheckedProgram): Promise<TypeCheckVerdict> {
    const { declarations, index } = this.#current();
    this.#thread.setDeclarations(checkedText(declarations));
    const answer = await this.#thread.check(program, this.#timeoutMs);
    if ("skipped" in answer) {
      return { warnings: [`The type check was skipped (${answer.skipped}); the program ran unchecked.`] };
    }
    return verdictOf(answer.diagnostics, this.#mode, index);
  }

  /** Ends the checker thread. */
  close(): Promise<void> {
    return this.#thread.close();
  }
}

/**
 * The text programs are checked against: the sandbox globals, then the tools' declarations, where
 * a tool without an output schema returns `any`. The model reads `unknown` there and rightly uses
 * the result as it sees fit; checked as `unknown`, every such use would only be a warning, and
 * most MCP tools have no output schema.
 */
export function checkedText(declarations: string): string {
  return `${SANDBOX_GLOBALS}\n${declarations.replace(UNTYPED_RESULT, "): Promise<any>")}`;
}

const UNTYPED_RESULT = /\)\s*:\s*Promise<unknown>/g;
