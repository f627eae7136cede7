// The vm runtime's child process: runs each program in a fresh isolated-vm isolate. It holds
// no tools and no secrets; a program that crashes V8 takes down only this process.
import ivm from "isolated-vm";
import { preludeSource } from "../../sandbox/prelude-source.ts";
import { DEFAULTS } from "../../settings.ts";
import type { ExecutionLimits, LogEntry, RawOutcome } from "../executor.ts";
import { memoryMessage, timeoutMessage } from "../messages.ts";
import { CUT_NOTE, checkedOutcome } from "../outcome.ts";
import type { FromChild, ToChild } from "./protocol.ts";

const send = (message: FromChild): void => {
  process.send!(message);
};
const prelude = preludeSource();
const WEDGED_AFTER_MS = 3000;

/** The execution a sandbox currently serves; set when a prepared sandbox is taken. */
interface Run {
  id: number;
  limits: ExecutionLimits;
  logs: LogEntry[];
  logChars: number;
  logCut: boolean;
  /** Ends the execution with its outcome; only the first call counts. */
  finish(outcome: Omit<RawOutcome, "logs">): void;
}

/** An isolate with its context and prelude, made before a program needs it. */
interface Sandbox {
  isolate: ivm.Isolate;
  context: ivm.Context;
  deliver: ivm.Reference<(id: number, json: string) => void>;
  memoryLimitMb: number;
  run?: Run;
}

const runs = new Map<number, { sandbox: Sandbox; cancel(): void }>();
const pendingCalls = new Map<number, { sandbox: Sandbox; requestId: number }>();
let nextCallId = 1;
let spare: Sandbox | undefined;

function prepare(memoryLimitMb: number): Sandbox {
  const isolate = new ivm.Isolate({ memoryLimit: memoryLimitMb });
  const context = isolate.createContextSync();
  const sandbox = { isolate, context, memoryLimitMb } as Sandbox;
  context.global.setSync(
    "__cm_send",
    new ivm.Callback(
      (kind: string, requestId: number, a: string, b: string) => onRequest(sandbox, kind, requestId, a, b),
      {
        ignored: true,
      },
    ),
  );
  sandbox.deliver = isolate
    .compileScriptSync(prelude, { filename: "code-mode-prelude.js" })
    .runSync(context, { reference: true }) as ivm.Reference<(id: number, json: string) => void>;
  // A fresh isolate compiles functions on first call; one throwaway run through the runner moves
  // that cost here, off the program's path. Its `done` carries run id 0, which no run has.
  isolate
    .compileScriptSync(
      `__codeModeFinish({ apiPaths: [["warm", "up"]], maxResultChars: 100, maxLogChars: 100, runId: 0, warmUp: true }, async function () { return { warm: [1, "x", null] }; });`,
    )
    .runSync(context);
  return sandbox;
}

function onRequest(sandbox: Sandbox, kind: string, requestId: number, a: string, b: string): void {
  const run = sandbox.run;
  if (!run) return;
  if (kind === "call") {
    if (String(b).length > run.limits.maxToolInputChars) {
      // Refused here too, so an oversized input never crosses to the host; the bridge has the same rule.
      const message = `api.${String(a).slice(0, 200)} got ${String(b).length} characters of input, more than the ${run.limits.maxToolInputChars} a call may send. Send less per call.`;
      answer(sandbox, requestId, JSON.stringify({ ok: false, error: { kind: "limit", message } }));
      return;
    }
    const callId = nextCallId++;
    pendingCalls.set(callId, { sandbox, requestId });
    send({ t: "call", id: run.id, callId, path: String(a), args: String(b) });
  } else if (kind === "sleep") {
    setTimeout(() => answer(sandbox, requestId, ""), Math.min(Number(a) || 0, run.limits.timeoutMs));
  } else if (kind === "done" && requestId === run.id) {
    let reported: unknown;
    try {
      reported = JSON.parse(String(a));
    } catch {
      reported = undefined;
    }
    run.finish(checkedOutcome(reported, run.limits.maxResultChars));
  } else if (kind === "log" && !run.logCut) {
    const text = String(b);
    run.logChars += text.length;
    // The prelude cuts at maxLogChars and adds its note; this is the backstop.
    if (run.logChars > run.limits.maxLogChars + 1000) {
      run.logCut = true;
      run.logs.push({ level: "warn", message: CUT_NOTE });
    } else {
      run.logs.push({ level: String(a) as LogEntry["level"], message: text });
    }
  }
}

function answer(sandbox: Sandbox, requestId: number, json: string): void {
  if (sandbox.isolate.isDisposed) return;
  try {
    sandbox.deliver.applyIgnored(undefined, [requestId, json]);
  } catch {
    // The isolate went away meanwhile (timeout, memory); its run reports that.
  }
}

process.on("message", (message: ToChild) => {
  switch (message.t) {
    case "run":
      void execute(message);
      break;
    case "reply": {
      const call = pendingCalls.get(message.callId);
      if (call) {
        pendingCalls.delete(message.callId);
        answer(call.sandbox, call.requestId, message.json);
      }
      break;
    }
    case "cancel":
      runs.get(message.id)?.cancel();
      break;
  }
});
// The host went away: nothing left to serve.
process.on("disconnect", () => process.exit(0));
// Ctrl-C reaches the whole process group; the host decides when this process ends.
process.on("SIGINT", () => {});

async function execute({ id, js, apiPaths, limits }: Extract<ToChild, { t: "run" }>): Promise<void> {
  let sandbox: Sandbox;
  try {
    if (spare && spare.memoryLimitMb === limits.memoryLimitMb) {
      sandbox = spare;
      spare = undefined;
    } else {
      sandbox = prepare(limits.memoryLimitMb);
    }
  } catch (error) {
    const message = `Could not create an isolate: ${String(error)}`;
    send({ t: "done", id, outcome: { ok: false, logs: [], error: { kind: "executor", message } } });
    return;
  }
  const { isolate, context } = sandbox;
  let ended: "timeout" | "cancel" | undefined;
  let resolveOutcome!: (outcome: Omit<RawOutcome, "logs">) => void;
  const outcome = new Promise<Omit<RawOutcome, "logs">>((resolve) => {
    resolveOutcome = resolve;
  });
  const run: Run = { id, limits, logs: [], logChars: 0, logCut: false, finish: resolveOutcome };
  sandbox.run = run;
  let settled = false;
  const stop = (why: "timeout" | "cancel") => {
    ended ??= why;
    dispose(isolate);
    // A thread that does not stop would burn a core in this process for good.
    setTimeout(() => settled || send({ t: "wedged" }), WEDGED_AFTER_MS).unref();
    // Answer now: a builtin that ignores termination may keep the isolate's thread busy a while.
    run.finish({ ok: false, error: classify(new Error("stopped"), isolate, ended, limits) });
  };
  runs.set(id, { sandbox, cancel: () => stop("cancel") });
  // The watchdog: disposing the isolate stops sync loops, microtask floods and code that
  // loops after an await alike.
  const watchdog = setTimeout(() => stop("timeout"), limits.timeoutMs);
  try {
    const options = JSON.stringify({
      apiPaths,
      maxResultChars: limits.maxResultChars,
      maxLogChars: limits.maxLogChars,
      runId: id,
    });
    // The program's first line holds only `async function __main() {`, so this prefix moves no
    // position the model would see. The runner reports through `done`, not through run()'s value.
    const script = isolate.compileScriptSync(`__codeModeFinish(${options}, ${js});`, { filename: "program.js" });
    script.run(context).then(
      () => {
        settled = true;
      },
      (error: unknown) => {
        settled = true;
        if (isolate.isDisposed || ended) {
          run.finish({ ok: false, error: classify(error, isolate, ended, limits) });
        } else {
          // isolated-vm reports a promise rejection nobody handled; the program goes on.
          const message = error instanceof Error ? error.message : String(error);
          run.logs.push({ level: "warn", message: `Unhandled promise rejection: ${message}` });
        }
      },
    );
  } catch (error) {
    run.finish({ ok: false, error: classify(error, isolate, ended, limits) });
  }
  const result = { ...(await outcome), logs: run.logs };
  clearTimeout(watchdog);
  runs.delete(id);
  sandbox.run = undefined;
  send({ t: "done", id, outcome: result });
  // Disposing and preparing the next sandbox happen after the answer, off the caller's path.
  dispose(isolate);
  if (!spare) {
    setImmediate(() => {
      try {
        spare ??= prepare(limits.memoryLimitMb);
      } catch {
        // The next run makes its own sandbox and reports the failure, if it persists.
      }
    });
  }
}

function classify(error: unknown, isolate: ivm.Isolate, ended: string | undefined, limits: ExecutionLimits) {
  const message = error instanceof Error ? error.message : String(error);
  if (ended === "timeout") return { kind: "timeout" as const, message: timeoutMessage(limits.timeoutMs) };
  if (/memory limit|out of memory|Array buffer allocation failed/i.test(message)) {
    return { kind: "memory" as const, message: memoryMessage(limits.memoryLimitMb) };
  }
  if (ended === "cancel") return { kind: "executor" as const, message: "The execution was cancelled by the host." };
  if (isolate.isDisposed) return { kind: "memory" as const, message: memoryMessage(limits.memoryLimitMb) };
  // A throw during the program's own top-level evaluation (the runner catches the rest).
  const stack = error instanceof Error ? error.stack : undefined;
  return { kind: "runtime" as const, message, ...(stack && { stack }) };
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

// The memory limit most runs will use comes as the first argument.
spare = prepare(Number(process.argv[2]) || DEFAULTS.memoryLimit);
send({ t: "ready" });
