import { InputError, OCI_REPOSITORY_PATTERN, OCI_TAG_PATTERN } from "@llmops/core";
import { isDigest } from "./schema.ts";

export interface ParsedRef {
  name: string;
  tag?: string;
  digest?: string;
}

/** `name:alias`, `name:v3` or `name@sha256:…`; a bare name means `name:latest`. */
export function parseRef(ref: string): ParsedRef {
  const at = ref.indexOf("@");
  if (at >= 0) {
    const name = ref.slice(0, at);
    const digest = ref.slice(at + 1);
    checkName(name, ref);
    if (!isDigest(digest)) throw new InputError(`ref "${ref}": expected name@sha256:<64 hex>`);
    return { name, digest };
  }
  const colon = ref.lastIndexOf(":");
  const name = colon >= 0 ? ref.slice(0, colon) : ref;
  const tag = colon >= 0 ? ref.slice(colon + 1) : "latest";
  checkName(name, ref);
  if (!OCI_TAG_PATTERN.test(tag)) throw new InputError(`ref "${ref}": expected name:tag, name:vN or name@sha256:<digest>`);
  return { name, tag };
}

export function checkName(name: string, context = name): void {
  if (!name || name.length > 255 || !OCI_REPOSITORY_PATTERN.test(name)) {
    throw new InputError(`name "${context}": expected an OCI repository name (lowercase letters, digits, . _ - / separators)`);
  }
}

export function checkTag(tag: string): void {
  if (!OCI_TAG_PATTERN.test(tag)) {
    throw new InputError(`alias "${tag}": expected an OCI tag (letters, digits, . _ -, max 128, not starting with . or -)`);
  }
}

export function checkDigest(digest: string): void {
  if (!isDigest(digest)) throw new InputError(`digest "${digest}": expected sha256:<64 hex>`);
}

/** `v3` → 3; anything else → undefined. */
export function versionNumber(tag: string): number | undefined {
  const m = /^v([1-9]\d{0,8})$/.exec(tag);
  return m ? Number(m[1]) : undefined;
}
