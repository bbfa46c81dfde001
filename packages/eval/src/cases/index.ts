export * from "./conversation.ts";
export * from "./load.ts";
export * from "./parse.ts";
export * from "./types.ts";
