// An execution's events as lines on the person's terminal, as they happen: console lines,
// each call's start and end, and the approvals it waited for.

import { eventLine } from "../execute-code/event-line.ts";
import type { ExecutionEvent, ExecutionEventListener } from "../execute-code/events.ts";
import { logLine } from "./readable.ts";
import { printable, programLines } from "./terminal.ts";

/** Shows one execution's events through `say`; `missedSome` tells whether the queue dropped any. */
export function liveEvents(say: (line: string) => void): { onEvent: ExecutionEventListener; missedSome(): boolean } {
  let dropped = 0;
  const onEvent = (event: ExecutionEvent) => {
    if (event.type === "end") dropped = event.dropped ?? 0;
    // The start and end are the report's own business.
    if (event.type === "start" || event.type === "end") return;
    // Event lines are one line each and begin with our words; console lines are the program's.
    say(event.type === "log" ? programLines(logLine(event)) : printable(eventLine(event)));
  };
  return { onEvent, missedSome: () => dropped > 0 };
}
