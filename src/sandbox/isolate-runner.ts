// The sandbox core, shared by both runtimes: it runs each program in a fresh isolated-vm isolate
// with the prelude, a heap limit and a wall-clock watchdog, refuses calls past the limits before
// they cross, keeps console output within its cap, and reports one checked outcome. The vm
// runtime's child processes use it; so does the runner inside each docker container, where the
// container is a second wall around the isolate.
//
// Trusted side: this code runs outside the isolate. It holds no tools and no secrets, and imports
// nothing from the host layers but types (the container runner is bundled from it).
import ivm from "isolated-vm";
import type { ExecutionLimits, LogEntry, RawError, RawOutcome } from "../runtimes/executor.ts";
import { PausableTimer } from "./pausable-timer.ts";
import {
  callLimitMessage,
  cancelledError,
  checkedOutcome,
  inputLimitMessage,
  isOutOfMemory,
  LogCap,
  limitReply,
  memoryError,
  timeoutError,
} from "./verdicts.ts";

/** After this long, an isolate that was told to stop and did not is wedged in a builtin. */
const WEDGED_AFTER_MS = 3000;
/** While the clock is held, how often the program's CPU time is checked against what is left. */
const HELD_CPU_CHECK_MS = 100;

/** How a running program reaches whoever carries its calls and its console to the host. */
export interface CoreLink {
  /** A call for the host's bridge; its answer comes back through `RunningProgram.answer(callId, json)`. */
  call(callId: number, path: string, argsJson: string): void;
  /** A console line, within the limits, the moment the program writes it. */
  log(entry: LogEntry): void;
  /** The isolate ignored its disposal (a builtin that ignores termination): its thread may spin on. */
  wedged?(): void;
}

/** One program for the core: JavaScript from `transpile`, its `api` paths and its limits. */
export interface CoreProgram {
  js: string;
  apiPaths: string[][];
  limits: ExecutionLimits;
  /** Echoed by the prelude's `done`, so a warm-up's report is never taken for this run's. */
  runId: number;
}

export interface RunningProgram {
  /** The outcome, once: the program's own (checked), or the core's verdict (timeout, memory, cancelled). */
  readonly outcome: Promise<RawOutcome>;
  /** Answers a call the core handed to `CoreLink.call`; later answers to the same call are ignored. */
  answer(callId: number, json: string): void;
  /** Stops the program now; it ends as cancelled. */
  cancel(): void;
  /**
   * Call `callId` waits for a person (an approval) until `release` (or its answer). While the
   * program waits for nothing else (no other call in flight, no sleep), its clock stops; CPU it
   * burns meanwhile still counts, so a held clock never buys a busy loop time.
   */
  hold(callId: number): void;
  release(callId: number): void;
}

/** An isolate with its context and prelude, made before a program needs it. */
interface Sandbox {
  isolate: ivm.Isolate;
  context: ivm.Context;
  deliver: ivm.Reference<(id: number, json: string) => void>;
  memoryLimitMb: number;
  /** Requests from the prelude; set when a run takes the sandbox. */
  onRequest?: (kind: string, requestId: number, a: string, b: string) => void;
}

export class IsolateCore {
  readonly #prelude: string;
  #spare: Sandbox | undefined;

  /** `prelude` is the prelude's bundled source (`preludeSource()`), evaluated in every isolate. */
  constructor(prelude: string) {
    this.#prelude = prelude;
  }

  /** Makes the sandbox for the next run ahead of need, off the program's path. Never throws. */
  prepareSpare(memoryLimitMb: number): void {
    if (this.#spare) return;
    try {
      this.#spare = this.#prepare(memoryLimitMb);
    } catch {
      // The next run makes its own sandbox and reports the failure, if it persists.
    }
  }

  /** Runs one program in a fresh isolate (the spare, when its memory limit fits). */
  start(program: CoreProgram, link: CoreLink): RunningProgram {
    const { limits, runId } = program;
    let sandbox: Sandbox;
    try {
      const spare = this.#spare;
      this.#spare = undefined;
      if (spare && spare.memoryLimitMb === limits.memoryLimitMb) sandbox = spare;
      else {
        if (spare) dispose(spare.isolate);
        sandbox = this.#prepare(limits.memoryLimitMb);
      }
    } catch (error) {
      const message = `Could not create an isolate: ${String(error)}`;
      return {
        outcome: Promise.resolve({ ok: false, logs: [], error: { kind: "executor", message } }),
        answer() {},
        cancel() {},
        hold() {},
        release() {},
      };
    }
    const { isolate, context } = sandbox;
    const logs = new LogCap(limits.maxLogChars);
    const sleeps = new Set<NodeJS.Timeout>();
    const answered = new Set<number>();
    let calls = 0;
    let ended: "timeout" | "cancel" | undefined;
    let settled = false;
    let over = false;
    let resolveOutcome!: (outcome: RawOutcome) => void;
    const outcome = new Promise<RawOutcome>((resolve) => {
      resolveOutcome = resolve;
    });
    const answer = (requestId: number, json: string) => {
      if (over || isolate.isDisposed || answered.has(requestId)) return;
      answered.add(requestId);
      // An answered call waits for nobody: its hold, if the host's release got lost, ends here.
      inFlight.delete(requestId);
      held.delete(requestId);
      updateClock();
      try {
        sandbox.deliver.applyIgnored(undefined, [requestId, json]);
      } catch {
        // The isolate went away meanwhile (timeout, memory); its run reports that.
      }
    };
    const finish = (checked: Omit<RawOutcome, "logs">) => {
      if (over) return;
      over = true;
      clock.clear();
      clearInterval(heldCheck);
      for (const timer of sleeps) clearTimeout(timer);
      sandbox.onRequest = undefined;
      resolveOutcome({ ...checked, logs: logs.entries });
      // The isolate goes after the answer, off the caller's path.
      setImmediate(() => dispose(isolate));
    };
    const stop = (why: "timeout" | "cancel") => {
      if (over) return;
      ended ??= why;
      dispose(isolate);
      // A thread that does not stop would burn a core in this process for good.
      setTimeout(() => settled || link.wedged?.(), WEDGED_AFTER_MS).unref();
      // Answer now: a builtin that ignores termination may keep the isolate's thread busy a while.
      finish({ ok: false, error: classify(new Error("stopped"), isolate, ended, limits) });
    };

    sandbox.onRequest = (kind, requestId, a, b) => {
      if (over) return;
      if (kind === "call") {
        // Refused here, before anything crosses; the host's bridge counts again and stays the authority.
        if (++calls > limits.maxToolCalls)
          return answer(requestId, limitReply(callLimitMessage(a, limits.maxToolCalls)));
        if (b.length > limits.maxToolInputChars) {
          return answer(requestId, limitReply(inputLimitMessage(a, b.length, limits.maxToolInputChars)));
        }
        inFlight.add(requestId);
        updateClock();
        link.call(requestId, a, b);
      } else if (kind === "sleep") {
        const timer = setTimeout(
          () => {
            sleeps.delete(timer);
            answer(requestId, "");
          },
          Math.min(Math.max(0, Number(a) || 0), limits.timeoutMs),
        );
        sleeps.add(timer);
        updateClock();
      } else if (kind === "done" && requestId === runId) {
        let reported: unknown;
        try {
          reported = JSON.parse(a);
        } catch {
          reported = undefined;
        }
        finish(checkedOutcome(reported, limits));
      } else if (kind === "log") {
        for (const entry of logs.add(a, b)) link.log(entry);
      }
    };

    // The watchdog: disposing the isolate stops sync loops, microtask floods and code that
    // loops after an await alike. Its clock stops only while the program does nothing but wait for
    // a person: every call in flight waits for approval, and no sleep runs. CPU burnt meanwhile
    // still counts, so a held clock never buys a busy loop time.
    const clock = new PausableTimer(limits.timeoutMs, () => stop("timeout"));
    const inFlight = new Set<number>();
    const held = new Set<number>();
    let heldCheck: NodeJS.Timeout | undefined;
    let cpuAtHold = 0;
    const cpuMs = () => (isolate.isDisposed ? 0 : Number(isolate.cpuTime) / 1e6);
    const updateClock = () => {
      if (over) return;
      const waitingForPeople = held.size > 0 && sleeps.size === 0 && [...inFlight].every((id) => held.has(id));
      if (waitingForPeople === clock.held) return;
      if (waitingForPeople) {
        cpuAtHold = cpuMs();
        clock.hold();
        heldCheck = setInterval(() => {
          if (cpuMs() - cpuAtHold >= clock.remainingMs) stop("timeout");
        }, HELD_CPU_CHECK_MS);
      } else {
        clearInterval(heldCheck);
        clock.release(cpuMs() - cpuAtHold);
      }
    };
    const hold = (callId: number) => {
      if (over || !inFlight.has(callId)) return;
      held.add(callId);
      updateClock();
    };
    const release = (callId: number) => {
      if (held.delete(callId)) updateClock();
    };
    try {
      // Every limit reaches the prelude, so limits it learns to enforce need no change here.
      const options = JSON.stringify({ ...limits, apiPaths: program.apiPaths, runId });
      // The program's first line holds only `async function __main() {`, so this prefix moves no
      // position the model would see. The prelude reports through `done`, not through run()'s value.
      const script = isolate.compileScriptSync(`__codeModeFinish(${options}, ${program.js});`, {
        filename: "program.js",
      });
      script.run(context).then(
        () => {
          settled = true;
        },
        (error: unknown) => {
          settled = true;
          if (isolate.isDisposed || ended) {
            finish({ ok: false, error: classify(error, isolate, ended, limits) });
          } else if (!over) {
            // isolated-vm reports a promise rejection nobody handled; the program goes on.
            const message = error instanceof Error ? error.message : String(error);
            for (const entry of logs.add("warn", `Unhandled promise rejection: ${message}`)) link.log(entry);
          }
        },
      );
    } catch (error) {
      finish({ ok: false, error: classify(error, isolate, ended, limits) });
    }
    return { outcome, answer, cancel: () => stop("cancel"), hold, release };
  }

  #prepare(memoryLimitMb: number): Sandbox {
    const isolate = new ivm.Isolate({ memoryLimit: memoryLimitMb });
    try {
      const context = isolate.createContextSync();
      const sandbox = { isolate, context, memoryLimitMb } as Sandbox;
      context.global.setSync(
        "__cm_send",
        new ivm.Callback(
          (kind: string, requestId: number, a: string, b: string) =>
            sandbox.onRequest?.(String(kind), Number(requestId), String(a), String(b)),
          { ignored: true },
        ),
      );
      sandbox.deliver = isolate
        .compileScriptSync(this.#prelude, { filename: "code-mode-prelude.js" })
        .runSync(context, { reference: true }) as ivm.Reference<(id: number, json: string) => void>;
      // A fresh isolate compiles functions on first call; one throwaway run through the prelude
      // moves that cost here. Its `done` carries run id 0, which no run has.
      isolate
        .compileScriptSync(
          `__codeModeFinish({ apiPaths: [["warm", "up"]], maxResultChars: 100, maxLogChars: 100, maxToolCalls: 1, maxToolInputChars: 100, runId: 0, warmUp: true }, async function () { return { warm: [1, "x", null] }; });`,
        )
        .runSync(context);
      return sandbox;
    } catch (error) {
      dispose(isolate);
      throw error;
    }
  }
}

function classify(
  error: unknown,
  isolate: ivm.Isolate,
  ended: "timeout" | "cancel" | undefined,
  limits: ExecutionLimits,
): RawError {
  const message = error instanceof Error ? error.message : String(error);
  if (ended === "timeout") return timeoutError(limits);
  if (isOutOfMemory(message)) return memoryError(limits);
  if (ended === "cancel") return cancelledError();
  if (isolate.isDisposed) return memoryError(limits);
  // A throw during the program's own top-level evaluation (the prelude catches the rest).
  const stack = error instanceof Error ? error.stack : undefined;
  return { kind: "runtime", message, ...(stack && { stack }) };
}

function dispose(isolate: ivm.Isolate): void {
  if (!isolate.isDisposed) {
    try {
      isolate.dispose();
    } catch {
      // Already being disposed.
    }
  }
}
