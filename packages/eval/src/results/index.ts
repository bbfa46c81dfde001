export * from "./output-dir.ts";
export * from "./render.ts";
export * from "./stream.ts";
export * from "./summary.ts";
export * from "./write.ts";
