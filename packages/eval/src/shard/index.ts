export * from "./shard.ts";
