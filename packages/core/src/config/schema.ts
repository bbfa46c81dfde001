import { z } from "zod";
import { checksConfigSchema } from "./checks.ts";
import { compareSchema } from "./compare.ts";
import { environmentsSchema, notifySchema } from "./environments.ts";
import { aliasSchema, artifactKindSchema, artifactNameSchema } from "./names.ts";
import { suiteSchema } from "./suite.ts";

export * from "./checks.ts";

/** Where versions live: an OCI layout directory or `oci://host[:port]/repo-prefix`. */
export const storeSchema = z.string().min(1, "expected a store: a directory path or oci://host/prefix");

/** The largest pack threshold: a packed file is below it, so a reader never holds more than this per file. */
export const MAX_PACK_THRESHOLD = 64 * 1024 * 1024;

/**
 * How a version of many small files is stored: files under `threshold` bytes go into
 * deterministic tar packs of about `target` bytes, once at least `minFiles` of them exist. The
 * defaults are the store's (4 MiB, 64 MiB, 256); the limits here are what it can work with: a
 * packed file is held whole in memory while it is written and read, so `threshold` is at most
 * 64 MiB, and at most `target` (a pack holds at least one file).
 */
export const packingSchema = z
  .strictObject({
    threshold: z
      .number("expected a pack threshold in bytes")
      .int("expected a pack threshold in whole bytes")
      .min(1, "expected a pack threshold of at least 1 byte")
      .max(MAX_PACK_THRESHOLD, `expected a pack threshold of at most ${MAX_PACK_THRESHOLD} bytes`)
      .optional(),
    target: z
      .number("expected a pack target in bytes")
      .int("expected a pack target in whole bytes")
      .min(64 * 1024, "expected a pack target of at least 65536 bytes")
      .max(Number.MAX_SAFE_INTEGER, `expected a pack target of at most ${Number.MAX_SAFE_INTEGER} bytes`)
      .optional(),
    minFiles: z
      .number("expected a minimum number of files")
      .int("expected a whole number of files")
      .min(0, "expected a minimum number of files of at least 0")
      .max(Number.MAX_SAFE_INTEGER, `expected a minimum number of files of at most ${Number.MAX_SAFE_INTEGER}`)
      .optional(),
  })
  .refine((p) => p.threshold === undefined || p.target === undefined || p.threshold <= p.target, {
    message: "expected a pack threshold of at most the pack target (a pack holds at least one file)",
    path: ["threshold"],
  });
export type PackingOptions = z.infer<typeof packingSchema>;

/**
 * A dataset or model the repository versions: `llmops version` (and `actions/version`) with no
 * path versions every declared artifact, or the named ones.
 */
export const artifactSchema = z.strictObject({
  kind: artifactKindSchema,
  /** File or directory, relative to llmops.yaml. */
  path: z.string().min(1, "expected a file or directory relative to llmops.yaml"),
  /** Refs this artifact is derived from (`name:alias`, `name:v3`, `name@sha256:…`); a declared name resolves to the version just made. */
  parents: z.array(z.string().min(1)).default([]),
  aliases: z.array(aliasSchema).default([]),
  /** Free-form parameters recorded in the version's metadata (hyper-parameters, sources). */
  params: z.record(z.string(), z.unknown()).default({}),
  labels: z.record(z.string(), z.string()).default({}),
  /** Dataset checks (`llmops check`): schema, duplicates, contamination, PII, distributions; absent = the defaults. */
  checks: checksConfigSchema.optional(),
  /** Packing of small files (datasets of many files); absent = the store's defaults. */
  packing: packingSchema.optional(),
});
export type ArtifactConfig = z.infer<typeof artifactSchema>;

/** `llmops.yaml`: the single source of truth for config files; JSON Schema is generated from it. */
export const llmopsConfigSchema = z.strictObject({
  $schema: z.string().optional(),
  store: storeSchema.optional(),
  artifacts: z.record(artifactNameSchema, artifactSchema).default({}),
  suites: z.array(suiteSchema).default([]),
  compare: compareSchema.optional(),
  environments: environmentsSchema.default({}),
  notify: notifySchema.optional(),
});
export type LlmopsConfig = z.infer<typeof llmopsConfigSchema>;
