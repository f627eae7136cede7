// Runs INSIDE the sandbox (an isolated-vm context, in a vm child or inside a container), before the
// program. Imports only other sandbox modules, which the bundle carries in: nothing from the host
// may reach this file. It builds `api`, `console` and timers on top of one host function that
// moves only strings and numbers.
//
// Nothing the program can touch is trusted. After the program starts, every global, prototype and
// built-in method may be replaced, poisoned with getters or frozen, so the prelude calls only the
// built-ins of `intrinsics.ts` (captured before the program), keeps its own state in null-prototype
// records, reads the program's values only through own properties, and never lets a promise of its
// own consult `then`, `constructor` or `Symbol.species` where the program could have put them.

import {
  arrayIsArray,
  dateGetTime,
  dateToISOString,
  ErrorConstructor,
  isError,
  jsonParse,
  jsonStringify,
  MapConstructor,
  mapDelete,
  mapForEach,
  mapGet,
  mapSet,
  mapSize,
  mathMax,
  mathMin,
  NumberConstructor,
  numberIsNaN,
  objectFreeze,
  objectGetPrototypeOf,
  objectHasOwn,
  objectIs,
  objectKeys,
  objectValues,
  PromiseConstructor,
  PromisePrototype,
  ProxyConstructor,
  promiseThen,
  RangeErrorConstructor,
  reflectApply,
  reflectDefineProperty,
  reflectDeleteProperty,
  regExpSource,
  regExpToString,
  SetConstructor,
  StringConstructor,
  setAdd,
  setClear,
  setDelete,
  setForEach,
  setHas,
  setSize,
  stringSlice,
  TypeErrorConstructor,
  WeakMapConstructor,
  weakMapGet,
  weakMapSet,
} from "./intrinsics.ts";
import { CUT_NOTE, callLimitMessage, inputLimitMessage } from "./limit-messages.ts";

/**
 * The one host function a runtime provides. It is fire-and-forget and moves only primitives:
 * `call` and `sleep` requests are answered later through the `deliver` function that
 * `installPrelude` returns; `log` needs no answer; `done` carries the outcome as JSON, once.
 * One channel for all of them keeps their order: every log arrives before `done`.
 */
export type HostSend = (kind: "call" | "sleep" | "log" | "done", id: number, a: string, b: string) => void;

/**
 * What a runtime tells the runner about one run. Runtimes pass the execution's limits spread flat
 * (`{ ...limits, apiPaths, runId }`); fields the prelude does not know are ignored.
 */
export interface PreludeOptions {
  apiPaths: string[][];
  maxResultChars: number;
  /** Console characters to send; past this one note is sent and the rest dropped here. */
  maxLogChars: number;
  /** Calls past this are refused here as `limit` errors; the host's bridge counts them too. */
  maxToolCalls: number;
  /** Calls sent to the host and not yet answered; the rest wait inside the sandbox. */
  maxConcurrentCalls: number;
  /** One call's input as JSON, in characters; a larger call is refused here as a `limit` error. */
  maxToolInputChars: number;
  /** Echoed in `done`, so a runtime can tell this run's outcome from a warm-up's. */
  runId?: number;
  /** A throwaway run that prepares a fresh sandbox; the runner stays for the real one. */
  warmUp?: boolean;
}

// Descriptors are read through their prototype chain: a getter for `get` planted on
// Object.prototype would turn a plain one into an accessor. These have no prototype.
const hidden = (value: unknown): PropertyDescriptor =>
  ({ __proto__: null, value, writable: true, configurable: true, enumerable: false }) as PropertyDescriptor;
const pinnedConstructor = { __proto__: null, value: undefined } as PropertyDescriptor;

/**
 * Installs `console`, timers and the runner `__codeModeFinish(options, main)` into `global`,
 * and returns `deliver(id, json)`, through which the host answers calls and sleeps.
 * The runner builds `api` from `options.apiPaths`, awaits `main()` and sends `done` with one
 * JSON string. Split this way, a runtime can prepare a sandbox before it knows the program.
 */
export function installPrelude(global: any, send: HostSend): (id: number, json: string) => void {
  // Every call of the host function goes through here. Whatever it throws (a stack overflow on
  // entry, in a runtime where `send` belongs to another realm) is dropped, never handed to the
  // program: an error of the host's realm would lead back to the host.
  const post = (kind: "call" | "sleep" | "log" | "done", id: number, a: string, b: string): boolean => {
    try {
      send(kind, id, a, b);
      return true;
    } catch {
      return false;
    }
  };

  // The prelude's own promises never reach the program. Their `constructor` is pinned to
  // undefined, so `promiseThen` on them uses the realm's original Promise, never a species or a
  // constructor the program planted on Promise or Promise.prototype.
  const internalPromise = <T>(executor: (resolve: (value: T) => void, reject: (reason: unknown) => void) => void) => {
    const promise = new PromiseConstructor<T>(executor);
    reflectDefineProperty(promise, "constructor", pinnedConstructor);
    return promise;
  };
  const settled = internalPromise<void>((resolve) => resolve());
  /** Runs `fn` in a later microtask, as `Promise.resolve().then(fn)` would before the program. */
  const later = (fn: () => void): void => {
    promiseThen(settled, fn);
  };
  // Refused calls reject in order, one per microtask, as answers from the host would arrive: a
  // promise born rejected is reported as unhandled first (isolated-vm's tracking of that grows
  // costly in a flood), and taking turns lets the program's own handlers run between refusals, so
  // a flood of 100,000 calls fails at the first refusal instead of after making 100,000 errors.
  interface Refusal {
    reject: (error: unknown) => void;
    makeError: () => unknown;
    next: Refusal | undefined;
  }
  let firstRefusal: Refusal | undefined;
  let lastRefusal: Refusal | undefined;
  const refuseNext = (): void => {
    const refusal = firstRefusal as Refusal;
    firstRefusal = refusal.next;
    if (firstRefusal === undefined) lastRefusal = undefined;
    else later(refuseNext);
    refusal.reject(refusal.makeError());
  };
  const refuse = (makeError: () => unknown): Promise<never> =>
    new PromiseConstructor<never>((_resolve, reject) => {
      const refusal = { __proto__: null, reject, makeError, next: undefined } as Refusal;
      if (lastRefusal === undefined) {
        firstRefusal = refusal;
        later(refuseNext);
      } else {
        lastRefusal.next = refusal;
      }
      lastRefusal = refusal;
    });

  // Requests waiting for the host, by id. Answers come through `deliver`.
  const pending = new MapConstructor<number, (json: string) => void>();
  let nextId = 1;
  const request = (kind: "call" | "sleep", a: string, b: string): Promise<string> =>
    internalPromise<string>((resolve, reject) => {
      const id = nextId++;
      mapSet(pending, id, resolve);
      if (!post(kind, id, a, b)) {
        mapDelete(pending, id);
        reject(new RangeErrorConstructor("The sandbox could not reach the host (is the call stack exhausted?)."));
      }
    });
  const sleep = (ms: number): Promise<string> => request("sleep", StringConstructor(ms), "");
  const log = (level: string, text: string): void => {
    post("log", 0, level, text);
  };

  // This run's limits, set by the runner before the program starts.
  let maxToolCalls = Number.POSITIVE_INFINITY;
  let maxConcurrentCalls = Number.POSITIVE_INFINITY;
  let maxToolInputChars = Number.POSITIVE_INFINITY;
  let callsMade = 0;
  let callsInFlight = 0;
  // Calls past maxConcurrentCalls wait here, in the sandbox's heap, in order (a linked list:
  // an array's push and shift are the program's to replace).
  interface Parked {
    start: () => void;
    next: Parked | undefined;
  }
  let firstParked: Parked | undefined;
  let lastParked: Parked | undefined;
  const startParked = (): void => {
    while (firstParked !== undefined && callsInFlight < maxConcurrentCalls) {
      const parked = firstParked;
      firstParked = parked.next;
      if (firstParked === undefined) lastParked = undefined;
      parked.start();
    }
  };
  const callHost = (path: string, argsJson: string): Promise<string> =>
    internalPromise<string>((resolve, reject) => {
      const start = (): void => {
        callsInFlight++;
        promiseThen(
          request("call", path, argsJson),
          (json) => {
            callsInFlight--;
            resolve(json);
            startParked();
          },
          (error) => {
            callsInFlight--;
            reject(error);
            startParked();
          },
        );
      };
      if (callsInFlight < maxConcurrentCalls) {
        start();
        return;
      }
      const parked: Parked = { __proto__: null, start, next: undefined } as Parked;
      if (lastParked === undefined) firstParked = parked;
      else lastParked.next = parked;
      lastParked = parked;
    });

  // Errors the bridge reports become real Errors of this realm, with the name that says their
  // kind. The kind is kept here, where the program cannot change it (it may rewrite the error's
  // own properties at will).
  const toolErrorKinds = new WeakMapConstructor<object, string>();
  const toolError = (kind: string, message: string): Error => {
    const error = new ErrorConstructor(message);
    const name = kind === "tool" ? "ToolError" : kind === "type" ? "ToolInputError" : "LimitError";
    // Defined, not assigned: an assignment would meet a setter, or fail on a frozen Error.prototype.
    reflectDefineProperty(error, "name", hidden(name));
    weakMapSet(toolErrorKinds, error, kind);
    return error;
  };
  const readReply = (json: string): unknown => {
    const reply = jsonParse(json) as Record<string, unknown>;
    // Own properties only: `{"ok":true}` must not pick up a `value` the program put on Object.prototype.
    if (objectHasOwn(reply, "ok") && reply.ok === true) return objectHasOwn(reply, "value") ? reply.value : undefined;
    const error = (objectHasOwn(reply, "error") ? reply.error : undefined) as Record<string, unknown> | undefined;
    const kind = error && objectHasOwn(error, "kind") ? StringConstructor(error.kind) : "tool";
    const message = error && objectHasOwn(error, "message") ? StringConstructor(error.message) : "The call failed.";
    throw toolError(kind, message);
  };

  const callTool = (path: string, input: unknown): Promise<unknown> => {
    let argsJson: string | undefined;
    try {
      argsJson = input === undefined ? "{}" : jsonStringify(input);
    } catch (error) {
      const reason = errorText(error);
      return refuse(() =>
        toolError(
          "type",
          `api.${path}: the input could not be turned into JSON (${reason}). Pass plain objects, arrays, strings, numbers and booleans.`,
        ),
      );
    }
    if (argsJson === undefined) argsJson = "{}";
    // Counted as the bridge counts, refused before anything crosses: a flood of calls fails
    // here, fast, and the host's own count stays the authority.
    if (++callsMade > maxToolCalls) return refuse(() => toolError("limit", callLimitMessage(path, maxToolCalls)));
    const inputChars = argsJson.length;
    if (inputChars > maxToolInputChars) {
      return refuse(() => toolError("limit", inputLimitMessage(path, inputChars, maxToolInputChars)));
    }
    // The program gets a fresh promise of the realm's own Promise, never the internal one.
    return promiseThen(callHost(path, argsJson), readReply);
  };

  const buildApi = (apiPaths: string[][]): Record<string, unknown> => {
    const api: Record<string, unknown> = {};
    for (let i = 0; i < apiPaths.length; i++) {
      const path = apiPaths[i] as string[];
      let node: Record<string, unknown> = api;
      let dotted = "";
      for (let j = 0; j < path.length - 1; j++) {
        const part = path[j] as string;
        if (!objectHasOwn(node, part)) reflectDefineProperty(node, part, enumerable({}));
        node = node[part] as Record<string, unknown>;
        dotted += `${part}.`;
      }
      const leaf = path[path.length - 1] as string;
      const target = dotted + leaf;
      reflectDefineProperty(node, leaf, enumerable({ [leaf]: (input?: unknown) => callTool(target, input) }[leaf]));
    }
    deepFreeze(api);
    // A mistyped tool name still reaches the bridge, which answers with a "did you mean". The
    // handler has no prototype, so traps it lacks cannot come from Object.prototype.
    const handler = {
      __proto__: null,
      get(target: Record<string | symbol, unknown>, key: string | symbol) {
        if (typeof key === "symbol" || objectHasOwn(target, key)) return target[key];
        if (key === "then" || key === "toJSON") return undefined;
        // The host's own methods (`$search`, `$describe`) take several arguments: all of them go.
        if (key[0] === "$") return (...args: unknown[]) => callTool(key, args);
        return (input?: unknown) => callTool(key, input);
      },
    } as ProxyHandler<Record<string, unknown>>;
    return new ProxyConstructor(api, handler);
  };

  // console: formatted here so only strings cross; stops sending once the host has cut output.
  // The budget is set per run; the host enforces the same cap, this only saves the traffic.
  let logBudget = Number.POSITIVE_INFINITY;
  let logCut = false;
  const consoleObject: Record<string, (...args: unknown[]) => void> = {};
  const levels = ["log", "info", "warn", "error", "debug"];
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i] as string;
    const method = (...args: unknown[]): void => {
      if (logCut) return;
      let text = "";
      for (let j = 0; j < args.length; j++) {
        const arg = args[j];
        const shown = typeof arg === "string" ? arg : formatValue(arg, 0, new SetConstructor());
        text = j === 0 ? shown : `${text} ${shown}`;
      }
      const cost = text.length + 1;
      if (cost <= logBudget) {
        logBudget -= cost;
        log(level, text);
        return;
      }
      logCut = true;
      if (logBudget > 0) log(level, stringSlice(text, 0, logBudget));
      log("warn", CUT_NOTE);
    };
    reflectDefineProperty(consoleObject, level, enumerable(method));
  }
  reflectDefineProperty(consoleObject, "trace", enumerable(consoleObject.debug));

  // Timers live only as long as the execution: when it ends the sandbox is thrown away.
  let nextTimer = 1;
  const liveTimers = new SetConstructor<number>();
  const startTimer = (repeat: boolean, fn: unknown, ms: unknown, args: unknown[]): number => {
    if (typeof fn !== "function") {
      throw new TypeErrorConstructor("setTimeout/setInterval need a function as first argument");
    }
    const id = nextTimer++;
    const asked = NumberConstructor(ms);
    const delay = mathMax(repeat ? 1 : 0, numberIsNaN(asked) ? 0 : asked);
    setAdd(liveTimers, id);
    const tick = (): void => {
      promiseThen(sleep(delay), () => {
        if (!setHas(liveTimers, id)) return;
        if (!repeat) setDelete(liveTimers, id);
        try {
          // Reflect.apply reads `args` by index; spreading it would run the program's iterator.
          reflectApply(fn as (...args: unknown[]) => unknown, undefined, args);
        } catch (error) {
          // As in Node, a throwing timer does not end the program; unlike Node, it is only logged.
          log("error", `Uncaught error in a timer callback: ${errorText(error)}`);
        }
        if (repeat && setHas(liveTimers, id)) tick();
      });
    };
    tick();
    return id;
  };
  const clearTimer = (id: unknown): void => {
    setDelete(liveTimers, id as number);
  };

  const define = (name: string, value: unknown): void => {
    reflectDefineProperty(global, name, hidden(value));
  };
  define("console", objectFreeze(consoleObject));
  define("setTimeout", (fn: unknown, ms?: unknown, ...args: unknown[]) => startTimer(false, fn, ms, args));
  define("setInterval", (fn: unknown, ms?: unknown, ...args: unknown[]) => startTimer(true, fn, ms, args));
  define("clearTimeout", clearTimer);
  define("clearInterval", clearTimer);
  define("queueMicrotask", (fn: unknown) => {
    if (typeof fn !== "function") throw new TypeErrorConstructor("queueMicrotask needs a function");
    later(() => {
      reflectApply(fn as () => void, undefined, []);
    });
  });

  // The runner: awaits the program and answers with one JSON string the host can parse.
  reflectDefineProperty(global, "__codeModeFinish", {
    __proto__: null,
    configurable: true,
    value: (options: PreludeOptions, main: () => Promise<unknown>): void => {
      // Read once, own properties only, before any program code has run.
      const own = (key: keyof PreludeOptions): unknown => (objectHasOwn(options, key) ? options[key] : undefined);
      const limit = (key: keyof PreludeOptions): number => {
        const value = own(key);
        return typeof value === "number" && value >= 0 ? value : Number.POSITIVE_INFINITY;
      };
      const apiPaths = own("apiPaths") as string[][];
      const maxResultChars = limit("maxResultChars");
      const runId = typeof own("runId") === "number" ? (own("runId") as number) : 0;
      // Gone before the program runs, so it cannot report a second outcome of its own making.
      if (own("warmUp") !== true) reflectDeleteProperty(global, "__codeModeFinish");
      let reported = false;
      const report = (json: string): void => {
        if (reported) return;
        reported = true;
        setClear(liveTimers);
        post("done", runId, json, "");
      };
      const fail = (error: unknown): void => {
        let json: string;
        try {
          json = jsonStringify({ __proto__: null, ok: false, error: describeError(error) });
        } catch {
          json = '{"ok":false,"error":{"kind":"runtime","message":"The program threw an unprintable value."}}';
        }
        report(json);
      };
      later(() => {
        logBudget = limit("maxLogChars");
        maxToolCalls = limit("maxToolCalls");
        maxConcurrentCalls = mathMax(1, limit("maxConcurrentCalls"));
        maxToolInputChars = limit("maxToolInputChars");
        callsMade = 0;
        define("api", buildApi(apiPaths));
        let running: Promise<unknown>;
        try {
          running = main();
          // main() is the program's async function, so this is a fresh promise of this realm.
          // Its constructor is pinned like the prelude's own, so a `then`, a constructor or a
          // species the program planted is never asked how the outcome is awaited.
          if (objectGetPrototypeOf(running) !== PromisePrototype) throw new TypeErrorConstructor("not a promise");
          reflectDefineProperty(running, "constructor", pinnedConstructor);
        } catch (error) {
          fail(error);
          return;
        }
        promiseThen(
          running,
          (value) => {
            let json: string;
            try {
              json = outcomeOf(value, maxResultChars);
            } catch (error) {
              fail(error);
              return;
            }
            report(json);
          },
          fail,
        );
      });
    },
  } as PropertyDescriptor);

  return (id: number, json: string): void => {
    const resolve = mapGet(pending, id);
    if (resolve) {
      mapDelete(pending, id);
      resolve(json);
    }
  };

  function outcomeOf(value: unknown, maxResultChars: number): string {
    if (value === undefined) return '{"ok":true}';
    let json: string | undefined;
    try {
      json = jsonStringify(value, (_key, v) => (typeof v === "bigint" ? `${v}n` : v));
    } catch (error) {
      return jsonStringify({
        __proto__: null,
        ok: false,
        error: {
          __proto__: null,
          kind: "runtime",
          message: `The program's result cannot be turned into JSON: ${errorText(error)}. Return plain data (objects, arrays, strings, numbers, booleans, null).`,
        },
      });
    }
    if (json === undefined) return '{"ok":true}';
    // The envelope has no prototype: a toJSON the program put on Object.prototype is not asked.
    if (json.length > maxResultChars) {
      return jsonStringify({
        __proto__: null,
        ok: true,
        resultJson: jsonStringify(stringSlice(json, 0, maxResultChars)),
        resultCut: true,
      });
    }
    return jsonStringify({ __proto__: null, ok: true, resultJson: json });
  }

  function describeError(error: unknown): { kind: string; message: string; stack?: string } {
    const toolKind = typeof error === "object" && error !== null ? weakMapGet(toolErrorKinds, error) : undefined;
    if (toolKind !== undefined) {
      return {
        __proto__: null,
        kind: toolKind,
        message: textOf(() => (error as Error).message),
        stack: stackOf(error as Error),
      } as { kind: string; message: string; stack?: string };
    }
    if (isError(error)) {
      const message = `${textOf(() => (error as Error).name)}: ${textOf(() => (error as Error).message)}`;
      return { __proto__: null, kind: "runtime", message, stack: stackOf(error as Error) } as {
        kind: string;
        message: string;
      };
    }
    return {
      __proto__: null,
      kind: "runtime",
      message: `The program threw a non-Error value: ${formatValue(error, 0, new SetConstructor())}. Throw new Error("...") instead.`,
    } as { kind: string; message: string };
  }

  /** A value of the program's as text; whatever its conversion throws gives "unprintable". */
  function textOf(read: () => unknown): string {
    try {
      const value = read();
      return typeof value === "string" ? value : StringConstructor(value);
    } catch {
      return "unprintable";
    }
  }

  function stackOf(error: Error): string | undefined {
    try {
      const stack = error.stack;
      return typeof stack === "string" ? stringSlice(stack, 0, 4000) : undefined;
    } catch {
      return undefined;
    }
  }

  function errorText(error: unknown): string {
    return textOf(() => (isError(error) ? (error as Error).message : error));
  }

  function enumerable(value: unknown): PropertyDescriptor {
    return { __proto__: null, value, writable: true, configurable: true, enumerable: true } as PropertyDescriptor;
  }

  function deepFreeze(value: Record<string, unknown>): void {
    const children = objectValues(value);
    for (let i = 0; i < children.length; i++) {
      const child = children[i];
      if (typeof child === "object" && child !== null) deepFreeze(child as Record<string, unknown>);
    }
    objectFreeze(value);
  }

  // A readable, bounded rendering of any value, in the spirit of util.inspect. Getters and
  // conversions of the program's own values run here, in the sandbox; nothing of the runtime does.
  function formatValue(value: unknown, depth: number, seen: Set<unknown>): string {
    try {
      switch (typeof value) {
        case "string":
          return depth === 0 ? value : jsonStringify(value.length > 1000 ? `${stringSlice(value, 0, 1000)}…` : value);
        case "number":
          return objectIs(value, -0) ? "-0" : StringConstructor(value);
        case "bigint":
          return `${value}n`;
        case "boolean":
        case "undefined":
        case "symbol":
          return StringConstructor(value);
        case "function": {
          const name = textOf(() => (value as () => void).name);
          return `[Function${name ? `: ${name}` : " (anonymous)"}]`;
        }
      }
      if (value === null) return "null";
      const object = value as object;
      if (setHas(seen, object)) return "[Circular]";
      if (isError(object)) {
        const error = object as Error;
        const stack = depth === 0 ? stackOf(error) : undefined;
        return stack ? stack : `[${textOf(() => error.name)}: ${textOf(() => error.message)}]`;
      }
      const time = brand(dateGetTime, object);
      if (time !== undefined) return numberIsNaN(time) ? "Invalid Date" : dateToISOString(object);
      if (brand(regExpSource, object) !== undefined) return textOf(() => regExpToString(object as RegExp));
      if (depth > 4) return arrayIsArray(object) ? "[Array]" : "[Object]";
      setAdd(seen, object);
      try {
        if (arrayIsArray(object)) {
          const array = object as unknown[];
          const shown = mathMin(array.length, 100);
          // The layout of results (src/execute-code/layout.ts): compact, and a logged list of
          // objects one element per line.
          let lines = false;
          for (let i = 0; i < shown && depth === 0 && shown > 1; i++) {
            if (typeof array[i] === "object" && array[i] !== null) lines = true;
          }
          const separator = lines ? ",\n" : ",";
          let items = "";
          for (let i = 0; i < shown; i++)
            items += `${i === 0 ? "" : separator}${formatValue(array[i], depth + 1, seen)}`;
          if (array.length > 100) items += `${separator}… ${array.length - 100} more items`;
          return lines ? `[\n${items}\n]` : `[${items}]`;
        }
        const mapEntries = brand(mapSize, object);
        if (mapEntries !== undefined) {
          let items = "";
          let count = 0;
          mapForEach(object as Map<unknown, unknown>, (v, k) => {
            if (count++ >= 100) return;
            items += `${count === 1 ? "" : ","}${formatValue(k, depth + 1, seen)}=>${formatValue(v, depth + 1, seen)}`;
          });
          return `Map(${mapEntries}){${items}}`;
        }
        const setEntries = brand(setSize, object);
        if (setEntries !== undefined) {
          let items = "";
          let count = 0;
          setForEach(object as Set<unknown>, (v) => {
            if (count++ >= 100) return;
            items += `${count === 1 ? "" : ","}${formatValue(v, depth + 1, seen)}`;
          });
          return `Set(${setEntries}){${items}}`;
        }
        if (objectGetPrototypeOf(object) === PromisePrototype) return "Promise { <pending or settled> }";
        const keys = objectKeys(object);
        const shown = mathMin(keys.length, 100);
        let entries = "";
        for (let i = 0; i < shown; i++) {
          const key = keys[i] as string;
          entries += `${i === 0 ? "" : ","}${jsonStringify(key)}:${formatValue((object as Record<string, unknown>)[key], depth + 1, seen)}`;
        }
        if (keys.length > 100) entries += `,… ${keys.length - 100} more keys`;
        return `{${entries}}`;
      } finally {
        setDelete(seen, object);
      }
    } catch {
      return "[unprintable]";
    }
  }

  /** What a brand-checking built-in says of `object`, or undefined when it is not of that kind. */
  function brand<T>(check: (object: unknown) => T, object: unknown): T | undefined {
    try {
      return check(object);
    } catch {
      return undefined;
    }
  }
}
