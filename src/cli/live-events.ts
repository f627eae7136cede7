// An execution's events as lines on the person's terminal, as they happen: console lines,
// each call's start and end, and the approvals it waited for.

import { eventLine } from "../execute-code/event-line.ts";
import type { ExecutionEvent, ExecutionEventListener } from "../execute-code/events.ts";
import { logLine } from "./readable.ts";
import { printable } from "./terminal.ts";

/** Shows one execution's events through `say`; `missedSome` tells whether the queue dropped any. */
export function liveEvents(say: (line: string) => void): { onEvent: ExecutionEventListener; missedSome(): boolean } {
  let dropped = 0;
  const onEvent = (event: ExecutionEvent) => {
    if (event.type === "end") dropped = event.dropped ?? 0;
    // Console lines read as in the final report; the start and end are the report's own business.
    if (event.type === "start" || event.type === "end") return;
    say(printable(event.type === "log" ? logLine(event) : eventLine(event)));
  };
  return { onEvent, missedSome: () => dropped > 0 };
}
