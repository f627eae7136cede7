import { CodeModeError } from "../errors.ts";

/** A wrapped MCP server failed: it did not start, died, or could not be reached. Names the server. */
export class McpServerError extends CodeModeError {
  readonly server: string;

  constructor(server: string, message: string, options: { cause?: unknown } = {}) {
    super("tool", message, options);
    this.name = "McpServerError";
    this.server = server;
  }
}
