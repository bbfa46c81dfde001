// `@llmops/test/github-server` resolves here through the package's `./*` export.
export * from "./github-server/index.ts";
