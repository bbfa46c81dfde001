export * from "./output-dir.ts";
export * from "./summary.ts";
export * from "./write.ts";
