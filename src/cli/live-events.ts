// An execution's events as lines on the person's terminal, as they happen: console lines,
// each call's start and end, and the approvals it waited for.
import type { ExecutionEvent, ExecutionEventListener } from "../execute-code/events.ts";
import { callLine, logLine } from "./readable.ts";
import { printable } from "./terminal.ts";

/** Past this many characters a failed call's error is cut in its line (the result has it whole). */
const ERROR_CHARS = 300;

/** Shows one execution's events through `say`; `missedSome` tells whether the queue dropped any. */
export function liveEvents(say: (line: string) => void): { onEvent: ExecutionEventListener; missedSome(): boolean } {
  let dropped = 0;
  const onEvent = (event: ExecutionEvent) => {
    if (event.type === "end") dropped = event.dropped ?? 0;
    const line = eventLine(event);
    if (line !== undefined) say(printable(line));
  };
  return { onEvent, missedSome: () => dropped > 0 };
}

function eventLine(event: ExecutionEvent): string | undefined {
  switch (event.type) {
    case "log":
      return logLine(event);
    case "tool-start":
      return `-> #${event.id} ${event.tool}`;
    case "approval":
      if (event.state === "asked") return `?  #${event.id} ${event.tool} needs approval`;
      // A refusal's reason reaches the program as the call's error, shown in its end line.
      return `?  #${event.id} ${event.tool} ${event.state}`;
    case "tool-end": {
      const error = event.error === undefined ? "" : `: ${cut(event.error)}`;
      return `<- #${event.id} ${callLine(event)}${error}`;
    }
    case "start":
    case "end":
      return undefined;
  }
}

function cut(text: string): string {
  const line = text.split("\n", 1)[0]!;
  return line.length > ERROR_CHARS ? `${line.slice(0, ERROR_CHARS)}…` : line;
}
