// @llmops/operate: dataset checks, feedback ingest, monitoring and drift, metrics export.

export * from "./check/index.ts";
export * from "./drift/index.ts";
export * from "./feedback/index.ts";
export * from "./metrics/index.ts";
export * from "./monitor/index.ts";
