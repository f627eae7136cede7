// `code-mode/mcp`: MCP both ways. Every export here is public API. Loads the MCP SDK.
export { connectMcpServers, type McpClientOptions, type McpServers } from "./client.ts";
export type { ConnectionState, McpConnection } from "./connection.ts";
export { McpServerError } from "./errors.ts";
export { type HttpEndpoint, type HttpOptions, listenHttp } from "./http-server.ts";
export { createMcpServer, executionResultSchema, type McpServerOptions } from "./server.ts";
export type { McpServerConfig } from "./server-config.ts";
