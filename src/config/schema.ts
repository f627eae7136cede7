import { z } from "zod";
import { MAX_BUDGET, MIN_INDEX_BUDGET } from "../catalog/settings.ts";

// The same ranges as resolveOptions, so a config value is refused here, naming the file.
const seconds = z.number().min(0.01).max(3600);

export const dockerSchema = z
  .object({
    image: z.string().min(1).optional(),
    poolSize: z.number().int().min(0).max(64).optional(),
    toolCallTimeout: seconds.optional(),
  })
  .strict();

// The same ranges as resolveCatalogSettings.
export const catalogSchema = z
  .object({
    mode: z.enum(["auto", "full", "index"]).optional(),
    budget: z.number().int().min(0).max(MAX_BUDGET).optional(),
    indexBudget: z.number().int().min(MIN_INDEX_BUDGET).max(MAX_BUDGET).optional(),
  })
  .strict();

export const codeModeSchema = z
  .object({
    runtime: z.enum(["vm", "docker", "auto"]).optional(),
    timeout: seconds.optional(),
    memoryLimit: z.number().int().min(8).max(65536).optional(),
    maxToolCalls: z.number().int().min(1).optional(),
    maxConcurrentCalls: z.number().int().min(1).optional(),
    toolCallTimeout: seconds.optional(),
    docker: dockerSchema.optional(),
    catalog: catalogSchema.optional(),
  })
  .strict();

const stdioServer = z
  .object({
    command: z.string().min(1),
    args: z.array(z.string()).optional(),
    env: z.record(z.string(), z.string()).optional(),
    cwd: z.string().optional(),
  })
  .strict();

const httpServer = z
  .object({
    url: z.url(),
    headers: z.record(z.string(), z.string()).optional(),
  })
  .strict();

export const mcpServerSchema = z.union([stdioServer, httpServer]);

export const configSchema = z
  .object({
    codeMode: codeModeSchema.optional(),
    tools: z.array(z.string().min(1)).optional(),
    mcpServers: z
      .record(z.string().regex(/^[A-Za-z0-9_-]+$/, "server names use letters, digits, _ and -"), mcpServerSchema)
      .optional(),
    /** The model for `code-mode agent`, e.g. "openai:gpt-4o-mini" or "anthropic:claude-sonnet-4-5". */
    model: z.string().min(1).optional(),
  })
  .strict();

export type CodeModeConfig = z.infer<typeof configSchema>;
export type McpServerConfig = z.infer<typeof mcpServerSchema>;
