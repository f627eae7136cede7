import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Several suites start child processes and containers; two cores are the budget.
    maxWorkers: 2,
  },
});
