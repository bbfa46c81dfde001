export * from "./event-log.ts";
export * from "./judge.ts";
export * from "./sample.ts";
