export * from "./output-dir.ts";
export { parseResults, parseSummary } from "./parse.ts";
export * from "./render.ts";
export * from "./report-history.ts";
export * from "./report-suites.ts";
export * from "./stream.ts";
export * from "./summary.ts";
export * from "./write.ts";
