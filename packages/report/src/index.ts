export * from "./artifact-summary.ts";
export * from "./clip.ts";
export * from "./comparison.ts";
export * from "./escape.ts";
export * from "./format.ts";
export * from "./html/index.ts";
export * from "./junit.ts";
export * from "./run-summary.ts";
