// Small real tools for tests: arithmetic, echo, nothing, failure, slowness, concurrency tracking.
import type { Tool } from "../../src/index.ts";

export interface TestTools {
  tools: Tool[];
  /** Highest number of `slow` calls seen running at once, since the last reset. */
  maxInFlight(): number;
  resetInFlight(): void;
  /** Inputs that `echo` received, as the host saw them. */
  echoed: unknown[];
}

export function testTools(): TestTools {
  let inFlight = 0;
  let maxInFlight = 0;
  const echoed: unknown[] = [];
  const tools: Tool[] = [
    {
      name: "add",
      description: "Adds two numbers.",
      inputSchema: {
        type: "object",
        properties: { a: { type: "number" }, b: { type: "number" } },
        required: ["a", "b"],
      },
      outputSchema: { type: "number" },
      execute: ({ a, b }: { a: number; b: number }) => a + b,
    },
    {
      name: "echo",
      description: "Returns its input.",
      inputSchema: { type: "object" },
      execute: (input: unknown) => {
        echoed.push(input);
        return input;
      },
    },
    {
      name: "fail",
      description: "Always fails.",
      inputSchema: { type: "object" },
      execute: () => {
        throw new Error("the fail tool failed on purpose");
      },
    },
    {
      name: "slow",
      description: "Waits a little, tracking concurrency.",
      inputSchema: { type: "object", properties: { ms: { type: "number" } } },
      execute: async ({ ms = 5 }: { ms?: number }) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((r) => setTimeout(r, ms));
        inFlight--;
        return "done";
      },
    },
    {
      name: "nothing",
      description: "Returns nothing (undefined).",
      inputSchema: { type: "object" },
      execute: () => undefined,
    },
    {
      name: "never",
      description: "Never answers, until aborted.",
      inputSchema: { type: "object" },
      execute: (_input: unknown, { signal }) =>
        new Promise((_, reject) =>
          signal.addEventListener("abort", () => reject(new Error("aborted")), { once: true }),
        ),
    },
  ];
  return {
    tools,
    maxInFlight: () => maxInFlight,
    resetInFlight: () => {
      maxInFlight = 0;
    },
    echoed,
  };
}
