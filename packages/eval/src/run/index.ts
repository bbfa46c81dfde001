export * from "./clock.ts";
export * from "./evaluate.ts";
export * from "./merge.ts";
export * from "./rate-limit.ts";
export * from "./retry.ts";
export * from "./runner.ts";
export * from "./suite.ts";
export * from "./types.ts";
