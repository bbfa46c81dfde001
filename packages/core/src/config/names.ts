import { z } from "zod";

/**
 * An artifact name is an OCI repository path component sequence (distribution spec grammar):
 * lowercase alphanumerics separated by `.`, `_`, `__`, or `-`, path components joined by `/`.
 */
export const OCI_REPOSITORY_PATTERN = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/;

/** An OCI tag: what aliases and version tags must satisfy. */
export const OCI_TAG_PATTERN = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;

export const artifactNameSchema = z
  .string()
  .max(255)
  .regex(OCI_REPOSITORY_PATTERN, "expected an OCI repository name: lowercase letters, digits, and . _ - / separators");

export const aliasSchema = z
  .string()
  .regex(OCI_TAG_PATTERN, "expected an OCI tag: letters, digits, . _ - (max 128, not starting with . or -)");

export const artifactKindSchema = z.enum(["model", "dataset"]);
export type ArtifactKind = z.infer<typeof artifactKindSchema>;
