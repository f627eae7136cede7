// The public surface: what library users import. Internals stay internal.
export {
  type AiSdkCodeModeTool,
  type AiSdkSearchTool,
  type FromAiSdkOptions,
  fromAiSdkTools,
  toAiSdkSearchTool,
  toAiSdkTool,
} from "./agent/ai-sdk.ts";
export {
  type AgentEvent,
  type AgentMode,
  type AgentProgram,
  type AgentRun,
  type AgentStep,
  type AgentToolCall,
  type AgentUsage,
  type RunAgentOptions,
  runAgent,
} from "./agent/run-agent.ts";
export { ApiIndex } from "./bridge/api-index.ts";
export type { ApprovalHook, ToolCallRecord } from "./bridge/bridge.ts";
export type { ToolMatch } from "./catalog/catalog.ts";
export type { CatalogForm } from "./catalog/description.ts";
export { SEARCH_TOOL_NAME } from "./catalog/search-tool.ts";
export type { CatalogMode, CatalogSettings } from "./catalog/settings.ts";
export { loadConfig, parseConfig } from "./config/load.ts";
export { type CodeModeSession, type OpenOptions, openCodeMode } from "./config/open-code-mode.ts";
export type { CodeModeConfig, McpServerConfig } from "./config/schema.ts";
export { CodeModeError, ConfigError, type ErrorKind, ExecutorError } from "./errors.ts";
export { type CodeModeTool, type CodeModeToolOutput, createCodeModeTool } from "./execute-code/code-mode-tool.ts";
export type { CodeModeOptions, DockerSettings, RuntimeChoice } from "./execute-code/options.ts";
export { connectMcpServers, type McpClientOptions, type McpServers } from "./mcp/client.ts";
export type { ConnectionState, McpConnection } from "./mcp/connection.ts";
export { McpServerError } from "./mcp/errors.ts";
export { type HttpEndpoint, type HttpOptions, listenHttp } from "./mcp/http-server.ts";
export { createMcpServer, executionResultSchema, type McpServerOptions } from "./mcp/server.ts";
export { AutoExecutor, type AutoExecutorOptions } from "./runtimes/auto/auto-executor.ts";
export { type CreateExecutorOptions, createExecutor } from "./runtimes/create-executor.ts";
export { DockerExecutor, type DockerExecutorOptions } from "./runtimes/docker/docker-executor.ts";
export { type BuiltImage, buildRunnerImage, RUNNER_IMAGE } from "./runtimes/docker/image.ts";
export type { ExecutionLimits, ExecutionResult, Executor, LogEntry, RuntimeName } from "./runtimes/executor.ts";
export { VmExecutor, type VmExecutorOptions } from "./runtimes/vm/vm-executor.ts";
export { loadToolModules } from "./tools/load-modules.ts";
export { ToolRegistry } from "./tools/registry.ts";
export type { JsonSchema, Tool, ToolContext } from "./tools/tool.ts";
export { transpile } from "./transpile/transpile.ts";
export { generateDeclarations } from "./typegen/declarations.ts";
export { SANDBOX_GLOBALS } from "./typegen/sandbox-globals.ts";
