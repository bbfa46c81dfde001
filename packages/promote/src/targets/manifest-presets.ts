/**
 * Where a gitops target writes in a deployment repository's manifest, per preset:
 *
 * - `kserve`: the `kind: InferenceService` document (of a multi-document file; `field` picks one
 *   by metadata.name when there are several): `spec.predictor.model.storageUri` = the reference,
 *   and `spec.predictor.canaryTrafficPercent` when the target sets one.
 * - `kustomize`: the `images:` entry whose `name` is `field`: `digest:` = the version's digest,
 *   `newTag` removed (a tag next to a digest is ambiguous), `newName` = the reference when it is
 *   another repository than `name`.
 * - `helm`: the dotted `field` of a values file (`model.image`, `models.0.uri`) = the reference.
 * - `compose`: `services.<field>.image` = the reference.
 *
 * The structure around the field must exist (a missing parent is refused, not created): a
 * manifest that does not look as expected is a reason to stop, not to guess.
 */
import { type Document, isSeq } from "yaml";
import { type FieldChange, type FieldValue, ManifestError, mapAt, nodeAt, type YamlPath } from "./yaml-edit.ts";

export type Preset = "kserve" | "kustomize" | "helm" | "compose";

export interface PresetInput {
  /** The rendered reference (`oci://…/model@sha256:…`, an image name for kustomize). */
  reference: string;
  digest: string;
  /** Helm path, compose service, kustomize image name, or the InferenceService's name. */
  field?: string;
  /** KServe: a number sets it, null removes it, undefined leaves it alone. */
  canaryTrafficPercent?: number | null;
}

export interface PresetPlan {
  /** Which document of the file. */
  document: number;
  changes: FieldChange[];
}

/** Which document and which fields a preset changes, with the new values. */
export function planPreset(preset: Preset, docs: readonly Document.Parsed[], input: PresetInput): PresetPlan {
  if (docs.length === 0) throw new ManifestError("the file has no YAML document");
  switch (preset) {
    case "kserve":
      return kserve(docs, input);
    case "kustomize":
      return kustomize(docs, input);
    case "helm":
      return single(docs, "helm values", (doc) => {
        const path = dotted(requireField(input, "helm", "the dotted path of the value, e.g. model.image"));
        const parent = path.slice(0, -1);
        mapAt(doc, parent);
        return [{ name: "value", parent, key: String(path.at(-1)), value: input.reference }];
      });
    case "compose":
      return single(docs, "a compose file", (doc) => {
        const service = requireField(input, "compose", "the service name");
        const parent = ["services", service];
        mapAt(doc, parent);
        return [{ name: "image", parent, key: "image", value: input.reference }];
      });
  }
}

/** Where a KServe InferenceService keeps its predictor (canaryTrafficPercent) and model (storageUri). */
export const KSERVE_PREDICTOR: YamlPath = ["spec", "predictor"];
export const KSERVE_MODEL: YamlPath = [...KSERVE_PREDICTOR, "model"];

/**
 * The `kind: InferenceService` document of a (multi-document) file, by metadata.name when `name`
 * is given; refused unless exactly one matches and it has spec.predictor.model.
 */
export function inferenceService(docs: readonly Document.Parsed[], name?: string): { doc: Document.Parsed; index: number } {
  if (docs.length === 0) throw new ManifestError("the file has no YAML document");
  const candidates = docs
    .map((doc, index) => ({ doc, index }))
    .filter(({ doc }) => nodeValue(doc, ["kind"]) === "InferenceService")
    .filter(({ doc }) => name === undefined || nodeValue(doc, ["metadata", "name"]) === name);
  const named = name === undefined ? "" : ` with metadata.name ${name}`;
  if (candidates.length === 0) throw new ManifestError(`no document has kind: InferenceService${named}`);
  if (candidates.length > 1)
    throw new ManifestError(`${candidates.length} InferenceService documents${named}; set field to the metadata.name of the one to update`);
  const found = candidates[0]!;
  try {
    mapAt(found.doc, KSERVE_MODEL);
  } catch (error) {
    throw new ManifestError(
      `${(error as Error).message}; expected an InferenceService with spec.predictor.model (modelFormat, storageUri)`,
    );
  }
  return found;
}

function kserve(docs: readonly Document.Parsed[], input: PresetInput): PresetPlan {
  const { index } = inferenceService(docs, input.field);
  const changes: FieldChange[] = [{ name: "storageUri", parent: KSERVE_MODEL, key: "storageUri", value: input.reference }];
  if (input.canaryTrafficPercent !== undefined) {
    changes.push({
      name: "canaryTrafficPercent",
      parent: KSERVE_PREDICTOR,
      key: "canaryTrafficPercent",
      value: input.canaryTrafficPercent,
    });
  }
  return { document: index, changes };
}

function kustomize(docs: readonly Document.Parsed[], input: PresetInput): PresetPlan {
  const image = requireField(input, "kustomize", "the image name of an images: entry");
  const index = docs.findIndex((doc) => nodeAt(doc, ["images"]) !== undefined);
  if (index < 0) throw new ManifestError("has no images: list; expected a kustomization with an images: entry for the model");
  const doc = docs[index]!;
  const images = doc.getIn(["images"], true);
  if (!isSeq(images)) throw new ManifestError("images is not a sequence; expected a list of image entries");
  const at = images.items.findIndex((_, i) => nodeValue(doc, ["images", i, "name"]) === image);
  if (at < 0) throw new ManifestError(`images has no entry with name: ${image}`);
  const parent: YamlPath = ["images", at];
  mapAt(doc, parent);
  const repository = input.reference.replace(/@.*$/, "");
  if (/:[^/]*$/.test(repository))
    throw new ManifestError(`kustomize: reference ${repository} has a tag; expected an image name (the digest goes in digest:)`);
  const changes: FieldChange[] = [];
  if (repository !== image) changes.push({ name: "newName", parent, key: "newName", value: repository });
  changes.push({ name: "newTag", parent, key: "newTag", value: null }, { name: "digest", parent, key: "digest", value: input.digest });
  return { document: index, changes };
}

function single(docs: readonly Document.Parsed[], what: string, plan: (doc: Document.Parsed) => FieldChange[]): PresetPlan {
  if (docs.length > 1) throw new ManifestError(`has ${docs.length} YAML documents; expected ${what} (one document)`);
  return { document: 0, changes: plan(docs[0]!) };
}

function requireField(input: PresetInput, preset: string, what: string): string {
  if (!input.field) throw new ManifestError(`the ${preset} preset needs field: ${what}`);
  return input.field;
}

/** `model.image` → ["model", "image"]; `models.0.uri` → ["models", 0, "uri"]. */
function dotted(field: string): YamlPath {
  const parts = field.split(".");
  if (parts.some((p) => p === "")) throw new ManifestError(`field ${field}: expected a dotted path like model.image`);
  return parts.map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

function nodeValue(doc: Document.Parsed, path: YamlPath): FieldValue | undefined {
  try {
    const value = doc.getIn(path);
    return typeof value === "string" || typeof value === "number" ? value : undefined;
  } catch {
    return undefined;
  }
}
