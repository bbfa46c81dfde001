import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["packages/*/test/**/*.test.ts", "actions/*/test/**/*.test.ts", "test/**/*.test.ts"],
    exclude: ["**/node_modules/**", "**/dist/**"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    reporters: ["default", "./test/summary-reporter.ts"],
    // @actions/workflow-parser imports its JSON schemas without import attributes, which plain
    // Node refuses; inlining lets vite transform it.
    server: { deps: { inline: ["@actions/workflow-parser"] } },
  },
});
