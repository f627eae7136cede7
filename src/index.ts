// code-mode's main entry. Every export here is public API: adding one is a promise to keep it.
// It loads only what an `execute_code` tool on the vm runtime needs; the parts with heavy
// dependencies have their own entries: `code-mode/mcp` (MCP client and server), `code-mode/ai`
// (AI SDK adapter and agent loop), `code-mode/docker` (docker runtime, runner image) and
// `code-mode/config` (config files).
export { ApiIndex } from "./bridge/api-index.ts";
export type { ApprovalAnswer, ApprovalHook, ApprovalRequest, ApprovalRule } from "./bridge/approval.ts";
export type { CallEvent, ToolCallRecord } from "./bridge/bridge.ts";
export type { ToolMatch } from "./catalog/catalog.ts";
export type { CatalogForm } from "./catalog/description.ts";
export { SEARCH_TOOL_NAME } from "./catalog/search-tool.ts";
export {
  type CodeModeSession,
  type CodeModeSetup,
  loadCodeMode,
  type OpenOptions,
  openCodeMode,
} from "./config/open-code-mode.ts";
export type { CodeModeConfig } from "./config/schema.ts";
export { CodeModeError, ConfigError, type ErrorKind, ExecutorError } from "./errors.ts";
export {
  type CodeModeTool,
  type CodeModeToolOutput,
  createCodeModeTool,
  type ExecuteContext,
} from "./execute-code/code-mode-tool.ts";
export type { ExecutionEvent, ExecutionEventListener } from "./execute-code/events.ts";
export type { CodeModeOptions } from "./execute-code/options.ts";
export { AutoExecutor, type AutoExecutorOptions } from "./runtimes/auto/auto-executor.ts";
export { type CreateExecutorOptions, createExecutor } from "./runtimes/create-executor.ts";
export type { ExecutionLimits, ExecutionResult, Executor, LogEntry, RuntimeName } from "./runtimes/executor.ts";
export { VmExecutor, type VmExecutorOptions } from "./runtimes/vm/vm-executor.ts";
export {
  type ApprovalSettings,
  type CatalogMode,
  type CatalogSettings,
  DEFAULTS,
  type DockerSettings,
  RUNTIMES,
  type RuntimeChoice,
  SETTINGS,
  type Setting,
  type SettingName,
  type Settings,
} from "./settings.ts";
export { loadToolModules } from "./tools/load-modules.ts";
export { ToolRegistry } from "./tools/registry.ts";
export type { JsonSchema, Tool, ToolContext } from "./tools/tool.ts";
export { transpile } from "./transpile/transpile.ts";
export type { TypecheckMode } from "./typecheck/type-check.ts";
export { generateDeclarations } from "./typegen/declarations.ts";
export { SANDBOX_GLOBALS } from "./typegen/sandbox-globals.ts";
