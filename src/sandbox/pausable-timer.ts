// A deadline whose clock stops while something holds it. A tool call waiting for a person's
// approval holds the program's clock: waiting for a person is not the program's time. The core's
// watchdog and the hosts' give-up timers use it alike. It imports nothing, so the container
// runner's bundle can carry it.

/**
 * A one-shot timer that stops counting while held (holds nest) and fires `onExpire` once the
 * time it was given has run while unheld.
 *
 * @example
 * const clock = new PausableTimer(30_000, () => stop("timeout"));
 * clock.hold(); // a call waits for approval
 * clock.release(); // answered: the clock runs on from where it stopped
 */
export class PausableTimer {
  readonly #onExpire: () => void;
  #remainingMs: number;
  #runningSince = 0;
  #timer: NodeJS.Timeout | undefined;
  #holds = 0;
  #over = false;

  constructor(ms: number, onExpire: () => void) {
    this.#onExpire = onExpire;
    this.#remainingMs = Math.max(0, ms);
    this.#arm();
  }

  /** Time left on the clock, ms (counting the current unheld stretch). */
  get remainingMs(): number {
    if (this.#holds > 0 || this.#over) return this.#remainingMs;
    return Math.max(0, this.#remainingMs - (performance.now() - this.#runningSince));
  }

  get held(): boolean {
    return this.#holds > 0;
  }

  /** Stops the clock until every hold is released. */
  hold(): void {
    if (this.#over) return;
    if (this.#holds === 0) {
      this.#remainingMs = this.remainingMs;
      clearTimeout(this.#timer);
    }
    this.#holds++;
  }

  /**
   * Releases one hold; the last one starts the clock again, less `chargeMs` (time that counts
   * although it was held, such as CPU the program burnt meanwhile).
   */
  release(chargeMs = 0): void {
    if (this.#over || this.#holds === 0) return;
    this.#remainingMs = Math.max(0, this.#remainingMs - Math.max(0, chargeMs));
    if (--this.#holds === 0) this.#arm();
  }

  /** Ends it without firing. */
  clear(): void {
    this.#over = true;
    clearTimeout(this.#timer);
  }

  #arm(): void {
    this.#runningSince = performance.now();
    this.#timer = setTimeout(() => {
      if (this.#over) return;
      this.#over = true;
      this.#onExpire();
    }, this.#remainingMs);
  }
}
