import { ExecutorError } from "../errors.ts";
import type { ExecutionJob, Executor, RawOutcome, RuntimeName } from "./executor.ts";

/**
 * An Executor whose implementation is imported when first needed, so that `import "code-mode"`
 * does not load a runtime's heavy dependencies (dockerode) for a program that never uses it.
 * With `start`, loading begins at once (the runtime warms up as if it had been made directly).
 */
export class LazyExecutor implements Executor {
  readonly name: RuntimeName;
  readonly #load: () => Promise<Executor>;
  #loaded: Promise<Executor> | undefined;
  #closed = false;

  constructor(name: RuntimeName, load: () => Promise<Executor>, options: { start?: boolean } = {}) {
    this.name = name;
    this.#load = load;
    if (options.start) this.#get().catch(() => {});
  }

  async run(job: ExecutionJob): Promise<RawOutcome> {
    if (this.#closed) throw new ExecutorError(`The ${this.name} runtime was closed; create a new one.`);
    return (await this.#get()).run(job);
  }

  async close(): Promise<void> {
    this.#closed = true;
    const executor = await this.#loaded?.catch(() => undefined);
    await executor?.close();
  }

  #get(): Promise<Executor> {
    this.#loaded ??= this.#load().catch((error: unknown) => {
      throw new ExecutorError(`The ${this.name} runtime could not be loaded: ${(error as Error).message}`, {
        cause: error,
      });
    });
    return this.#loaded;
  }
}
