import type { ExecutionLimits, LogLevel, RawOutcome } from "../executor.ts";

/** Messages between the vm runtime's host and its child processes (Node IPC, JSON). */
export type ToChild =
  | { t: "run"; id: number; js: string; apiPaths: string[][]; limits: ExecutionLimits }
  | { t: "reply"; id: number; callId: number; json: string }
  | { t: "cancel"; id: number }
  /** Call `callId` waits for a person: the program's clock stops until `release` (or its reply). */
  | { t: "hold"; id: number; callId: number }
  | { t: "release"; id: number; callId: number };

export type FromChild =
  | { t: "ready" }
  | { t: "call"; id: number; callId: number; path: string; args: string }
  /** A console line, sent as the program writes it (within the limits). */
  | { t: "log"; id: number; level: LogLevel; message: string }
  /** The outcome; its `logs` are empty, every line came before in `log` messages. */
  | { t: "done"; id: number; outcome: RawOutcome }
  /** An isolate ignored termination (stuck in a builtin): retire this process once it is idle. */
  | { t: "wedged" };
