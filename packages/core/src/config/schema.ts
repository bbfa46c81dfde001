import { z } from "zod";
import { compareSchema } from "./compare.ts";
import { aliasSchema, artifactKindSchema, artifactNameSchema } from "./names.ts";
import { suiteSchema } from "./suite.ts";

/** Where versions live: an OCI layout directory or `oci://host[:port]/repo-prefix`. */
export const storeSchema = z.string().min(1, "expected a store: a directory path or oci://host/prefix");

export const artifactSchema = z.strictObject({
  kind: artifactKindSchema,
  path: z.string().min(1),
  parents: z.array(z.string()).default([]),
  aliases: z.array(aliasSchema).default([]),
  labels: z.record(z.string(), z.string()).default({}),
});
export type ArtifactConfig = z.infer<typeof artifactSchema>;

export const environmentSchema = z.strictObject({
  /** The alias that names what is serving in this environment; defaults to the environment name. */
  alias: aliasSchema.optional(),
  /** Suites whose passing eval evidence a version must carry before promotion. */
  requires: z.array(z.string()).default([]),
});
export type EnvironmentConfig = z.infer<typeof environmentSchema>;

/** `llmops.yaml`: the single source of truth for config files; JSON Schema is generated from it. */
export const llmopsConfigSchema = z.strictObject({
  $schema: z.string().optional(),
  store: storeSchema.optional(),
  artifacts: z.record(artifactNameSchema, artifactSchema).default({}),
  suites: z.array(suiteSchema).default([]),
  compare: compareSchema.optional(),
  environments: z.record(z.string(), environmentSchema).default({}),
});
export type LlmopsConfig = z.infer<typeof llmopsConfigSchema>;
