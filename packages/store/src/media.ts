/** Media and artifact types of the OCI data model (README.md, "The data model"). */
export const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
export const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
export const OCI_EMPTY = "application/vnd.oci.empty.v1+json";
/** The empty JSON config blob `{}` OCI 1.1 prescribes for artifacts without a config of their own. */
export const EMPTY_DIGEST = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";
export const CONFIG_MEDIA_TYPE = "application/vnd.llmops.config.v1+json";
export const FILE_MEDIA_TYPE = "application/octet-stream";
export const ALIAS_ARTIFACT_TYPE = "application/vnd.llmops.alias.v1+json";

/**
 * The largest manifest the store reads (4 MiB): the size the OCI distribution spec guarantees a
 * registry accepts, so no manifest we could have pushed is larger. A hostile registry or layout
 * serving more is refused before more than this is held in memory.
 */
export const MANIFEST_SIZE_LIMIT = 4 * 1024 * 1024;

export const TITLE = "org.opencontainers.image.title";
export const CREATED = "org.opencontainers.image.created";
export const REF_NAME = "org.opencontainers.image.ref.name";

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
}

export interface Manifest {
  schemaVersion: 2;
  mediaType: string;
  artifactType?: string;
  config: Descriptor;
  layers: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

export interface ImageIndex {
  schemaVersion: 2;
  mediaType: string;
  manifests: Descriptor[];
  annotations?: Record<string, string>;
}
