import { type ParseArgsConfig, parseArgs } from "node:util";

/** A wrong flag or argument: the CLI prints it with the usage and exits 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** `parseArgs` whose mistakes become UsageErrors with the flag named. */
export function parseFlags<T extends ParseArgsConfig["options"]>(argv: string[], options: T, allowPositionals = true) {
  try {
    return parseArgs({ args: argv, options: options as NonNullable<T>, allowPositionals, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** A flag that must be a number within [min, max]. */
export function numberFlag(
  name: string,
  value: string | undefined,
  min = 0,
  max = Number.POSITIVE_INFINITY,
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${name} is "${value}"; expected a positive number.`);
  if (n < min || n > max) throw new UsageError(`--${name} is ${value}; expected a number from ${min} to ${max}.`);
  return n;
}
