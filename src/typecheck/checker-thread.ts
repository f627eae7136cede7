import { Worker } from "node:worker_threads";
import type { CheckRequest, FoundDiagnostic, FromChecker } from "./protocol.ts";

const WORKER = new URL(import.meta.url.endsWith(".ts") ? "./worker.ts" : "./worker.js", import.meta.url);
/** The compiler's heap in the thread: a program that makes it balloon ends the thread, not the host. */
const CHECKER_HEAP_MB = 1024;

export type CheckAnswer = { diagnostics: FoundDiagnostic[] } | { skipped: string };

/**
 * The host's side of the checker thread: one worker holding the warm compiler, started at once
 * so it is warm by the first program. Requests are answered in order; one that takes longer
 * than its bound is answered "skipped" and, if the thread was warm, the thread is replaced.
 */
export class CheckerThread {
  #worker: Worker | undefined;
  #declarations: string;
  readonly #pending = new Map<number, (reply: FromChecker | { t: "gone"; message: string }) => void>();
  #nextId = 1;
  /** Set once the current thread has answered: a timeout after that is the program's doing. */
  #warm = false;
  #closed = false;

  constructor(declarations: string) {
    this.#declarations = declarations;
    this.#start();
  }

  /** New declarations (the tools changed): the thread parses them in the background. */
  setDeclarations(text: string): void {
    if (text === this.#declarations) return;
    this.#declarations = text;
    this.#worker?.postMessage({ t: "declarations", text });
  }

  check(request: Omit<CheckRequest, "t" | "id">, timeoutMs: number): Promise<CheckAnswer> {
    if (this.#closed) return Promise.resolve({ skipped: "the type checker was closed" });
    if (!this.#worker) this.#start();
    const worker = this.#worker!;
    const id = this.#nextId++;
    return new Promise<CheckAnswer>((resolve) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        resolve({ skipped: `it took longer than ${timeoutMs / 1000} s` });
        // A warm thread that cannot answer in time is stuck on this program: start afresh.
        if (this.#warm && this.#worker === worker) this.#restart();
      }, timeoutMs);
      this.#pending.set(id, (reply) => {
        clearTimeout(timer);
        this.#pending.delete(id);
        if (reply.t === "checked") resolve({ diagnostics: reply.diagnostics });
        else resolve({ skipped: reply.t === "failed" ? `the checker failed: ${reply.message}` : reply.message });
      });
      worker.postMessage({ t: "check", id, ...request } satisfies CheckRequest);
    });
  }

  /** Ends the thread; pending checks are answered "skipped". */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#stop("the type checker was closed");
  }

  #start(): void {
    const worker = new Worker(WORKER, {
      resourceLimits: { maxOldGenerationSizeMb: CHECKER_HEAP_MB },
      stdout: true,
      stderr: true,
    });
    // Never what keeps the host's process alive; a pending check's timer does that while it waits.
    worker.unref();
    // The compiler prints nothing; should it ever, it must not reach a front end's stdout.
    worker.stdout.resume();
    worker.stderr.resume();
    this.#worker = worker;
    this.#warm = false;
    worker.on("message", (reply: FromChecker) => {
      if (this.#worker === worker) this.#warm = true;
      this.#pending.get(reply.id)?.(reply);
    });
    const gone = (why: string) => {
      if (this.#worker !== worker) return;
      this.#worker = undefined;
      this.#failPending(why);
    };
    worker.on("error", (error) => gone(`the checker thread failed: ${error.message}`));
    worker.on("exit", () => gone("the checker thread ended"));
    worker.postMessage({ t: "declarations", text: this.#declarations });
  }

  #restart(): void {
    void this.#stop("the checker thread was restarted");
    if (!this.#closed) this.#start();
  }

  async #stop(why: string): Promise<void> {
    const worker = this.#worker;
    this.#worker = undefined;
    this.#failPending(why);
    if (worker) await worker.terminate();
  }

  #failPending(why: string): void {
    for (const answer of [...this.#pending.values()]) answer({ t: "gone", message: why });
  }
}
