// Runs INSIDE the container, as `node --experimental-vm-modules --input-type=module -e <this>`.
// No imports from host code: the host bundles this file with the prelude's source (the
// `__CODE_MODE_PRELUDE__` constant) and sends it as the exec's command.
//
// Protocol: newline-delimited JSON on stdin and stdout, one message per line (JSON.stringify
// escapes every newline inside strings, so a line is always a whole message).
//   host -> runner: {t:"run", js, apiPaths, limits, toolCallTimeoutMs}
//                   {t:"reply", id, json}             the answer to call `id`
//   runner -> host: {t:"ready"}                        first, once the sandbox is made
//                   {t:"call", id, path, args}        an `api.*` call, args as JSON text
//                   {t:"log", level, text}
//                   {t:"done", outcome}                {ok, resultJson?, resultCut?, error?}
// The container is the security boundary; the program still gets a fresh context with nothing
// but ECMAScript built-ins and the prelude (no require, process, import()).
import vm from "node:vm";

declare const __CODE_MODE_PRELUDE__: string;

interface RunMessage {
  t: "run";
  js: string;
  apiPaths: string[][];
  /** The execution's limits, handed to the prelude spread flat. */
  limits: Record<string, number>;
  toolCallTimeoutMs: number;
}

// Captured before any program code runs.
const stringify = JSON.stringify;
const MAX_DELAY = 2 ** 31 - 1;

function write(message: unknown): void {
  process.stdout.write(`${stringify(message)}\n`);
}

const pending = new Map<number, NodeJS.Timeout>();
let started = false;
let finished = false;
let toolCallTimeoutMs = 120_000;

function answer(id: number, json: string): void {
  const timer = pending.get(id);
  if (timer === undefined) return;
  clearTimeout(timer);
  pending.delete(id);
  try {
    deliver(id, json);
  } catch {
    // The program's own failure surfaces through its promise.
  }
}

// The prelude's only way out. It must never throw: an error of this realm would leak it.
function onSend(kind: unknown, id: unknown, a: unknown, b: unknown): void {
  if (finished) return;
  try {
    const requestId = Number(id);
    if (kind === "call") {
      const path = String(a);
      const seconds = toolCallTimeoutMs / 1000;
      const giveUp = () => {
        const error = {
          kind: "tool",
          message: `api.${path} got no answer within ${seconds} s and was given up inside the container (docker.toolCallTimeout). Do not wait on it again; carry on without it or try later.`,
        };
        answer(requestId, stringify({ ok: false, error }));
      };
      pending.set(requestId, setTimeout(giveUp, toolCallTimeoutMs));
      write({ t: "call", id: requestId, path, args: String(b) });
    } else if (kind === "sleep") {
      const ms = Math.min(MAX_DELAY, Math.max(0, Number(a) || 0));
      pending.set(
        requestId,
        setTimeout(() => answer(requestId, ""), ms),
      );
    } else if (kind === "log") {
      write({ t: "log", level: String(a), text: String(b) });
    } else if (kind === "done") {
      let outcome: unknown;
      try {
        outcome = JSON.parse(String(a));
      } catch {
        outcome = { ok: false, error: { kind: "runtime", message: "The program's answer could not be read." } };
      }
      finish(outcome);
    }
  } catch {
    // Nothing to report to: the program carries on.
  }
}

// The sandbox is made while the runner waits for its program, off the execution's path.
const context = vm.createContext(vm.constants.DONT_CONTEXTIFY) as Record<string, unknown>;
const ContextError = vm.runInContext("Error", context) as ErrorConstructor;
// Without this, import() rejects with an error of the runner's realm, whose constructor
// reaches `process`; this one belongs to the program's realm.
const importModuleDynamically = (() => {
  throw new ContextError("import() is not available: there are no modules in the sandbox, only `api`.");
}) as unknown as vm.ScriptOptions["importModuleDynamically"];
context.__cm_send = onSend;
const deliver = new vm.Script(__CODE_MODE_PRELUDE__, {
  filename: "code-mode-prelude.js",
  importModuleDynamically,
}).runInContext(context) as (id: number, json: string) => void;

function run(message: RunMessage): void {
  toolCallTimeoutMs = message.toolCallTimeoutMs;
  const options = stringify({ ...message.limits, apiPaths: message.apiPaths });
  try {
    // The program's first line holds only `async function __main() {`: positions stay the model's.
    // The prelude reports the outcome through `done`, not through the script's value.
    new vm.Script(`__codeModeFinish(${options}, ${message.js});`, {
      filename: "program.js",
      importModuleDynamically,
    }).runInContext(context);
  } catch (error) {
    finish({ ok: false, error: describe(error) });
  }
}

/** A throw during the program's own top-level evaluation (the prelude catches the rest). */
function describe(error: unknown): { kind: string; message: string; stack?: string } {
  try {
    if (error instanceof Error || (typeof error === "object" && error !== null && "message" in error)) {
      const e = error as Error;
      const name = String(e.name);
      const stack = typeof e.stack === "string" ? e.stack.slice(0, 4000) : undefined;
      return { kind: "runtime", message: `${name}: ${String(e.message)}`, ...(stack && { stack }) };
    }
    return { kind: "runtime", message: String(error) };
  } catch {
    return { kind: "runtime", message: "The program failed with an unprintable error." };
  }
}

function finish(outcome: unknown): void {
  if (finished) return;
  finished = true;
  // Timers the program left behind must not keep this process alive, but a pipe that is full
  // takes the rest of a large line later: exit once it is written, not before.
  process.stdout.write(`${stringify({ t: "done", outcome })}\n`, () => process.exit(0));
}

let buffered = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk: string) => {
  // Only the new chunk is searched: a tool result may be megabytes long.
  let end = chunk.indexOf("\n");
  if (end < 0) {
    buffered += chunk;
    return;
  }
  let line = buffered + chunk.slice(0, end);
  let from = end + 1;
  for (;;) {
    if (line) onMessage(JSON.parse(line));
    end = chunk.indexOf("\n", from);
    if (end < 0) break;
    line = chunk.slice(from, end);
    from = end + 1;
  }
  buffered = chunk.slice(from);
});
// A rejection nobody handled must not end the runner (Node's default); as in the vm runtime,
// the program goes on and it is not reported.
process.on("unhandledRejection", () => {});
// The host went away: nothing left to serve.
process.stdin.on("end", () => process.exit(0));

function onMessage(message: { t: string; id?: number; json?: string }): void {
  if (message.t === "run" && !started) {
    started = true;
    run(message as RunMessage);
  } else if (message.t === "reply") {
    answer(Number(message.id), String(message.json));
  }
}

write({ t: "ready" });
