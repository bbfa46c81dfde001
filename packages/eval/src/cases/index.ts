export * from "./load.ts";
export * from "./parse.ts";
export * from "./types.ts";
