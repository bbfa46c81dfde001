export * from "./aggregate.ts";
export * from "./columns.ts";
export * from "./percentiles.ts";
