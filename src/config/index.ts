// `code-mode/config`: reading and checking config files. Every export here is public API.
export { type LoadedConfig, loadConfig, parseConfig } from "./load.ts";
export {
  type CodeModeSession,
  type CodeModeSetup,
  loadCodeMode,
  type OpenOptions,
  openCodeMode,
} from "./open-code-mode.ts";
export type { CodeModeConfig } from "./schema.ts";
