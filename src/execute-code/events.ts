// An execution's events, as they happen: start, each console line, each call (started, waiting
// for approval, ended) and the end. They reach the listener in order through a bounded queue, so
// a slow or failing listener never slows or changes the run.
import type { CallEvent } from "../bridge/bridge.ts";
import type { ErrorKind } from "../errors.ts";
import type { LogLevel, RuntimeName } from "../runtimes/executor.ts";

/** One thing that happened in an execution; `at` is ms since it started. */
export type ExecutionEvent = (
  | { type: "start"; runtime: RuntimeName }
  | { type: "log"; level: LogLevel; message: string }
  | CallEvent
  /** Last, always. `dropped`: events a slow listener missed (the queue was full). */
  | {
      type: "end";
      ok: boolean;
      runtime: RuntimeName;
      ms: number;
      error?: { kind: ErrorKind; message: string };
      dropped?: number;
    }
) & { at: number };

type EndEvent = Extract<ExecutionEvent, { type: "end" }>;

/** Events without their time stamp, as the parts of an execution report them. */
export type UnstampedEvent = ExecutionEvent extends infer E ? (E extends unknown ? Omit<E, "at"> : never) : never;

/** Receives an execution's events; may be async (the next waits for it). What it throws is logged once. */
export type ExecutionEventListener = (event: ExecutionEvent) => void | Promise<void>;

/** Events held for a listener that is behind; past this they are dropped (and counted). */
const MAX_QUEUED_EVENTS = 1000;
/** How long the end of an execution waits for a listener to take the events still queued. */
const DRAIN_WAIT_MS = 1000;

// A listener's trouble is reported once per listener, not once per execution or per event.
const reported = new WeakSet<ExecutionEventListener>();

/** Delivers one execution's events in order; never throws and never blocks whoever pushes. */
export class EventQueue {
  readonly #listener: ExecutionEventListener;
  readonly #warn: (message: string) => void;
  readonly #started = performance.now();
  readonly #queued: ExecutionEvent[] = [];
  #pumping: Promise<void> | undefined;
  #dropped = 0;
  #ended = false;

  constructor(listener: ExecutionEventListener, warn: (message: string) => void = defaultWarn) {
    this.#listener = listener;
    this.#warn = warn;
  }

  /** Queues an event; after the end nothing more is taken (a call the run left behind ends unseen). */
  push(event: UnstampedEvent): void {
    if (this.#ended) return;
    if (event.type === "end") this.#ended = true;
    const stamped = { ...event, at: Math.round((performance.now() - this.#started) * 1000) / 1000 } as ExecutionEvent;
    if (stamped.type === "end" && this.#dropped > 0) stamped.dropped = this.#dropped;
    // The end is always kept: a listener must learn that the run is over.
    if (this.#queued.length >= MAX_QUEUED_EVENTS && stamped.type !== "end") {
      if (this.#dropped++ === 0)
        this.#report(
          `code-mode: an onEvent listener is too slow: ${MAX_QUEUED_EVENTS} events waited for it, so later ones are dropped (the end event counts them).`,
        );
      return;
    }
    this.#queued.push(stamped);
    this.#pumping ??= this.#pump();
  }

  /**
   * Resolves once the listener took every queued event, or after a short bound; past the bound
   * what is still queued is dropped but the end, so nothing but the end follows the result (an MCP
   * progress notification after its response would break the protocol).
   */
  async drained(): Promise<void> {
    if (!this.#pumping) return;
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<"late">((resolve) => {
      timer = setTimeout(() => resolve("late"), DRAIN_WAIT_MS);
    });
    const late = (await Promise.race([this.#pumping, bound])) === "late";
    clearTimeout(timer);
    if (!late) return;
    const end = this.#queued.find((event): event is EndEvent => event.type === "end");
    const dropped = this.#queued.length - (end ? 1 : 0);
    this.#queued.length = 0;
    if (end) this.#queued.push({ ...end, dropped: (end.dropped ?? 0) + dropped });
  }

  async #pump(): Promise<void> {
    // Delivery starts after the pusher's current step, so the run never waits for a listener.
    await Promise.resolve();
    for (let event = this.#queued.shift(); event; event = this.#queued.shift()) {
      try {
        await this.#listener(event);
      } catch (error) {
        this.#report(
          `code-mode: an onEvent listener failed (${error instanceof Error ? error.message : String(error)}); the run goes on, and later failures of this listener are not reported.`,
        );
      }
    }
    this.#pumping = undefined;
  }

  #report(message: string): void {
    if (reported.has(this.#listener)) return;
    reported.add(this.#listener);
    try {
      this.#warn(message);
    } catch {
      // Nowhere left to tell.
    }
  }
}

function defaultWarn(message: string): void {
  process.emitWarning(message, "CodeModeWarning");
}
