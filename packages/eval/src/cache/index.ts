export * from "./response-cache.ts";
