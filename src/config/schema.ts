import { z } from "zod";
import { mcpServerSchema } from "../mcp/server-config.ts";
import { expectation, patternsProblem, SERVE_SETTINGS, SETTINGS, type Setting, type Settings } from "../settings.ts";

/** The zod type of one row of the settings table; a range miss says what was expected. */
function settingSchema(setting: Setting): z.ZodType {
  const expected = { error: `expected ${expectation(setting)}` };
  switch (setting.kind) {
    case "choice":
      return z.enum(setting.choices as [string, ...string[]]);
    case "text":
      return z.string().min(1, expected);
    case "patterns":
      return z.array(z.unknown(), expected).superRefine((patterns, context) => {
        const problem = patternsProblem(patterns);
        if (problem) context.addIssue({ code: "custom", message: problem });
      });
    case "number":
      return z.number().min(setting.min, expected).max(setting.max, expected);
    case "integer": {
      const whole = z.number().int(expected).min(setting.min, expected);
      return setting.max === undefined ? whole : whole.max(setting.max, expected);
    }
  }
}

/** The `codeMode` section, built from the settings table: `docker.image` becomes `docker: { image }`. */
function settingsSchema(): z.ZodType<Settings> {
  const groups = new Map<string, Record<string, z.ZodType>>([["", {}]]);
  for (const [name, setting] of Object.entries(SETTINGS)) {
    const [group, field] = name.includes(".") ? (name.split(".") as [string, string]) : ["", name];
    if (!groups.has(group)) groups.set(group, {});
    groups.get(group)![field] = settingSchema(setting).optional();
  }
  const top = groups.get("")!;
  for (const [group, fields] of groups) if (group) top[group] = z.object(fields).strict().optional();
  return z.object(top).strict() as unknown as z.ZodType<Settings>;
}

export const codeModeSchema = settingsSchema();

/** `code-mode serve --http` sessions, from their settings table (flags win over these). */
export const serveSchema = z
  .object(
    Object.fromEntries(
      Object.entries(SERVE_SETTINGS).map(([name, setting]) => [name, settingSchema(setting).optional()]),
    ) as Record<keyof typeof SERVE_SETTINGS, z.ZodOptional<z.ZodNumber>>,
  )
  .strict();

export const configSchema = z
  .object({
    codeMode: codeModeSchema.optional(),
    tools: z.array(z.string().min(1)).optional(),
    mcpServers: z
      .record(z.string().regex(/^[A-Za-z0-9_-]+$/, "server names use letters, digits, _ and -"), mcpServerSchema)
      .optional(),
    serve: serveSchema.optional(),
    /** The model for `code-mode agent`, e.g. "openai:gpt-4o-mini" or "anthropic:claude-sonnet-4-5". */
    model: z.string().min(1).optional(),
  })
  .strict();

export type CodeModeConfig = z.infer<typeof configSchema>;
