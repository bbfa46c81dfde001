export * from "./output-dir.ts";
export { parseResults, parseSummary } from "./parse.ts";
export * from "./render.ts";
export * from "./stream.ts";
export * from "./summary.ts";
export * from "./write.ts";
