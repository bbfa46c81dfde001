export * from "./gates.ts";
