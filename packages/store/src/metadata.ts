import { artifactKindSchema, artifactNameSchema, digestSchema } from "@llmops/core";
import { z } from "zod";

/**
 * The config blob of a version. Serialised with canonicalJson so equal metadata gives equal bytes;
 * `created` is part of it, so the caller passes it (or SOURCE_DATE_EPOCH) for reproducible digests.
 */
export const versionMetadataSchema = z.strictObject({
  schemaVersion: z.literal(1),
  name: artifactNameSchema,
  kind: artifactKindSchema,
  created: z.iso.datetime(),
  git: z.strictObject({ commit: z.string().optional(), ref: z.string().optional() }).optional(),
  runUrl: z.string().optional(),
  parents: z.array(z.strictObject({ ref: z.string().optional(), digest: digestSchema })).default([]),
  params: z.record(z.string(), z.unknown()).default({}),
  labels: z.record(z.string(), z.string()).default({}),
  files: z.strictObject({
    count: z.number().int().nonnegative(),
    bytes: z.number().int().nonnegative(),
  }),
});
export type VersionMetadata = z.infer<typeof versionMetadataSchema>;

/** The one file of an alias-move referrer: what moved where, when and by whom. */
export const aliasMoveSchema = z.strictObject({
  name: artifactNameSchema,
  alias: z.string(),
  from: digestSchema.nullable(),
  to: digestSchema,
  when: z.iso.datetime(),
  actor: z.string().optional(),
  runUrl: z.string().optional(),
});
export type AliasMove = z.infer<typeof aliasMoveSchema>;

/** `created` for a new version: explicit, else SOURCE_DATE_EPOCH (reproducible builds), else now. */
export function resolveCreated(created: string | Date | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (created instanceof Date) return created.toISOString();
  if (created) return new Date(created).toISOString();
  const epoch = env.SOURCE_DATE_EPOCH;
  if (epoch && /^\d+$/.test(epoch)) return new Date(Number(epoch) * 1000).toISOString();
  return new Date().toISOString();
}
