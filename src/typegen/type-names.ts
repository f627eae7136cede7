// Global type names of the ECMAScript lib (what the sandbox has): a generated name must never
// shadow one, or the declarations would redefine `Promise` or `ReadonlyArray` for the model.
const RESERVED = `AggregateError AggregateErrorConstructor Array ArrayBuffer ArrayBufferConstructor ArrayBufferLike
ArrayBufferTypes ArrayBufferView ArrayConstructor ArrayIterator ArrayLike AsyncDisposable AsyncDisposableStack
AsyncDisposableStackConstructor AsyncGenerator AsyncGeneratorFunction AsyncGeneratorFunctionConstructor AsyncIterable
AsyncIterableIterator AsyncIterator AsyncIteratorObject Atomics Awaited BigInt BigInt64Array BigInt64ArrayConstructor
BigIntConstructor BigIntToLocaleStringOptions BigUint64Array BigUint64ArrayConstructor Boolean BooleanConstructor
BuiltinIteratorReturn CallableFunction Capitalize ClassAccessorDecoratorContext ClassAccessorDecoratorResult
ClassAccessorDecoratorTarget ClassDecorator ClassDecoratorContext ClassFieldDecoratorContext
ClassGetterDecoratorContext ClassMemberDecoratorContext ClassMethodDecoratorContext ClassSetterDecoratorContext
ConcatArray Console ConstructorParameters DataView DataViewConstructor Date DateConstructor DecoratorContext
DecoratorMetadata DecoratorMetadataObject Disposable DisposableStack DisposableStackConstructor Error
ErrorConstructor ErrorOptions EvalError EvalErrorConstructor Exclude Extract FinalizationRegistry
FinalizationRegistryConstructor FlatArray Float16Array Float16ArrayConstructor Float32Array Float32ArrayConstructor
Float64Array Float64ArrayConstructor Function FunctionConstructor Generator GeneratorFunction
GeneratorFunctionConstructor IArguments ImportAssertions ImportAttributes ImportCallOptions ImportMeta Infinity
InstanceType Int16Array Int16ArrayConstructor Int32Array Int32ArrayConstructor Int8Array Int8ArrayConstructor Intl
Iterable IterableIterator Iterator IteratorObject IteratorObjectConstructor IteratorResult IteratorReturnResult
IteratorYieldResult JSON Lowercase Map MapConstructor MapIterator Math MethodDecorator NaN NewableFunction NoInfer
NonNullable Number NumberConstructor Object ObjectConstructor Omit OmitThisParameter ParameterDecorator Parameters
Partial Pick Promise PromiseConstructor PromiseConstructorLike PromiseFulfilledResult PromiseLike
PromiseRejectedResult PromiseSettledResult PromiseWithResolvers PropertyDecorator PropertyDescriptor
PropertyDescriptorMap PropertyKey Proxy ProxyConstructor ProxyHandler RangeError RangeErrorConstructor Readonly
ReadonlyArray ReadonlyMap ReadonlySet ReadonlySetLike Record ReferenceError ReferenceErrorConstructor Reflect RegExp
RegExpConstructor RegExpExecArray RegExpIndicesArray RegExpMatchArray RegExpStringIterator Required ReturnType Set
SetConstructor SetIterator SharedArrayBuffer SharedArrayBufferConstructor String StringConstructor StringIterator
SuppressedError SuppressedErrorConstructor Symbol SymbolConstructor SyntaxError SyntaxErrorConstructor
TemplateStringsArray ThisParameterType ThisType TypeError TypeErrorConstructor TypedPropertyDescriptor URIError
URIErrorConstructor Uint16Array Uint16ArrayConstructor Uint32Array Uint32ArrayConstructor Uint8Array
Uint8ArrayConstructor Uint8ClampedArray Uint8ClampedArrayConstructor Uncapitalize Uppercase WeakKey WeakKeyTypes
WeakMap WeakMapConstructor WeakRef WeakRefConstructor WeakSet WeakSetConstructor api console`.split(/\s+/);

/** Hands out type names that are unique within one declarations text and clash with no built-in. */
export class TypeNames {
  readonly #used = new Set(RESERVED);

  /** `base`, or `base2`, `base3`... (`base_2` when `base` ends in a digit), whichever is free first. */
  take(base: string): string {
    const name = this.#free(base, (n) => [n]);
    this.#used.add(name);
    return name;
  }

  /** The first of `choices` that is free, else `take(last choice)`. */
  takeFirstFree(choices: readonly string[]): string {
    const name = choices.find((c) => !this.#used.has(c)) ?? this.#free(choices.at(-1)!, (n) => [n]);
    this.#used.add(name);
    return name;
  }

  /** A tool's base name: free with every suffix (`Input`, `Output`), which are all reserved at once. */
  takeWithSuffixes(base: string, suffixes: readonly string[]): string {
    const name = this.#free(base, (n) => suffixes.map((s) => n + s));
    for (const s of suffixes) this.#used.add(name + s);
    return name;
  }

  #free(base: string, expand: (name: string) => string[]): string {
    let name = base;
    for (let n = 2; expand(name).some((x) => this.#used.has(x)); n++) {
      name = /[0-9]$/.test(base) ? `${base}_${n}` : `${base}${n}`;
    }
    return name;
  }
}

/** PascalCase from any text: `read_text_file` -> `ReadTextFile`, `my tool v2 2` -> `MyToolV2_2`. */
export function pascalCase(text: string): string {
  let out = "";
  for (const word of text.split(/[^A-Za-z0-9$]+/)) {
    if (word === "") continue;
    // Keep digits apart where two numbers would run together (`v2_2` must not read as `V22`).
    if (/[0-9]$/.test(out) && /^[0-9]/.test(word)) out += "_";
    out += word[0]!.toUpperCase() + word.slice(1);
  }
  if (out === "") return "Type";
  return /^[0-9]/.test(out) ? `_${out}` : out;
}
