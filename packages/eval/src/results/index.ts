export * from "./summary.ts";
export * from "./write.ts";
