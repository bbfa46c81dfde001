import { DATASET_ARTIFACT_TYPE, MODEL_ARTIFACT_TYPE } from "@llmops/core";
import type { VersionInfo } from "@llmops/store";

/**
 * True when `info` (Store.metadata: the manifest's artifact type and the version's metadata, both
 * digest-verified) is a version of `kind` named `name`: feedback ingest refuses a model ref that
 * names a dataset, and a dataset name that holds models.
 */
export function isVersionOf(info: VersionInfo, name: string, kind: "model" | "dataset"): boolean {
  const type = kind === "model" ? MODEL_ARTIFACT_TYPE : DATASET_ARTIFACT_TYPE;
  return info.artifactType === type && info.metadata.kind === kind && info.metadata.name === name;
}
