// @llmops/operate: dataset checks, feedback ingest, monitoring and drift, metrics export.
export {};
