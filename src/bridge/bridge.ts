import { CodeModeError, type ErrorKind } from "../errors.ts";
import { withDeadline } from "../runtimes/deadline.ts";
import type { BridgeEndpoint, BridgeReply, CallClock, ExecutionLimits } from "../runtimes/executor.ts";
import { callLimitMessage, clipName as clip, inputLimitMessage, toolFailureMessage } from "../sandbox/verdicts.ts";
import type { Tool } from "../tools/tool.ts";
import type { ApiIndex } from "./api-index.ts";
import { type ApprovalEvent, ApprovalGate, type ApprovalSetup } from "./approval.ts";
import { closestToolPath } from "./suggest.ts";
import { inputCheckFor } from "./validate.ts";

/** What happens to a call, as it happens: the bridge's part of an execution's events. */
export type CallEvent =
  /** A call passed its checks and will run (after approval, when it needs one). `id` numbers the execution's calls. */
  | { type: "tool-start"; id: number; tool: string; path: string }
  /** A call waits for a person's answer (`asked`), then got it. */
  | ApprovalEvent
  /** The call ended; `error` is what the program got when it failed. */
  | { type: "tool-end"; id: number; tool: string; path: string; ok: boolean; ms: number; error?: string };

export interface BridgeOptions {
  /** Who approves which calls; absent, every call runs unasked. */
  approval?: ApprovalSetup;
  /** Told of each call as it starts, waits for approval and ends. Must not throw. */
  onCall?: (event: CallEvent) => void;
}

export interface ToolCallRecord {
  tool: string;
  ok: boolean;
  ms: number;
}

// Tool results enter the sandbox as JSON text; past this the sandbox's heap would suffer anyway.
const MAX_TOOL_RESULT_CHARS = 32 * 1024 * 1024;
// Input held by calls waiting for a concurrency slot, all calls together.
const MAX_PARKED_INPUT_CHARS = 64 * 1024 * 1024;
// Past this a "did you mean" is not worth its edit-distance cost.
const MAX_SUGGESTED_NAME = 200;

/**
 * The host side of one execution's `api`: checks each call, runs the tool and answers with
 * JSON. Only strings cross in either direction, so no host object ever reaches the sandbox.
 */
export class Bridge implements BridgeEndpoint {
  readonly trace: ToolCallRecord[] = [];
  readonly #index: ApiIndex;
  readonly #limits: ExecutionLimits;
  readonly #approval: ApprovalGate | undefined;
  readonly #onCall: ((event: CallEvent) => void) | undefined;
  readonly #ended = new AbortController();
  readonly #waiting: (() => void)[] = [];
  #dispatched = 0;
  /** Every call the program made, dispatched or refused: the call limit counts them all. */
  #calls = 0;
  #parkedChars = 0;
  #running = 0;

  constructor(index: ApiIndex, limits: ExecutionLimits, options: BridgeOptions = {}) {
    this.#index = index;
    this.#limits = limits;
    this.#onCall = options.onCall;
    if (options.approval) this.#approval = new ApprovalGate(options.approval, this.#ended.signal, options.onCall);
  }

  get dispatched(): number {
    return this.#dispatched;
  }

  /** Ends the execution's calls: their signals abort and later calls are refused. */
  end(): void {
    this.#ended.abort(new Error("The execution ended."));
    for (const wake of this.#waiting.splice(0)) wake();
  }

  async call(
    path: string,
    argsJson: string,
    { clock, abandoned }: { clock?: CallClock; abandoned?: AbortSignal } = {},
  ): Promise<string> {
    // Cheap refusals first: everything here is program-controlled, and none of it may cost the
    // host much, whatever the program sends.
    if (this.#ended.signal.aborted) return fail("limit", `api.${clip(path)} was called after the execution ended.`);
    const id = ++this.#calls;
    if (id > this.#limits.maxToolCalls) return fail("limit", callLimitMessage(path, this.#limits.maxToolCalls));
    if (isLookUp(path)) return this.#lookUp(id, path, argsJson);
    const entry = this.#index.get(path);
    if (!entry) {
      const guess =
        path.length <= MAX_SUGGESTED_NAME
          ? closestToolPath(path, [...this.#index.dottedPaths(), ...LOOKUPS])
          : undefined;
      return fail(
        "type",
        `api.${clip(path)} is not a tool.${guess ? ` Did you mean api.${guess}?` : ""} The tools are on \`api\` in the tool description; find others with api.$search("what it does").`,
      );
    }
    const label = `api.${path}`;
    if (argsJson.length > this.#limits.maxToolInputChars) {
      return fail("limit", inputLimitMessage(path, argsJson.length, this.#limits.maxToolInputChars));
    }
    // Calls waiting for a free slot hold their input; together they stay within a budget.
    if (this.#parkedChars + argsJson.length > MAX_PARKED_INPUT_CHARS) {
      return fail(
        "limit",
        `${label} was not called: too much input is already waiting in other calls. Await some calls first.`,
      );
    }
    let input: unknown;
    try {
      input = JSON.parse(argsJson);
    } catch {
      return fail("type", `${label} got input that is not JSON.`);
    }
    const problem = inputCheckFor(entry.tool, label)(input);
    if (problem) return fail("type", problem);

    this.#dispatched++;
    this.#parkedChars += argsJson.length;
    // A free slot is taken at once: awaiting nothing would let later messages (a console line) pass this call.
    const slot = this.#acquire();
    if (slot) await slot;
    this.#parkedChars -= argsJson.length;
    // Woken because the execution ended: the tool never ran, so it is not in the trace.
    if (this.#ended.signal.aborted) {
      this.#release();
      return fail("limit", `${label} was called after the execution ended.`);
    }
    // The sandbox gave up on it while it waited for a slot and told the program so: it never runs.
    if (abandoned?.aborted) {
      this.#release();
      return fail("tool", givenUpMessage(label));
    }
    const started = performance.now();
    // What the program is told when the call fails; kept for the call's `tool-end` event.
    let failure: string | undefined;
    const failWith = (kind: ErrorKind, message: string) => {
      failure = message;
      return fail(kind, message);
    };
    this.#onCall?.({ type: "tool-start", id, tool: entry.key, path });
    try {
      const refused = await this.#approval?.check({ id, tool: entry.key, path, input }, clock);
      if (refused !== undefined) return failWith("tool", refused);
      if (abandoned?.aborted) return failWith("tool", givenUpMessage(label));
      const value = await this.#execute(entry.tool, input, abandoned);
      const json = value === undefined ? undefined : safeStringify(value);
      if (value !== undefined && json === undefined) {
        return failWith("tool", `${label} returned a value that cannot be turned into JSON.`);
      }
      if (json !== undefined && json.length > MAX_TOOL_RESULT_CHARS) {
        return failWith(
          "limit",
          `${label} returned ${json.length} characters, more than the ${MAX_TOOL_RESULT_CHARS} a program may receive. Ask for less.`,
        );
      }
      return json === undefined ? '{"ok":true}' : `{"ok":true,"value":${json}}`;
    } catch (error) {
      return failWith("tool", toolFailureMessage(path, error));
    } finally {
      const ms = Math.round((performance.now() - started) * 1000) / 1000;
      const ok = failure === undefined;
      this.trace.push({ tool: entry.key, ok, ms });
      this.#release();
      this.#onCall?.({ type: "tool-end", id, tool: entry.key, path, ok, ms, ...(!ok && { error: failure }) });
    }
  }

  /**
   * `api.$search(query, options)` and `api.$describe(names)`, answered here from the catalog: they
   * count as calls (and show in the trace) but run no tool, so nothing is dispatched.
   */
  #lookUp(id: number, path: "$search" | "$describe", argsJson: string): string {
    const started = performance.now();
    let ok = false;
    let reply = "";
    this.#onCall?.({ type: "tool-start", id, tool: path, path });
    try {
      reply = this.#answerLookUp(path, argsJson);
      ok = reply.startsWith('{"ok":true');
      return reply;
    } finally {
      const ms = Math.round((performance.now() - started) * 1000) / 1000;
      this.trace.push({ tool: path, ok, ms });
      const error = ok ? undefined : (JSON.parse(reply) as { error?: { message?: string } }).error?.message;
      this.#onCall?.({ type: "tool-end", id, tool: path, path, ok, ms, ...(error !== undefined && { error }) });
    }
  }

  #answerLookUp(path: "$search" | "$describe", argsJson: string): string {
    try {
      if (argsJson.length > this.#limits.maxToolInputChars) {
        return fail("limit", `api.${path} got ${argsJson.length} characters of input; send less.`);
      }
      let args: unknown;
      try {
        args = JSON.parse(argsJson);
      } catch {
        return fail("type", `api.${path} got input that is not JSON.`);
      }
      // The prelude sends every argument as an array; anything else is the one argument.
      const [first, second] = Array.isArray(args) ? args : [args];
      const catalog = this.#index.catalog;
      const value = path === "$search" ? catalog.search(first, second) : catalog.describe(first);
      return JSON.stringify({ ok: true, value });
    } catch (error) {
      if (CodeModeError.isInstance(error)) return fail(error.kind, error.message);
      return fail("tool", toolFailureMessage(path, error));
    }
  }

  /** Runs one tool with a signal that aborts on the per-call timeout, when the execution ends or when the sandbox gave up on the call. */
  async #execute(tool: Tool, input: unknown, abandoned: AbortSignal | undefined): Promise<unknown> {
    const timeoutMs = this.#limits.toolCallTimeoutMs;
    const stops = abandoned ? [this.#ended.signal, abandoned] : [this.#ended.signal];
    return withDeadline(
      (expired) => tool.execute(input, { signal: AbortSignal.any([expired, ...stops]) }),
      timeoutMs,
      undefined,
      () => new Error(`no answer within ${timeoutMs / 1000} s (the per-call timeout); try a smaller request`),
    );
  }

  #acquire(): Promise<void> | void {
    if (this.#running < this.#limits.maxConcurrentCalls) {
      this.#running++;
      return;
    }
    return new Promise<void>((resolve) =>
      this.#waiting.push(() => {
        this.#running++;
        resolve();
      }),
    );
  }

  #release(): void {
    this.#running--;
    this.#waiting.shift()?.();
  }
}

/** The methods of `api` that the host answers itself, from the catalog. */
const LOOKUPS = ["$search", "$describe"] as const;

function isLookUp(path: string): path is (typeof LOOKUPS)[number] {
  return (LOOKUPS as readonly string[]).includes(path);
}

/** A call the sandbox gave up on (it told the program so) before the call could run. */
function givenUpMessage(label: string): string {
  return `${label} was given up before it ran.`;
}

function fail(kind: ErrorKind, message: string): string {
  const reply: BridgeReply = { ok: false, error: { kind, message } };
  return JSON.stringify(reply);
}

function safeStringify(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}
