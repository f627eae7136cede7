/**
 * Runs `close` once on SIGINT or SIGTERM, then exits, so that child processes, containers and
 * MCP servers are never left behind. Returns a function that removes the handlers.
 */
export function closeOnSignals(close: () => Promise<void>): () => void {
  let closing = false;
  const handler = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    const code = signal === "SIGINT" ? 130 : 143;
    // A second signal, or a close that hangs, must not keep the process alive forever.
    setTimeout(() => process.exit(code), 10_000).unref();
    close().finally(() => process.exit(code));
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
  return () => {
    process.off("SIGINT", handler);
    process.off("SIGTERM", handler);
  };
}
