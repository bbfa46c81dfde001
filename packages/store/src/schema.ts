import { z } from "zod";
import { InvalidManifestError } from "./integrity-errors.ts";
import { type Descriptor, type ImageIndex, type Manifest, OCI_INDEX, OCI_MANIFEST, TITLE } from "./media.ts";

/**
 * What the store accepts from any transport, checked before a digest, size or title is used to
 * build a path or URL. Patterns come from the OCI image spec: descriptor.md (sha256 encoded as
 * 64 lowercase hex) and schema/defs-descriptor.json (media types per RFC 6838).
 */
const SHA256 = /^sha256:[a-f0-9]{64}$/;
const MEDIA_TYPE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/;

export const DIGEST_EXPECTED = "expected sha256:<64 lowercase hex>";
const SIZE_EXPECTED = "expected a non-negative safe integer";
const MEDIA_TYPE_EXPECTED = "expected a media type type/subtype (RFC 6838)";
export const TITLE_EXPECTED =
  "expected a relative POSIX path that stays inside the destination (no .., ., empty segment, leading /, drive or backslash)";

export function isDigest(value: unknown): value is string {
  return typeof value === "string" && SHA256.test(value);
}

/**
 * A file title that stays inside the directory it is joined to on every platform we run on: not
 * absolute, no drive letter, no backslash or NUL, no `.`, `..` or empty segment.
 */
export function isSafeTitle(title: unknown): title is string {
  if (typeof title !== "string" || title === "") return false;
  if (title.startsWith("/") || /^[a-zA-Z]:/.test(title) || title.includes("\\") || title.includes("\0")) return false;
  return title.split("/").every((p) => p !== "" && p !== "." && p !== "..");
}

const digestSchema = z.string({ error: DIGEST_EXPECTED }).regex(SHA256, { error: DIGEST_EXPECTED });
const sizeSchema = z
  .number({ error: SIZE_EXPECTED })
  .int({ error: SIZE_EXPECTED })
  .min(0, { error: SIZE_EXPECTED })
  .max(Number.MAX_SAFE_INTEGER, { error: SIZE_EXPECTED });
const mediaTypeSchema = z.string({ error: MEDIA_TYPE_EXPECTED }).regex(MEDIA_TYPE, { error: MEDIA_TYPE_EXPECTED });
const annotationsSchema = z
  .record(z.string(), z.string({ error: "expected a string" }), { error: "expected an object of strings" })
  .superRefine((annotations, ctx) => {
    if (TITLE in annotations && !isSafeTitle(annotations[TITLE])) ctx.addIssue({ code: "custom", path: [TITLE], message: TITLE_EXPECTED });
  });

// Unknown properties are kept, not refused: the image spec tells consumers to ignore them, and the
// layout writes index.json back from what it parsed, where other tools' fields must survive.
const descriptorSchema = z.looseObject(
  {
    mediaType: mediaTypeSchema,
    digest: digestSchema,
    size: sizeSchema,
    artifactType: mediaTypeSchema.optional(),
    annotations: annotationsSchema.optional(),
  },
  { error: "expected a descriptor object" },
);

const manifestSchema = z.looseObject(
  {
    schemaVersion: z.literal(2, { error: "expected 2" }),
    mediaType: z.literal(OCI_MANIFEST, { error: `expected ${OCI_MANIFEST}` }).optional(),
    artifactType: mediaTypeSchema.optional(),
    config: descriptorSchema,
    layers: z.array(descriptorSchema, { error: "expected an array of descriptors" }),
    subject: descriptorSchema.optional(),
    annotations: annotationsSchema.optional(),
  },
  { error: "expected an OCI image manifest object" },
);

const indexSchema = z.looseObject(
  {
    schemaVersion: z.literal(2, { error: "expected 2" }),
    mediaType: z.literal(OCI_INDEX, { error: `expected ${OCI_INDEX}` }).optional(),
    manifests: z.array(descriptorSchema, { error: "expected an array of descriptors" }),
    annotations: annotationsSchema.optional(),
  },
  { error: "expected an OCI image index object" },
);

/** `layers[0].annotations["org…title"]` for an issue path. */
function fieldOf(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else if (typeof key === "string" && /^[A-Za-z_$][\w$]*$/.test(key)) out += out ? `.${key}` : key;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v = root;
  for (const key of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

function shown(value: unknown): string {
  if (value === undefined) return "missing";
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function parseWith<T>(schema: z.ZodType<T>, bytes: Uint8Array, what: string, digest: string): T {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes).toString("utf8"));
  } catch {
    throw new InvalidManifestError(what, digest, "", "expected JSON");
  }
  const result = schema.safeParse(json);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new InvalidManifestError(what, digest, fieldOf(issue.path), `${issue.message}, got ${shown(valueAt(json, issue.path))}`);
}

/** The manifest in `bytes`, or InvalidManifestError naming the first field that breaks the schema. */
export function parseManifest(bytes: Uint8Array, what: string, digest: string): Manifest {
  return parseWith(manifestSchema, bytes, what, digest) as Manifest;
}

/** An image index (index.json, a referrers list), or InvalidManifestError. */
export function parseIndex(bytes: Uint8Array, what: string, digest: string): ImageIndex {
  return parseWith(indexSchema, bytes, what, digest) as ImageIndex;
}

/** Descriptors as a transport listed them (e.g. referrers), each checked like a manifest's. */
export function parseDescriptors(descriptors: unknown, what: string, digest: string): Descriptor[] {
  const result = z.array(descriptorSchema, { error: "expected an array of descriptors" }).safeParse(descriptors);
  if (result.success) return result.data as Descriptor[];
  const issue = result.error.issues[0]!;
  throw new InvalidManifestError(what, digest, fieldOf(issue.path), `${issue.message}, got ${shown(valueAt(descriptors, issue.path))}`);
}
