// The checker thread: a warm ProgramService answering the host's requests in order.
import { enableCompileCache } from "node:module";
import { parentPort } from "node:worker_threads";
import type { FromChecker, ToChecker } from "./protocol.ts";

// The compiler is 9 MB of JavaScript: V8's code cache (kept by Node in the OS temp directory)
// makes every later start of the thread, in any process, skip compiling it again.
enableCompileCache();
const { ProgramService } = await import("./service.ts");

const port = parentPort;
if (!port) throw new Error("src/typecheck/worker.ts runs as a worker thread of the type check.");
const service = new ProgramService();

port.on("message", (message: ToChecker) => {
  if (message.t === "declarations") {
    service.setDeclarations(message.text);
    // Parse and bind the new declarations now, while the model thinks, not on its next program.
    service.check({ source: "", lineOffset: 0, lines: 0 });
    return;
  }
  let reply: FromChecker;
  try {
    reply = { t: "checked", id: message.id, diagnostics: service.check(message) };
  } catch (error) {
    reply = { t: "failed", id: message.id, message: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage(reply);
});
