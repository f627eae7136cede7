import { z } from "zod";

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

/** One entry of `mcpServers`: a stdio server (`command`) or a Streamable HTTP one (`url`). */
export const mcpServerSchema = z.union([stdioServer, httpServer]);

export type McpServerConfig = z.infer<typeof mcpServerSchema>;
