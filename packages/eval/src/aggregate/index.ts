export * from "./aggregate.ts";
export * from "./columns.ts";
