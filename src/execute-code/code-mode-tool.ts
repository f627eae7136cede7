import { ApiIndex } from "../bridge/api-index.ts";
import { type ApprovalHook, approvalSetup } from "../bridge/approval.ts";
import { schemaCompilers } from "../bridge/validate.ts";
import type { ToolMatch } from "../catalog/catalog.ts";
import { type CatalogForm, catalogText, withLookupMembers } from "../catalog/description.ts";
import { ExecutorError } from "../errors.ts";
import { createExecutor } from "../runtimes/create-executor.ts";
import type { ExecutionResult, Executor } from "../runtimes/executor.ts";
import type { ToolRegistry } from "../tools/registry.ts";
import { holdEsbuild } from "../transpile/esbuild-service.ts";
import { typeStripper } from "../transpile/transpile.ts";
import { ProgramTypeCheck } from "../typecheck/type-check.ts";
import { generateDeclarations } from "../typegen/declarations.ts";
import type { ExecutionEventListener } from "./events.ts";
import { type CodeModeOptions, type ResolvedOptions, resolveOptions } from "./options.ts";
import { resultText } from "./result-text.ts";
import { runProgram } from "./run-program.ts";

/** What `execute_code` answers: text for the model and the structured result of DESIGN.md. */
export interface CodeModeToolOutput {
  text: string;
  result: ExecutionResult;
}

/** What one `execute` call may bring besides the code. */
export interface ExecuteContext {
  signal?: AbortSignal;
  onEvent?: ExecutionEventListener;
  /** Asks a person about the calls that need approval (a terminal, an MCP client). */
  approve?: ApprovalHook;
  /** Told to the program when a call needs approval and nobody can be asked ("this client cannot answer"). */
  approvalUnavailable?: string;
  /** More tool patterns whose calls need approval in this execution (a front end's own policy, such as --deny). */
  approvalRequire?: readonly string[];
}

/** The single tool the model sees. Front ends (CLI, MCP, AI SDK, agent) all wrap this object. */
export interface CodeModeTool {
  readonly name: "execute_code";
  /**
   * A short guide plus the declarations of every tool, or, when they do not fit the catalog
   * budget, an index of the tools and how to look them up; follows registry changes.
   */
  readonly description: string;
  /** The current `declare const api: {...}` text of every tool and the lookup methods, whatever the description carries. */
  readonly declarations: string;
  /** What the description carries now: every declaration (`full`) or an index (`index`). */
  readonly catalogForm: CatalogForm;
  /** What `api.$search` answers inside programs, for front ends that offer search themselves. Throws a `type` CodeModeError on bad input. */
  search(query: string, options?: { limit?: number }): ToolMatch[];
  /** What `api.$describe` answers inside programs. Throws a `type` CodeModeError for unknown names. */
  describe(names: string | string[]): string;
  readonly inputSchema: {
    type: "object";
    properties: { code: { type: "string"; description: string } };
    required: ["code"];
    additionalProperties: false;
  };
  readonly options: ResolvedOptions;
  /**
   * Runs one program. `onEvent` hears its events as they happen (start, console lines, calls,
   * approvals, end); `approve` is asked about the calls that `approval.require` marks (after the
   * tool's own `approve`, which must agree too); `approvalUnavailable` says why nobody can be
   * asked, when neither is given.
   */
  execute(input: { code: string }, context?: ExecuteContext): Promise<CodeModeToolOutput>;
  /** Stops the runtime's processes or containers (when the tool created them). */
  close(): Promise<void>;
}

const GUIDE = `Run a TypeScript program in a sandbox. Call tools as \`await api.<tool>(input)\` (declared below); chain calls with ordinary code: variables, loops, conditions, try/catch, Promise.all. \`return\` only what you need to read (plain JSON data) and use console.log for short notes; both come back to you, cut to a budget. Keep bulk data inside the program: filter, count and summarise there. Each tool error is thrown as an Error you can catch. There is no network, file system, require or import: only \`api\`. Do as much as you can in one program.`;

/**
 * Creates the `execute_code` tool over a registry and starts its runtime (unless you pass an
 * Executor of your own as `runtime`, which the tool then neither starts nor closes).
 *
 * @example
 * const tool = createCodeModeTool(new ToolRegistry([weather]), { runtime: "vm", timeout: 10 });
 * const { text, result } = await tool.execute({ code: 'return await api.get_weather({ city: "Oslo" })' });
 * await tool.close();
 */
export function createCodeModeTool(registry: ToolRegistry, options: CodeModeOptions = {}): CodeModeTool {
  const resolved = resolveOptions(options);
  const ownsExecutor = typeof resolved.runtime === "string";
  // Started now, so the runtime's processes are warm by the first program.
  let executor: Executor | undefined = createExecutor(resolved);
  // While its processes start, load what the first program needs in this process too.
  setImmediate(() => {
    typeStripper();
    schemaCompilers();
  }).unref();
  const releaseEsbuild = holdEsbuild();
  let cache: { index: ApiIndex; declarations: string; description: string; form: CatalogForm } | undefined;
  // Checked against `declarations`: every registered tool, whatever the description shows.
  const typecheck =
    resolved.typecheck.mode === "off"
      ? undefined
      : new ProgramTypeCheck(resolved.typecheck.mode, resolved.typecheck.timeoutMs, () => current());
  let refreshing: NodeJS.Immediate | undefined;
  const invalidate = () => {
    cache = undefined;
    // MCP servers re-list tools one change at a time: the checker re-reads them once, soon after.
    if (typecheck && !refreshing) {
      refreshing = setImmediate(() => {
        refreshing = undefined;
        typecheck.refresh();
      }).unref();
    }
  };
  registry.on("change", invalidate);
  const current = () => {
    if (!cache) {
      const tools = registry.list();
      const index = new ApiIndex(tools);
      const declarations = withLookupMembers(generateDeclarations(tools));
      const catalog = catalogText(index.entries, declarations, resolved.catalog);
      cache = { index, declarations, description: `${GUIDE}\n\n${catalog.text}`, form: catalog.form };
      // Behind an index the model's first program searches: build the search index while it thinks.
      if (catalog.form === "index") setTimeout(() => executor && index.catalog.warm(), 0).unref();
    }
    return cache;
  };

  return {
    name: "execute_code",
    get description() {
      return current().description;
    },
    get declarations() {
      return current().declarations;
    },
    get catalogForm() {
      return current().form;
    },
    search(query, searchOptions) {
      return current().index.catalog.search(query, searchOptions);
    },
    describe(names) {
      return current().index.catalog.describe(names);
    },
    inputSchema: {
      type: "object",
      properties: {
        code: { type: "string", description: "The TypeScript program; its `return` value is the result." },
      },
      required: ["code"],
      additionalProperties: false,
    },
    options: resolved,
    async execute(input, context = {}) {
      if (!executor) throw new ExecutorError("This execute_code tool was closed; create a new one.");
      // transpile() refuses anything but a string with a clear syntax error.
      const code = (input as { code?: unknown } | undefined)?.code as string;
      const approval = approvalSetup(resolved.approval, resolved.approve, context);
      const result = await runProgram(code, {
        index: current().index,
        executor,
        limits: resolved.limits,
        ...(approval && { approval }),
        ...(context.signal && { signal: context.signal }),
        ...(context.onEvent && { onEvent: context.onEvent }),
        ...(typecheck && { typecheck: (program) => typecheck.check(program) }),
      });
      return {
        text: resultText(result, { maxTokens: resolved.maxTextTokens, maxChars: resolved.maxTextChars }),
        result,
      };
    },
    async close() {
      registry.off("change", invalidate);
      if (refreshing) clearImmediate(refreshing);
      const closing = executor;
      executor = undefined;
      await Promise.all([typecheck?.close(), ownsExecutor && closing ? closing.close() : undefined]);
      if (closing) await releaseEsbuild();
    },
  };
}
