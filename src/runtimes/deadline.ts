// "A deadline or an abort, whichever comes first", written once: every wait in the runtimes and
// the bridge that must not outlive a timer or a caller's signal goes through here, so no timer
// or listener is ever left behind.

/**
 * Runs `work` with a signal of its own, and settles with its value, or rejects when `ms` pass
 * (with `onTimeout()`'s value; `undefined` sets no timer) or when `signal` aborts (with its
 * reason), whichever comes first.
 * Either way the work's signal aborts with the same reason, so the work can stop too; the timer
 * and the listener are gone when this settles.
 *
 * @example
 * const body = await withDeadline((signal) => fetch(url, { signal }), 5000, caller.signal,
 *   () => new Error("no answer within 5 s"));
 */
export async function withDeadline<T>(
  work: (signal: AbortSignal) => Promise<T> | T,
  ms: number | undefined,
  signal?: AbortSignal,
  onTimeout: () => unknown = () => new Error(`no answer within ${(ms ?? 0) / 1000} s`),
): Promise<T> {
  signal?.throwIfAborted();
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const stopped = new Promise<never>((_, reject) => {
    const stop = (reason: unknown) => {
      controller.abort(reason);
      reject(reason);
    };
    if (ms !== undefined) timer = setTimeout(() => stop(onTimeout()), Math.max(0, ms));
    onAbort = () => stop(signal?.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
  const working = Promise.resolve().then(() => work(controller.signal));
  // A failure after the deadline or the abort is nobody's to report.
  working.catch(() => {});
  try {
    return await Promise.race([working, stopped]);
  } catch (error) {
    // Work that rejects because its signal aborted says so in its own words; the reason is ours.
    throw controller.signal.aborted ? controller.signal.reason : error;
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener("abort", onAbort);
  }
}
