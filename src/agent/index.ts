// `code-mode/ai`: the AI SDK adapter and the agent loop. Every export here is public API.
// Needs the `ai` package (a peer dependency: your app's own copy).

export { eventLine } from "../execute-code/event-line.ts";
export {
  type AiSdkCodeModeTool,
  type AiSdkCodeModeToolWithoutProgress,
  type AiSdkSearchTool,
  type AiSdkToolOptions,
  type FromAiSdkOptions,
  fromAiSdkTools,
  toAiSdkSearchTool,
  toAiSdkTool,
} from "./ai-sdk.ts";
export type { CodeModeProgress } from "./program-progress.ts";
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
} from "./run-agent.ts";
