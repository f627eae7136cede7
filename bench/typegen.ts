import type { Tool } from "../src/tools/tool.ts";
import { generateDeclarations } from "../src/typegen/declarations.ts";
import { round } from "./stats.ts";

/** Typegen over `count` generated tools of realistic shape: median ms of several runs. */
export function benchTypegen(count = 1000): { tools: number; ms: number; firstMs: number } {
  const tools = generatedTools(count);
  const first = performance.now();
  generateDeclarations(tools);
  const firstMs = performance.now() - first;
  const times: number[] = [];
  for (let i = 0; i < 7; i++) {
    const started = performance.now();
    generateDeclarations(tools);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { tools: count, ms: round(times[3]!), firstMs: round(firstMs) };
}

/** `count` tools of realistic shape with distinct types: the 1,000-tool catalog of the benchmarks. */
export function generatedTools(count: number): Tool[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `tool_${i}_${["search", "get", "update", "list"][i % 4]}`,
    ...(i % 5 === 0 && { namespace: `server${i % 7}` }),
    description: `Tool number ${i}: does one thing well and returns a summary of what it did.`,
    // Property names vary per tool, so every tool's types differ and none can be shared.
    inputSchema: {
      type: "object",
      properties: {
        [`id_${i}`]: { type: "string", description: "The record id." },
        limit: { type: "integer", minimum: 1, maximum: 100, default: 10 },
        mode: { enum: ["fast", "full", "dry-run"] },
        tags: { type: "array", items: { type: "string" } },
        filter: {
          type: "object",
          properties: {
            field: { type: "string" },
            op: { enum: ["eq", "lt", "gt"] },
            value: { type: ["string", "number", "null"] },
          },
          required: [`field_${i}`, "op"],
        },
        "x-trace": { type: "boolean" },
      },
      required: [`id_${i}`],
      additionalProperties: false,
    },
    ...(i % 2 === 0 && {
      outputSchema: {
        type: "object",
        properties: { ok: { type: "boolean" }, items: { type: "array", items: { type: "object" } } },
      },
    }),
    execute: () => null,
  }));
}
