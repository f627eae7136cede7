// The vm runtime's child process: runs each program in a fresh isolated-vm isolate through the
// sandbox core. It holds no tools and no secrets; a program that crashes V8 takes down only this
// process.
import { IsolateCore, type RunningProgram } from "../../sandbox/isolate-runner.ts";
import { preludeSource } from "../../sandbox/prelude-source.ts";
import { DEFAULTS } from "../../settings.ts";
import type { FromChild, ToChild } from "./protocol.ts";

const send = (message: FromChild): void => {
  process.send!(message);
};
const core = new IsolateCore(preludeSource());
const runs = new Map<number, RunningProgram>();

process.on("message", (message: ToChild) => {
  switch (message.t) {
    case "run":
      void execute(message);
      break;
    case "reply":
      runs.get(message.id)?.answer(message.callId, message.json);
      break;
    case "cancel":
      runs.get(message.id)?.cancel();
      break;
    case "hold":
      runs.get(message.id)?.hold(message.callId);
      break;
    case "release":
      runs.get(message.id)?.release(message.callId);
      break;
  }
});
// The host went away: nothing left to serve.
process.on("disconnect", () => process.exit(0));
// Ctrl-C reaches the whole process group; the host decides when this process ends.
process.on("SIGINT", () => {});

async function execute({ id, js, apiPaths, limits }: Extract<ToChild, { t: "run" }>): Promise<void> {
  const running = core.start(
    { js, apiPaths, limits, runId: id },
    {
      call: (callId, path, args) => send({ t: "call", id, callId, path, args }),
      // Each line goes out as it is written; `done` carries none (the host kept them all).
      log: (entry) => send({ t: "log", id, level: entry.level, message: entry.message }),
      wedged: () => send({ t: "wedged" }),
    },
  );
  runs.set(id, running);
  const outcome = await running.outcome;
  runs.delete(id);
  send({ t: "done", id, outcome: { ...outcome, logs: [] } });
  // The next sandbox is prepared after the answer, off the caller's path.
  setImmediate(() => core.prepareSpare(limits.memoryLimitMb));
}

// The memory limit most runs will use comes as the first argument.
core.prepareSpare(Number(process.argv[2]) || DEFAULTS.memoryLimit);
send({ t: "ready" });
