export * from "./prompts.ts";
export * from "./template.ts";
