import { createHash } from "node:crypto";
import { DATASET_ARTIFACT_TYPE, digestSchema, InputError, MODEL_ARTIFACT_TYPE } from "@llmops/core";
import { type Store, type VersionMetadata, versionMetadataSchema } from "@llmops/store";
import { z } from "zod";

/**
 * A version's manifest and metadata (config blob) read back from the store, both checked against
 * their digests. The store's public API resolves refs and fetches files but does not hand out a
 * version's metadata (kind, parents); feedback ingest needs both to refuse a model ref that names
 * a dataset, or a dataset name that holds models. (Its natural home is the store: `Store.metadata`.)
 */
export interface VersionInfo {
  digest: string;
  artifactType: string | undefined;
  metadata: VersionMetadata;
}

/** What is read of a manifest: its type and its config descriptor. */
const manifestHeadSchema = z.looseObject({
  artifactType: z.string().optional(),
  config: z.looseObject({ digest: digestSchema, size: z.number().int().nonnegative() }),
});

/** A version's config is a few hundred bytes; a larger one is not read into memory. */
const MAX_CONFIG_BYTES = 1024 * 1024;

/**
 * `reference` is a tag (`latest`, `v3`) or a digest. Undefined when the store has no such manifest;
 * InputError when what it has does not hash to its digest or is not a version of `name`.
 */
export async function readVersionInfo(store: Store, name: string, reference: string): Promise<VersionInfo | undefined> {
  const repo = store.repo(name);
  const where = `${name}${reference.startsWith("sha256:") ? "@" : ":"}${reference} in store ${store.location}`;
  const stored = await store.transport.getManifest(repo, reference);
  if (!stored) return undefined;
  const actual = sha256(stored.bytes);
  if (stored.digest !== actual || (reference.startsWith("sha256:") && reference !== actual)) {
    throw new InputError(`${where}: manifest hashes to ${actual}, expected ${reference.startsWith("sha256:") ? reference : stored.digest}`);
  }
  let head: z.infer<typeof manifestHeadSchema>;
  try {
    head = manifestHeadSchema.parse(JSON.parse(stored.bytes.toString("utf8")));
  } catch {
    throw new InputError(`${where}: expected an OCI image manifest with a config descriptor`);
  }
  if (head.config.size > MAX_CONFIG_BYTES)
    throw new InputError(`${where}: config declares ${head.config.size} bytes; expected a version config`);
  const stream = await store.transport.openBlob(repo, head.config.digest);
  if (!stream) throw new InputError(`${where}: config blob ${head.config.digest} is missing`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > head.config.size) break;
    chunks.push(chunk);
  }
  stream.destroy();
  const bytes = Buffer.concat(chunks);
  if (size !== head.config.size || sha256(bytes) !== head.config.digest) {
    throw new InputError(`${where}: config blob does not match its digest ${head.config.digest}`);
  }
  const metadata = versionMetadataSchema.safeParse(safeJson(bytes));
  if (!metadata.success) throw new InputError(`${where}: config is not llmops version metadata`);
  return { digest: actual, artifactType: head.artifactType, metadata: metadata.data };
}

/** True when `info` is a version of `kind` named `name` (artifact type and metadata agree). */
export function isVersionOf(info: VersionInfo, name: string, kind: "model" | "dataset"): boolean {
  const type = kind === "model" ? MODEL_ARTIFACT_TYPE : DATASET_ARTIFACT_TYPE;
  return info.artifactType === type && info.metadata.kind === kind && info.metadata.name === name;
}

function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}

function safeJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString("utf8"));
  } catch {
    return undefined;
  }
}
