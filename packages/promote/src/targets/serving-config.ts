/**
 * The two files a model repository target rewrites, one field at a time: Triton's
 * `<root>/<model>/config.pbtxt` (its `version_policy`) and TF Serving's `<root>/model.config`
 * (this model's `config { … }` entry of `model_config_list`). Everything else in them (other
 * fields, other models, comments) stays byte for byte.
 *
 * Syntax as documented by the servers: Triton `docs/user_guide/model_configuration.md` ("Version
 * Policy": `version_policy: { specific: { versions: [1,3]}}`); TF Serving
 * `tensorflow_serving/g3doc/serving_config.md` (ModelServerConfig text proto with
 * `model_version_policy { specific { versions: 42 } }` and `version_labels { key: 'stable' value: 42 }`).
 */
import {
  appendField,
  applyEdits,
  fieldsNamed,
  integers,
  parseTextProto,
  quote,
  removeField,
  stringValue,
  type TextEdit,
  type TextField,
  type TextValue,
} from "./text-proto.ts";

type Message = Extract<TextValue, { kind: "message" }>;

/** A file these functions cannot safely edit. */
export class ServingConfigError extends Error {
  override name = "ServingConfigError";
}

export function tritonPolicy(version: number): string {
  return `version_policy: { specific: { versions: [${version}] } }`;
}

/** A new config.pbtxt: the model's name and its policy; Triton's auto-complete fills in the rest. */
export function minimalTritonConfig(model: string, version: number): string {
  return `name: ${quote(model)}\n${tritonPolicy(version)}\n`;
}

/**
 * Sets (or, with `policy` null, removes) the top-level `version_policy` of a config.pbtxt.
 * `previous` is the exact text of the field it replaced, null when there was none.
 */
export function setTritonPolicy(text: string, policy: string | null): { text: string; previous: string | null } {
  const fields = parseTextProto(text);
  const found = fieldsNamed(fields, "version_policy");
  if (found.length > 1) throw new ServingConfigError("version_policy appears more than once; expected one");
  const field = found[0];
  if (!field) {
    if (policy === null) return { text, previous: null };
    return { text: `${text}${text === "" || text.endsWith("\n") ? "" : "\n"}${policy}\n`, previous: null };
  }
  const previous = text.slice(field.start, field.end);
  const edit = policy === null ? removeField(text, field) : { start: field.start, end: field.end, text: policy };
  return { text: applyEdits(text, [edit]), previous };
}

/** Versions a policy message serves, given the version directories that exist (Triton's VersionsToLoad). */
function servedBy(policy: TextField | undefined, existing: readonly number[]): number[] {
  const newest = [...existing].sort((a, b) => b - a);
  if (policy?.value.kind !== "message") return newest.slice(0, 1);
  const [kind] = policy.value.fields;
  if (!kind) return newest.slice(0, 1);
  if (kind.name === "all") return newest;
  const inner = kind.value.kind === "message" ? kind.value.fields : [];
  if (kind.name === "specific") return fieldsNamed(inner, "versions").flatMap((f) => integers(f.value));
  if (kind.name === "latest") {
    const n = fieldsNamed(inner, "num_versions").flatMap((f) => integers(f.value))[0] ?? 1;
    return newest.slice(0, n);
  }
  return newest.slice(0, 1);
}

/** What a config.pbtxt (or its absence) makes Triton serve. */
export function tritonServed(text: string | undefined, existing: readonly number[]): number[] {
  const fields = text === undefined ? [] : parseTextProto(text);
  return servedBy(fieldsNamed(fields, "version_policy")[0], existing);
}

function tfEntry(model: string, basePath: string, version: number): string {
  return [
    "config {",
    `  name: ${quote(model)}`,
    `  base_path: ${quote(basePath)}`,
    `  model_platform: "tensorflow"`,
    `  ${tfPolicy(version)}`,
    `  ${tfLabel(version)}`,
    "}",
  ].join("\n");
}

const tfPolicy = (version: number) => `model_version_policy { specific { versions: ${version} } }`;
const tfLabel = (version: number) => `version_labels { key: "stable" value: ${version} }`;

/** model_config_list and the `config` entry naming `model` (either may be missing). */
function locate(text: string, model: string): { list?: TextField; entry?: TextField; entries: TextField[] } {
  const fields = parseTextProto(text);
  const lists = fieldsNamed(fields, "model_config_list");
  const others = fields.filter((f) => f.name !== "model_config_list");
  if (others.length > 0) {
    throw new ServingConfigError(`has ${others[0]!.name}; expected only model_config_list (this target manages model_config_list entries)`);
  }
  if (lists.length > 1) throw new ServingConfigError("model_config_list appears more than once; expected one");
  const list = lists[0];
  if (!list) return { entries: [] };
  if (list.value.kind !== "message") throw new ServingConfigError("model_config_list is not a message");
  const entries = fieldsNamed(list.value.fields, "config");
  for (const entry of entries) {
    if (entry.value.kind !== "message") {
      throw new ServingConfigError("uses the `config: [ … ]` list form; expected one `config { … }` block per model");
    }
  }
  const mine = entries.filter((e) => stringValue(fieldsNamed((e.value as Message).fields, "name")[0]?.value) === model);
  if (mine.length > 1) throw new ServingConfigError(`has ${mine.length} entries named ${JSON.stringify(model)}; expected one`);
  return { list, entry: mine[0], entries };
}

/** Re-parses after each step, so edits never overlap. */
function editEntry(text: string, model: string, edits: (entry: Message, text: string) => TextEdit[]): string {
  const { entry } = locate(text, model);
  return applyEdits(text, edits(entry!.value as Message, text));
}

/**
 * Points this model's entry at `version` (base path, specific policy, a `stable` label), creating
 * the entry, or the whole file when `text` is undefined. Other fields of the entry (e.g.
 * logging_config) and other models' entries are left as they are; `version_labels` are replaced,
 * because a label on a version the policy no longer serves makes TF Serving refuse the config.
 * `previous` is the entry's exact text before, `{ … }` only; null when there was none.
 */
export function pointTfServing(
  text: string | undefined,
  model: string,
  basePath: string,
  version: number,
): { text: string; previous: string | null } {
  if (text === undefined || text.trim() === "") {
    const entry = tfEntry(model, basePath, version).replace(/\n/g, "\n  ");
    return { text: `${text ?? ""}model_config_list {\n  ${entry}\n}\n`, previous: null };
  }
  const { list, entry } = locate(text, model);
  if (!list)
    return {
      text: `${text}${text.endsWith("\n") ? "" : "\n"}model_config_list {\n  ${tfEntry(model, basePath, version).replace(/\n/g, "\n  ")}\n}\n`,
      previous: null,
    };
  if (!entry)
    return { text: applyEdits(text, [appendField(text, list.value as Message, tfEntry(model, basePath, version))]), previous: null };
  const value = entry.value as Message;
  const previous = text.slice(value.start, value.end);
  let out = editEntry(text, model, (e, t) => fieldsNamed(e.fields, "version_labels").map((f) => removeField(t, f)));
  out = editEntry(out, model, (e, t) => {
    const [first, ...rest] = fieldsNamed(e.fields, "model_version_policy");
    if (!first) return [appendField(t, e, tfPolicy(version))];
    return [{ start: first.start, end: first.end, text: tfPolicy(version) }, ...rest.map((f) => removeField(t, f))];
  });
  out = editEntry(out, model, (e, t) => {
    const base = fieldsNamed(e.fields, "base_path")[0];
    if (!base) return [appendField(t, e, `base_path: ${quote(basePath)}`)];
    return [{ start: base.value.start, end: base.value.end, text: quote(basePath) }];
  });
  out = editEntry(out, model, (e, t) =>
    fieldsNamed(e.fields, "model_platform").length ? [] : [appendField(t, e, `model_platform: "tensorflow"`)],
  );
  out = editEntry(out, model, (e, t) => [appendField(t, e, tfLabel(version))]);
  return { text: out, previous };
}

/**
 * Puts this model's entry back as it was (`previous`, the `{ … }` text pointTfServing returned),
 * or removes it when `previous` is null. `entries` is how many model entries remain.
 */
export function restoreTfServing(text: string, model: string, previous: string | null): { text: string; entries: number } {
  const { entry, entries } = locate(text, model);
  if (!entry) {
    if (previous === null) return { text, entries: entries.length };
    throw new ServingConfigError(`has no entry named ${JSON.stringify(model)} to restore`);
  }
  const value = entry.value as Message;
  if (previous !== null)
    return { text: applyEdits(text, [{ start: value.start, end: value.end, text: previous }]), entries: entries.length };
  return { text: applyEdits(text, [removeField(text, entry)]), entries: entries.length - 1 };
}

/** What TF Serving serves of `model` under a model.config (latest 1 when it has no policy). */
export function tfServingServed(text: string | undefined, model: string, existing: readonly number[]): number[] {
  if (text === undefined) return [];
  const { entry } = locate(text, model);
  if (!entry) return [];
  return servedBy(fieldsNamed((entry.value as Message).fields, "model_version_policy")[0], existing);
}
