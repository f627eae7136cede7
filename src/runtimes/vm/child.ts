// The vm runtime's child process: runs each program in a fresh isolated-vm isolate. It holds
// no tools and no secrets; a program that crashes V8 takes down only this process.
import ivm from "isolated-vm";
import { preludeSource } from "../../sandbox/prelude-source.ts";
import type { ExecutionLimits, LogEntry, RawOutcome } from "../executor.ts";
import { memoryMessage, timeoutMessage } from "../messages.ts";
import type { FromChild, ToChild } from "./protocol.ts";

const send = (message: FromChild): void => {
  process.send!(message);
};
const prelude = preludeSource();

/** The execution a sandbox currently serves; set when a prepared sandbox is taken. */
interface Run {
  id: number;
  limits: ExecutionLimits;
  logs: LogEntry[];
  logChars: number;
  logCut: boolean;
  /** Sandbox request ids by host call id, for answers that come back from the host. */
  calls: Map<number, number>;
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
    new ivm.Callback((kind: string, requestId: number, a: string, b: string) => onRequest(sandbox, kind, requestId, a, b), {
      ignored: true,
    }),
  );
  sandbox.deliver = isolate
    .compileScriptSync(prelude, { filename: "code-mode-prelude.js" })
    .runSync(context, { reference: true }) as ivm.Reference<(id: number, json: string) => void>;
  return sandbox;
}

function onRequest(sandbox: Sandbox, kind: string, requestId: number, a: string, b: string): void {
  const run = sandbox.run;
  if (!run) return;
  if (kind === "call") {
    const callId = nextCallId++;
    pendingCalls.set(callId, { sandbox, requestId });
    send({ t: "call", id: run.id, callId, path: String(a), args: String(b) });
  } else if (kind === "sleep") {
    setTimeout(() => answer(sandbox, requestId, ""), Math.min(Number(a) || 0, run.limits.timeoutMs));
  } else if (kind === "log" && !run.logCut) {
    const text = String(b);
    run.logChars += text.length;
    if (run.logChars > run.limits.maxLogChars) {
      run.logCut = true;
      run.logs.push({ level: "warn", message: "[console output cut here: the execution's output limit was reached]" });
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

async function execute({ id, js, apiPaths, limits }: Extract<ToChild, { t: "run" }>): Promise<void> {
  let sandbox: Sandbox;
  let ended: "timeout" | "cancel" | undefined;
  const run: Run = { id, limits, logs: [], logChars: 0, logCut: false, calls: new Map() };
  let outcome: RawOutcome;
  let watchdog: NodeJS.Timeout | undefined;
  try {
    if (spare && spare.memoryLimitMb === limits.memoryLimitMb) {
      sandbox = spare;
      spare = undefined;
    } else {
      sandbox = prepare(limits.memoryLimitMb);
    }
  } catch (error) {
    send({ t: "done", id, outcome: { ok: false, logs: [], error: { kind: "executor", message: `Could not create an isolate: ${String(error)}` } } });
    return;
  }
  sandbox.run = run;
  const { isolate, context } = sandbox;
  const stop = (why: "timeout" | "cancel") => {
    ended ??= why;
    dispose(isolate);
  };
  runs.set(id, { sandbox, cancel: () => stop("cancel") });
  // The watchdog: disposing the isolate stops sync loops, microtask floods and code that
  // loops after an await alike.
  watchdog = setTimeout(() => stop("timeout"), limits.timeoutMs);
  try {
    const options = JSON.stringify({ apiPaths, maxResultChars: limits.maxResultChars, maxLogChars: limits.maxLogChars });
    // The program's first line holds only `async function __main() {`, so this prefix moves no
    // position the model would see.
    const script = isolate.compileScriptSync(`__codeModeFinish(${options}, ${js})`, { filename: "program.js" });
    const reply = (await script.run(context, { promise: true, copy: true })) as string;
    outcome = { ...(JSON.parse(reply) as Omit<RawOutcome, "logs">), logs: run.logs };
  } catch (error) {
    outcome = { ok: false, error: classify(error, isolate, ended, limits), logs: run.logs };
  }
  clearTimeout(watchdog);
  runs.delete(id);
  sandbox.run = undefined;
  send({ t: "done", id, outcome });
  // Disposing and preparing the next sandbox happen after the answer, off the caller's path.
  dispose(isolate);
  if (!spare) {
    setImmediate(() => {
      if (!spare) spare = prepare(limits.memoryLimitMb);
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

spare = prepare(128);
send({ t: "ready" });
