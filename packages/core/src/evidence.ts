/**
 * What eval and compare need from a store to record and read evidence (OCI referrers of a
 * version), without depending on the store package. `@llmops/store` implements it.
 */
export const EVAL_ARTIFACT_TYPE = "application/vnd.llmops.eval.v1+json";
export const PROMOTION_ARTIFACT_TYPE = "application/vnd.llmops.promotion.v1+json";
export const CHECK_ARTIFACT_TYPE = "application/vnd.llmops.check.v1+json";
export const DATASET_ARTIFACT_TYPE = "application/vnd.llmops.dataset.v1+json";
export const MODEL_ARTIFACT_TYPE = "application/vnd.llmops.model.v1+json";

export interface EvidenceFile {
  /** Becomes the layer's org.opencontainers.image.title, e.g. `summary.json`. */
  title: string;
  mediaType: string;
  data: Uint8Array;
}

export interface ResolvedVersion {
  /** Artifact name (OCI repository below the store's prefix). */
  name: string;
  digest: string;
  /** `v3` when the version carries a version tag. */
  version?: string;
}

export interface EvidenceSummary {
  /** Digest of the referrer manifest. */
  digest: string;
  artifactType: string;
  annotations: Record<string, string>;
}

export interface EvidenceStore {
  /** Resolves `name:alias`, `name:v3` or `name@sha256:…`. Throws InputError when it does not exist. */
  resolve(ref: string): Promise<ResolvedVersion>;
  /** Records evidence whose OCI `subject` is the version; returns the referrer's digest. */
  attachEvidence(
    subject: ResolvedVersion,
    evidence: { artifactType: string; files: EvidenceFile[]; annotations?: Record<string, string> },
  ): Promise<{ digest: string }>;
  /** Referrers of the version with that artifact type, newest first (by `org.opencontainers.image.created`). */
  listEvidence(subject: ResolvedVersion, artifactType: string): Promise<EvidenceSummary[]>;
  /** One file of a referrer, digest-verified; refused unless it declares at most `maxBytes` (the store's default when absent). */
  readEvidenceFile(subject: ResolvedVersion, evidenceDigest: string, title: string, options?: { maxBytes?: number }): Promise<Uint8Array>;
}

/**
 * What may name the store a command opens: the caller's option (`--store`, the `store` input) and
 * `store:` of the config it loaded. Packages that load the config hand both to the caller, whose
 * `chooseStore` (@llmops/store) decides, so the rule and its defaults live in one place.
 */
export interface StoreCandidates {
  input: string | undefined;
  config: string | undefined;
}
