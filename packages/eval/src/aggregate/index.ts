export * from "./aggregate.ts";
