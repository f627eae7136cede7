// What the host and the checker thread say to each other. Plain data only: it crosses
// `postMessage`, and the host side never loads the compiler.

/** One program to check: the TypeScript `transpile` compiled, wrapper included. */
export interface CheckRequest {
  t: "check";
  id: number;
  source: string;
  /** Lines the wrapper adds before the model's first line. */
  lineOffset: number;
  /** Lines of the model's own code: diagnostics past them are in the wrapper. */
  lines: number;
}

/** The declarations every program is checked against (tools and sandbox globals). */
export interface DeclarationsMessage {
  t: "declarations";
  text: string;
}

export type ToChecker = CheckRequest | DeclarationsMessage;

export type FromChecker =
  | { t: "checked"; id: number; diagnostics: FoundDiagnostic[] }
  | { t: "failed"; id: number; message: string };

/** What the program does wrong, as the checker classified it. */
export type Misuse =
  /** A member of `api` (or of a namespace under it) that does not exist; `path` is the whole wanted path. */
  | { kind: "unknown-api"; path: string[] }
  /** A call of the tool at `path` whose arguments cannot be right. */
  | { kind: "tool-input"; path: string[] }
  /** A namespace of `api` called as if it were a tool. */
  | { kind: "not-a-tool"; path: string[] }
  /** A name the sandbox does not have (`require`, `process`, `fetch`, `document`...). */
  | { kind: "unknown-name"; name: string }
  /** A call of something that is not a function in any case. */
  | { kind: "not-callable" };

export interface FoundDiagnostic {
  /** The compiler's diagnostic code (TS2339 is 2339). */
  code: number;
  /** The compiler's words, flattened to one paragraph. */
  message: string;
  /** The model's own line and column; absent when the diagnostic is in the wrapper. */
  line?: number;
  column?: number;
  /** Set when the diagnostic means certain failure or misuse of `api`: it blocks in "error" mode. */
  misuse?: Misuse;
}
