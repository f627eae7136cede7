// Runs INSIDE the sandbox (an isolated-vm context, or node:vm inside a container), before the
// program. No imports: nothing from the host may reach this file. It builds `api`, `console`
// and timers on top of three host functions that move only strings and numbers.

/**
 * The one host function a runtime provides. It is fire-and-forget and moves only primitives:
 * `call` and `sleep` requests are answered later through the `deliver` function that
 * `installPrelude` returns; `log` needs no answer; `done` carries the outcome as JSON, once.
 * One channel for all of them keeps their order: every log arrives before `done`.
 */
export type HostSend = (kind: "call" | "sleep" | "log" | "done", id: number, a: string, b: string) => void;

export interface PreludeOptions {
  apiPaths: string[][];
  maxResultChars: number;
  /** Console characters to send; past this one note is sent and the rest dropped here. */
  maxLogChars: number;
  /** Echoed in `done`, so a runtime can tell this run's outcome from a warm-up's. */
  runId?: number;
  /** A throwaway run that prepares a fresh sandbox; the runner stays for the real one. */
  warmUp?: boolean;
}

/**
 * Installs `console`, timers and the runner `__codeModeFinish(options, main)` into `global`,
 * and returns `deliver(id, json)`, through which the host answers calls and sleeps.
 * The runner builds `api` from `options.apiPaths`, awaits `main()` and sends `done` with one
 * JSON string. Split this way, a runtime can prepare a sandbox before it knows the program.
 */
export function installPrelude(global: any, send: HostSend): (id: number, json: string) => void {
  // Captured now: the program may replace globals, never these.
  const PromiseCtor = Promise;
  const pending = new Map<number, (json: string) => void>();
  let nextId = 1;
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
  const request = (kind: "call" | "sleep", a: string, b: string): Promise<string> =>
    new PromiseCtor<string>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, resolve);
      if (!post(kind, id, a, b)) {
        pending.delete(id);
        reject(new RangeError("The sandbox could not reach the host (is the call stack exhausted?)."));
      }
    });
  const call = (path: string, argsJson: string): Promise<string> => request("call", path, argsJson);
  const sleep = (ms: number): Promise<string> => request("sleep", String(ms), "");
  const log = (level: string, text: string): void => {
    post("log", 0, level, text);
  };
  const JSONstringify = JSON.stringify;
  const JSONparse = JSON.parse;
  const ObjectFreeze = Object.freeze;

  // Errors the bridge reports become real Errors of this realm. Their kind is kept here, where
  // the program cannot change it (it may rewrite the error's own properties at will).
  const toolErrorKinds = new WeakMap<object, string>();
  class ToolError extends Error {
    constructor(kind: string, message: string) {
      super(message);
      this.name = kind === "tool" ? "ToolError" : kind === "type" ? "ToolInputError" : "LimitError";
      toolErrorKinds.set(this, kind);
    }
  }

  const callTool = (path: string, input: unknown): Promise<unknown> => {
    let argsJson: string;
    try {
      argsJson = input === undefined ? "{}" : JSONstringify(input);
    } catch (error) {
      return PromiseCtor.reject(
        new ToolError(
          "type",
          `api.${path}: the input could not be turned into JSON (${errorText(error)}). Pass plain objects, arrays, strings, numbers and booleans.`,
        ),
      );
    }
    if (argsJson === undefined) argsJson = "{}";
    return call(path, argsJson).then((replyJson) => {
      const reply = JSONparse(replyJson);
      if (reply.ok) return reply.value;
      throw new ToolError(reply.error.kind, reply.error.message);
    });
  };

  const buildApi = (apiPaths: string[][]): Record<string, unknown> => {
    const api: Record<string, unknown> = {};
    for (const path of apiPaths) {
      let node: Record<string, unknown> = api;
      for (const part of path.slice(0, -1)) {
        if (!Object.hasOwn(node, part)) node[part] = {};
        node = node[part] as Record<string, unknown>;
      }
      const dotted = path.join(".");
      const leaf = path[path.length - 1] as string;
      node[leaf] = { [leaf]: (input?: unknown) => callTool(dotted, input) }[leaf];
    }
    deepFreeze(api);
    // A mistyped tool name still reaches the bridge, which answers with a "did you mean".
    return new Proxy(api, {
      get(target, key) {
        if (typeof key === "symbol" || Object.hasOwn(target, key)) return (target as any)[key];
        if (key === "then" || key === "toJSON") return undefined;
        // The host's own methods (`$search`, `$describe`) take several arguments: all of them go.
        if (key[0] === "$") return (...args: unknown[]) => callTool(key, args);
        return (input?: unknown) => callTool(key, input);
      },
    });
  };

  // console: formatted here so only strings cross; stops sending once the host has cut output.
  // The budget is set per run; the host enforces the same cap, this only saves the traffic.
  let logBudget = Number.POSITIVE_INFINITY;
  let logCut = false;
  const consoleObject: Record<string, (...args: unknown[]) => void> = {};
  for (const level of ["log", "info", "warn", "error", "debug"]) {
    consoleObject[level] = (...args: unknown[]) => {
      if (logCut) return;
      const text = args.map((arg) => (typeof arg === "string" ? arg : formatValue(arg, 0, new Set()))).join(" ");
      const cost = text.length + 1;
      if (cost <= logBudget) {
        logBudget -= cost;
        log(level, text);
        return;
      }
      logCut = true;
      if (logBudget > 0) log(level, text.slice(0, logBudget));
      log("warn", "[console output cut here: the execution's output limit was reached]");
    };
  }
  consoleObject.trace = consoleObject.debug as (...args: unknown[]) => void;

  // Timers live only as long as the execution: when it ends the sandbox is thrown away.
  let nextTimer = 1;
  const liveTimers = new Set<number>();
  const startTimer = (repeat: boolean, fn: unknown, ms: unknown, args: unknown[]): number => {
    if (typeof fn !== "function") throw new TypeError("setTimeout/setInterval need a function as first argument");
    const id = nextTimer++;
    const delay = Math.max(0, Number(ms) || 0);
    liveTimers.add(id);
    const tick = (): void => {
      sleep(delay).then(() => {
        if (!liveTimers.has(id)) return;
        if (!repeat) liveTimers.delete(id);
        try {
          fn(...args);
        } catch (error) {
          // As in Node, a throwing timer does not end the program; unlike Node, it is only logged.
          log("error", `Uncaught error in a timer callback: ${errorText(error)}`);
        }
        if (repeat && liveTimers.has(id)) tick();
      });
    };
    tick();
    return id;
  };
  const clearTimer = (id: unknown): void => {
    liveTimers.delete(id as number);
  };

  const define = (name: string, value: unknown): void => {
    Object.defineProperty(global, name, {
      value,
      writable: true,
      configurable: true,
      enumerable: false,
    });
  };
  define("console", ObjectFreeze(consoleObject));
  define("setTimeout", (fn: unknown, ms?: unknown, ...args: unknown[]) => startTimer(false, fn, ms, args));
  define("setInterval", (fn: unknown, ms?: unknown, ...args: unknown[]) =>
    startTimer(true, fn, Math.max(1, Number(ms) || 0), args),
  );
  define("clearTimeout", clearTimer);
  define("clearInterval", clearTimer);
  define("queueMicrotask", (fn: () => void) => {
    PromiseCtor.resolve().then(fn);
  });

  // The runner: awaits the program and answers with one JSON string the host can parse.
  Object.defineProperty(global, "__codeModeFinish", {
    configurable: true,
    value: (options: PreludeOptions, main: () => Promise<unknown>): void => {
      // Gone before the program runs, so it cannot report a second outcome of its own making.
      if (!options.warmUp) delete global.__codeModeFinish;
      PromiseCtor.resolve()
        .then(() => {
          logBudget = options.maxLogChars;
          define("api", buildApi(options.apiPaths));
          return main();
        })
        .then(
          (value) => outcomeOf(value, options.maxResultChars),
          (error) => {
            try {
              return JSONstringify({ ok: false, error: describeError(error) });
            } catch {
              return JSONstringify({
                ok: false,
                error: { kind: "runtime", message: "The program threw an unprintable value." },
              });
            }
          },
        )
        .then((json) => {
          liveTimers.clear();
          post("done", options.runId ?? 0, json, "");
        });
    },
  });

  function outcomeOf(value: unknown, maxResultChars: number): string {
    if (value === undefined) return JSONstringify({ ok: true });
    let json: string | undefined;
    try {
      json = JSONstringify(value, (_key, v) => (typeof v === "bigint" ? `${v}n` : v));
    } catch (error) {
      return JSONstringify({
        ok: false,
        error: {
          kind: "runtime",
          message: `The program's result cannot be turned into JSON: ${errorText(error)}. Return plain data (objects, arrays, strings, numbers, booleans, null).`,
        },
      });
    }
    if (json === undefined) return JSONstringify({ ok: true });
    if (json.length > maxResultChars) {
      return JSONstringify({ ok: true, resultJson: JSONstringify(json.slice(0, maxResultChars)), resultCut: true });
    }
    return JSONstringify({ ok: true, resultJson: json });
  }

  return (id: number, json: string): void => {
    const resolve = pending.get(id);
    if (resolve) {
      pending.delete(id);
      resolve(json);
    }
  };

  function describeError(error: unknown): {
    kind: string;
    message: string;
    stack?: string;
  } {
    const toolKind = typeof error === "object" && error !== null ? toolErrorKinds.get(error) : undefined;
    if (toolKind !== undefined) {
      return { kind: toolKind, message: String((error as Error).message), stack: stackOf(error as Error) };
    }
    if (error instanceof Error) {
      return { kind: "runtime", message: `${String(error.name)}: ${String(error.message)}`, stack: stackOf(error) };
    }
    return {
      kind: "runtime",
      message: `The program threw a non-Error value: ${formatValue(error, 0, new Set())}. Throw new Error("...") instead.`,
    };
  }

  function stackOf(error: Error): string | undefined {
    try {
      const stack = error.stack;
      return typeof stack === "string" ? stack.slice(0, 4000) : undefined;
    } catch {
      return undefined;
    }
  }

  function errorText(error: unknown): string {
    try {
      return error instanceof Error ? error.message : String(error);
    } catch {
      return "unprintable error";
    }
  }

  function deepFreeze(value: Record<string, unknown>): void {
    for (const child of Object.values(value)) {
      if (typeof child === "object" && child !== null) deepFreeze(child as Record<string, unknown>);
    }
    ObjectFreeze(value);
  }

  // A readable, bounded rendering of any value, in the spirit of util.inspect.
  function formatValue(value: unknown, depth: number, seen: Set<unknown>): string {
    try {
      switch (typeof value) {
        case "string":
          return depth === 0 ? value : JSONstringify(value.length > 1000 ? `${value.slice(0, 1000)}…` : value);
        case "number":
          return Object.is(value, -0) ? "-0" : String(value);
        case "bigint":
          return `${value}n`;
        case "boolean":
        case "undefined":
          return String(value);
        case "symbol":
          return value.toString();
        case "function":
          return `[Function${value.name ? `: ${value.name}` : " (anonymous)"}]`;
      }
      if (value === null) return "null";
      const object = value as object;
      if (seen.has(object)) return "[Circular]";
      if (object instanceof Error)
        return object.stack && depth === 0 ? String(object.stack) : `[${object.name}: ${object.message}]`;
      if (object instanceof Date) return Number.isNaN(object.getTime()) ? "Invalid Date" : object.toISOString();
      if (object instanceof RegExp) return String(object);
      if (depth > 4) return Array.isArray(object) ? "[Array]" : "[Object]";
      seen.add(object);
      try {
        if (Array.isArray(object)) {
          const items = object.slice(0, 100).map((item) => formatValue(item, depth + 1, seen));
          if (object.length > 100) items.push(`… ${object.length - 100} more items`);
          return `[ ${items.join(", ")} ]`;
        }
        if (object instanceof Map) {
          const items = [...object]
            .slice(0, 100)
            .map(([k, v]) => `${formatValue(k, depth + 1, seen)} => ${formatValue(v, depth + 1, seen)}`);
          return `Map(${object.size}) { ${items.join(", ")} }`;
        }
        if (object instanceof Set) {
          const items = [...object].slice(0, 100).map((v) => formatValue(v, depth + 1, seen));
          return `Set(${object.size}) { ${items.join(", ")} }`;
        }
        if (object instanceof Promise) return "Promise { <pending or settled> }";
        const keys = Object.keys(object);
        const entries = keys.slice(0, 100).map((key) => {
          const shown = /^[A-Za-z_$][\w$]*$/.test(key) ? key : JSONstringify(key);
          return `${shown}: ${formatValue((object as Record<string, unknown>)[key], depth + 1, seen)}`;
        });
        if (keys.length > 100) entries.push(`… ${keys.length - 100} more keys`);
        return entries.length === 0 ? "{}" : `{ ${entries.join(", ")} }`;
      } finally {
        seen.delete(object);
      }
    } catch {
      return "[unprintable]";
    }
  }
}
