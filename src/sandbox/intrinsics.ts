// Built-ins the prelude uses, captured when the prelude's bundle is evaluated inside the sandbox,
// before any program runs. A program may replace, wrap, poison or freeze every global and every
// prototype method afterwards; the prelude calls only these, so none of that reaches the run.
// Methods are "uncurried": `mapGet(map, key)` calls the original Map.prototype.get without
// looking up `get` (or `call`) on anything the program can reach.

const { bind, call } = Function.prototype;

/** `uncurryThis(fn)(self, ...args)` is `fn.call(self, ...args)`, with `call` captured now. */
const uncurryThis = bind.bind(call) as <Self, Args extends unknown[], Result>(
  fn: (this: Self, ...args: Args) => Result,
) => (self: Self, ...args: Args) => Result;

const getterOf = (prototype: object, key: PropertyKey): ((this: unknown) => unknown) =>
  Reflect.getOwnPropertyDescriptor(prototype, key)!.get as (this: unknown) => unknown;

// Promises: the prelude awaits its own promises and the program's main() with these only.
export const PromiseConstructor = Promise;
export const PromisePrototype = Promise.prototype;
export const promiseThen = uncurryThis(Promise.prototype.then) as <T>(
  promise: Promise<T>,
  onFulfilled?: (value: T) => unknown,
  onRejected?: (reason: unknown) => unknown,
) => Promise<unknown>;

// Objects and reflection: property reads and definitions that consult no prototype.
export const {
  apply: reflectApply,
  defineProperty: reflectDefineProperty,
  deleteProperty: reflectDeleteProperty,
} = Reflect;
export const {
  defineProperty: objectDefineProperty,
  freeze: objectFreeze,
  getPrototypeOf: objectGetPrototypeOf,
  hasOwn: objectHasOwn,
  is: objectIs,
  keys: objectKeys,
  values: objectValues,
} = Object;
export const ProxyConstructor = Proxy;

// JSON moves every value across; the program may replace the global JSON.
export const { parse: jsonParse, stringify: jsonStringify } = JSON;

// Collections of the prelude's own state: pending replies, timers, error kinds, cycles in logs.
export const MapConstructor = Map;
export const mapGet = uncurryThis(Map.prototype.get);
export const mapSet = uncurryThis(Map.prototype.set);
export const mapDelete = uncurryThis(Map.prototype.delete);
export const mapForEach = uncurryThis(Map.prototype.forEach) as (
  map: Map<unknown, unknown>,
  each: (value: unknown, key: unknown) => void,
) => void;
/** Throws for anything but a Map: a brand check no Symbol.toStringTag can fake. */
export const mapSize = uncurryThis(getterOf(Map.prototype, "size")) as (map: unknown) => number;
export const SetConstructor = Set;
export const setAdd = uncurryThis(Set.prototype.add);
export const setHas = uncurryThis(Set.prototype.has);
export const setDelete = uncurryThis(Set.prototype.delete);
export const setClear = uncurryThis(Set.prototype.clear);
export const setForEach = uncurryThis(Set.prototype.forEach) as (
  set: Set<unknown>,
  each: (value: unknown) => void,
) => void;
/** Throws for anything but a Set. */
export const setSize = uncurryThis(getterOf(Set.prototype, "size")) as (set: unknown) => number;
export const WeakMapConstructor = WeakMap;
export const weakMapGet = uncurryThis(WeakMap.prototype.get);
export const weakMapSet = uncurryThis(WeakMap.prototype.set);

// Errors: the prelude makes the program's tool errors and recognises the program's own.
export const ErrorConstructor = Error;
export const TypeErrorConstructor = TypeError;
export const RangeErrorConstructor = RangeError;
const hasInstance = uncurryThis(Function.prototype[Symbol.hasInstance]) as (fn: unknown, value: unknown) => boolean;
/** Error.isError where the engine has it (Node 24 does); otherwise the original instanceof. */
export const isError: (value: unknown) => boolean =
  typeof (Error as { isError?: unknown }).isError === "function"
    ? (Error as unknown as { isError: (value: unknown) => boolean }).isError
    : (value) => hasInstance(Error, value);

// Strings and numbers for formatting and limits.
export const StringConstructor = String;
export const NumberConstructor = Number;
export const stringSlice = uncurryThis(String.prototype.slice);
export const { max: mathMax, min: mathMin } = Math;
export const { isNaN: numberIsNaN } = Number;
export const arrayIsArray = Array.isArray;
export const regExpExec = uncurryThis(RegExp.prototype.exec);
/** Throws for anything but a RegExp. */
export const regExpToString = uncurryThis(RegExp.prototype.toString);
export const regExpSource = uncurryThis(getterOf(RegExp.prototype, "source")) as (regExp: unknown) => string;
/** Throws for anything but a Date. */
export const dateGetTime = uncurryThis(Date.prototype.getTime) as (date: unknown) => number;
export const dateToISOString = uncurryThis(Date.prototype.toISOString) as (date: unknown) => string;
