// Runs INSIDE the container, as `node --no-node-snapshot --input-type=module -e <this> <memoryLimitMb>`.
// It is the container's one process. The host bundles this file with the sandbox core and the
// prelude's source (the `__CODE_MODE_PRELUDE__` constant) and gives it as the container's command; `isolated-vm` stays
// outside the bundle and is found in the image (`code-mode image build` puts it at /node_modules).
//
// Programs run in an isolated-vm isolate through the same core as the vm runtime: same prelude,
// limits and verdicts. The container is the second wall around it.
//
// Protocol: newline-delimited JSON on stdin and stdout (attached by the host), one message per line (JSON.stringify
// escapes every newline inside strings, so a line is always a whole message).
//   host -> runner: {t:"run", js, apiPaths, limits, toolCallTimeoutMs}
//                   {t:"reply", id, json}             the answer to call `id`
//                   {t:"hold", id} / {t:"release", id} call `id` waits for a person: the clock stops
//   runner -> host: {t:"ready"}                        first, once the sandbox is made
//                   {t:"call", id, path, args}        an `api.*` call, args as JSON text
//                   {t:"log", level, text}            a console line, as it is written
//                   {t:"gave-up", id}                 call `id` was given up (docker.toolCallTimeout)
//                   {t:"done", outcome}                {ok, resultJson?, resultCut?, error?}
// After `done` the runner waits for the host to close its stdin: exiting earlier could lose
// the last messages in the pipe. Its stdin also ends when the host dies (the container is made
// with StdinOnce); either way the runner exits and the container goes (AutoRemove).
import type { ExecutionLimits } from "../runtimes/executor.ts";
import { IsolateCore } from "./isolate-runner.ts";

declare const __CODE_MODE_PRELUDE__: string;

interface RunMessage {
  t: "run";
  js: string;
  apiPaths: string[][];
  limits: ExecutionLimits;
  toolCallTimeoutMs: number;
}

/** The one run this runner serves: its id inside the core. */
const RUN_ID = 1;

function write(message: unknown): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

const core = new IsolateCore(__CODE_MODE_PRELUDE__);
// The sandbox is made while the runner waits for its program, off the execution's path.
core.prepareSpare(Number(process.argv[1]) || 128);

let started = false;
const givingUp = new Map<number, NodeJS.Timeout>();
const giveUps = new Map<number, () => void>();
let answer: (id: number, json: string) => void = () => {};
let holdCall: (id: number, held: boolean) => void = () => {};

async function run(message: RunMessage): Promise<void> {
  const seconds = message.toolCallTimeoutMs / 1000;
  const running = core.start(
    { js: message.js, apiPaths: message.apiPaths, limits: message.limits, runId: RUN_ID },
    {
      call(id, path, args) {
        // A call the host never answers fails here, so the program can carry on (docker.toolCallTimeout).
        const giveUp = () => {
          givingUp.delete(id);
          giveUps.delete(id);
          // The host must not run it after the program was told it was given up.
          write({ t: "gave-up", id });
          const error = {
            kind: "tool",
            message: `api.${path.slice(0, 200)} got no answer within ${seconds} s and was given up inside the container (docker.toolCallTimeout). Do not wait on it again; carry on without it or try later.`,
          };
          running.answer(id, JSON.stringify({ ok: false, error }));
        };
        givingUp.set(id, setTimeout(giveUp, message.toolCallTimeoutMs));
        giveUps.set(id, giveUp);
        write({ t: "call", id, path, args });
      },
      log: (entry) => write({ t: "log", level: entry.level, text: entry.message }),
    },
  );
  answer = (id, json) => {
    clearTimeout(givingUp.get(id));
    givingUp.delete(id);
    giveUps.delete(id);
    running.answer(id, json);
  };
  // A call waiting for a person is not given up meanwhile; once answered it gets a fresh term.
  holdCall = (id, held) => {
    const giveUp = giveUps.get(id);
    if (!giveUp) return;
    clearTimeout(givingUp.get(id));
    if (held) running.hold(id);
    else {
      running.release(id);
      givingUp.set(id, setTimeout(giveUp, message.toolCallTimeoutMs));
    }
  };
  const { logs: _sent, ...outcome } = await running.outcome;
  for (const timer of givingUp.values()) clearTimeout(timer);
  givingUp.clear();
  write({ t: "done", outcome });
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
// The host closed our stdin: it has the answer, or it went away. Either way nothing is left to serve.
process.stdin.on("end", () => process.exit(0));

function onMessage(message: { t: string; id?: number; json?: string }): void {
  if (message.t === "run" && !started) {
    started = true;
    void run(message as RunMessage);
  } else if (message.t === "reply") {
    answer(Number(message.id), String(message.json));
  } else if (message.t === "hold" || message.t === "release") {
    holdCall(Number(message.id), message.t === "hold");
  }
}

write({ t: "ready" });
