/**
 * Declarations of what the sandbox adds to ECMAScript besides `api`: for type-checking programs
 * (editors, tests). Not part of the prompt: models know `console` and timers already.
 */
export const SANDBOX_GLOBALS = `declare const console: {
  log(...args: unknown[]): void; info(...args: unknown[]): void; warn(...args: unknown[]): void;
  error(...args: unknown[]): void; debug(...args: unknown[]): void; trace(...args: unknown[]): void;
};
declare function setTimeout(fn: (...args: any[]) => void, ms?: number, ...args: any[]): number;
declare function setInterval(fn: (...args: any[]) => void, ms?: number, ...args: any[]): number;
declare function clearTimeout(id: number | undefined): void;
declare function clearInterval(id: number | undefined): void;
declare function queueMicrotask(fn: () => void): void;`;
