/**
 * Edits of one field of a YAML manifest that leave every other byte as it was. The yaml package's
 * Document API finds the nodes (parseAllDocuments, getIn, node ranges); the change is then spliced
 * into the source text at those ranges. `setIn` + `toString` would be simpler but re-renders the
 * whole file: it normalises comment spacing (`x   # c` → `x # c`), flow padding (`{a: 1}` →
 * `{ a: 1 }`) and sequence indentation, which would put unrelated lines into every gitops diff.
 * Each edit is checked by parsing the result again and reading the field back.
 */
import { type Document, isMap, isScalar, isSeq, type Node, type Pair, parse, parseAllDocuments, Scalar, type YAMLMap } from "yaml";

export type YamlPath = readonly (string | number)[];
export type FieldValue = string | number;

/** One field to set (`value`) or remove (`null`) under the mapping at `parent`. */
export interface FieldChange {
  /** A stable name for the change ("storageUri", "digest"), the key of recorded previous values. */
  name: string;
  parent: YamlPath;
  key: string;
  value: FieldValue | null;
}

/** A manifest this module cannot edit as asked; the message says where and what was expected. */
export class ManifestError extends Error {
  override name = "ManifestError";
}

export function pathText(path: YamlPath): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("") || "(root)";
}

/** The documents of a (possibly multi-document) YAML file; a syntax error is one ManifestError. */
export function parseManifest(text: string): Document.Parsed[] {
  const docs = parseAllDocuments(text);
  const list = Array.isArray(docs) ? docs : [];
  for (const doc of list) {
    const error = doc.errors[0];
    if (error) {
      const line = error.linePos?.[0]?.line;
      throw new ManifestError(`${line ? `line ${line}: ` : ""}${error.message.split("\n")[0]}`);
    }
  }
  return list;
}

/** The node at `path` (undefined when a step is missing). */
export function nodeAt(doc: Document.Parsed, path: YamlPath): unknown {
  return path.length === 0 ? doc.contents : doc.getIn(path, true);
}

/** The mapping at `path`, or a ManifestError naming the first missing step. */
export function mapAt(doc: Document.Parsed, path: YamlPath): YAMLMap {
  for (let i = 1; i <= path.length; i++) {
    const node = nodeAt(doc, path.slice(0, i));
    if (node === undefined || node === null || (isScalar(node) && node.value === null))
      throw new ManifestError(`${pathText(path.slice(0, i))} is missing`);
  }
  const node = nodeAt(doc, path);
  if (!isMap(node)) throw new ManifestError(`${pathText(path)} is ${describe(node)}; expected a mapping`);
  return node;
}

/** The scalar value of `key` under `parent` (null when absent or empty). */
export function readField(doc: Document.Parsed, parent: YamlPath, key: string): FieldValue | null {
  const pair = pairOf(mapAt(doc, parent), key);
  if (!pair || pair.value === null) return null;
  if (!isScalar(pair.value)) throw new ManifestError(`${pathText([...parent, key])} is ${describe(pair.value)}; expected a scalar`);
  const value = pair.value.value;
  if (value === null || value === undefined) return null;
  return typeof value === "number" ? value : String(value);
}

/**
 * Applies `changes` to document `index` of `text`, one at a time, and checks the result reads back
 * as asked. Returns the new text (the same string when nothing had to change).
 */
export function editManifest(text: string, index: number, changes: readonly FieldChange[]): string {
  let out = text;
  for (const change of changes) {
    const doc = parseManifest(out)[index]!;
    const edit = changeEdit(out, doc, change);
    if (edit) out = out.slice(0, edit.start) + edit.text + out.slice(edit.end);
  }
  if (out === text) return text;
  const doc = parseManifest(out)[index];
  for (const change of changes) {
    const got = doc ? readField(doc, change.parent, change.key) : undefined;
    if (got !== change.value)
      throw new ManifestError(`${pathText([...change.parent, change.key])}: the edit did not read back as ${JSON.stringify(change.value)}`);
  }
  return out;
}

function changeEdit(text: string, doc: Document.Parsed, change: FieldChange): { start: number; end: number; text: string } | undefined {
  const map = mapAt(doc, change.parent);
  const pair = pairOf(map, change.key);
  const where = pathText([...change.parent, change.key]);
  if (change.value === null) return pair ? removal(text, map, pair, where) : undefined;
  if (!pair) return insertion(text, map, change.key, change.value);
  const value = pair.value;
  if (value !== null && !isScalar(value)) throw new ManifestError(`${where} is ${describe(value)}; expected a scalar`);
  if (value && value.value === change.value) return undefined;
  if (!value?.range || value.range[0] === value.range[1]) {
    // `key:` with nothing after it: the value goes right after the colon.
    const keyEnd = (pair.key as Node).range?.[1] ?? 0;
    const colon = text.indexOf(":", keyEnd);
    return { start: colon + 1, end: colon + 1, text: ` ${render(change.value, undefined, map.flow === true)}` };
  }
  const [start, end] = value.range;
  let rendered = render(change.value, value, map.flow === true);
  if ((value.type === Scalar.BLOCK_LITERAL || value.type === Scalar.BLOCK_FOLDED) && text[end - 1] === "\n") rendered += "\n";
  return { start, end, text: rendered };
}

function insertion(text: string, map: YAMLMap, key: string, value: FieldValue): { start: number; end: number; text: string } {
  const [start, end] = map.range ?? [0, 0];
  const entry = `${render(key, undefined, map.flow === true)}: ${render(value, undefined, map.flow === true)}`;
  if (map.flow) {
    const close = text.lastIndexOf("}", end);
    if (close < start) throw new ManifestError("a flow mapping without `}`");
    return { start: close, end: close, text: map.items.length ? `, ${entry}` : entry };
  }
  const firstKey = (map.items[0]?.key as Node | undefined)?.range?.[0] ?? start;
  const indent = " ".repeat(firstKey - (text.lastIndexOf("\n", firstKey - 1) + 1));
  if (text[end - 1] === "\n" || end === 0) return { start: end, end, text: `${indent}${entry}\n` };
  return { start: end, end, text: `\n${indent}${entry}` };
}

function removal(text: string, map: YAMLMap, pair: Pair, where: string): { start: number; end: number; text: string } {
  const keyStart = (pair.key as Node).range?.[0];
  const value = pair.value as Node | null;
  if (keyStart === undefined) throw new ManifestError(`${where}: cannot find it in the text`);
  if (value !== null && !isScalar(value)) throw new ManifestError(`${where} is ${describe(value)}; expected a scalar to remove`);
  const valueEnd = value?.range?.[1] ?? (pair.key as Node).range?.[1] ?? keyStart;
  if (map.flow) {
    const after = /^\s*,\s*/.exec(text.slice(valueEnd))?.[0];
    if (after) return { start: keyStart, end: valueEnd + after.length, text: "" };
    const before = /,\s*$/.exec(text.slice(0, keyStart))?.[0] ?? "";
    return { start: keyStart - before.length, end: valueEnd, text: "" };
  }
  const lineStart = text.lastIndexOf("\n", keyStart - 1) + 1;
  const newline = text.indexOf("\n", valueEnd);
  const lineEnd = newline < 0 ? text.length : newline + 1;
  if (text.slice(lineStart, keyStart).trim() === "") return { start: lineStart, end: lineEnd, text: "" };
  // The key shares its line with something before it (`- newTag: v1`): the next key moves up.
  const index = map.items.indexOf(pair);
  const next = (map.items[index + 1]?.key as Node | undefined)?.range?.[0];
  if (next === undefined) throw new ManifestError(`${where} is the only key of its item; expected the item to keep at least one key`);
  return { start: keyStart, end: next, text: "" };
}

function pairOf(map: YAMLMap, key: string): Pair | undefined {
  return map.items.find((p) => (isScalar(p.key) ? String(p.key.value) : p.key) === key) as Pair | undefined;
}

function describe(node: unknown): string {
  if (node === undefined || node === null) return "missing";
  if (isMap(node)) return "a mapping";
  if (isSeq(node)) return "a sequence";
  if (isScalar(node)) return node.value === null ? "empty" : `a ${typeof node.value}`;
  return "an alias";
}

/** A scalar as YAML source: numbers bare; strings in the quote style they had, plain when that reads back the same. */
function render(value: FieldValue, previous: Scalar | undefined, flow: boolean): string {
  if (typeof value === "number") return String(value);
  if (previous?.type === Scalar.QUOTE_SINGLE) return `'${value.replace(/'/g, "''")}'`;
  if (previous?.type === Scalar.QUOTE_DOUBLE) return JSON.stringify(value);
  return plainSafe(value, flow) ? value : JSON.stringify(value);
}

function plainSafe(value: string, flow: boolean): boolean {
  if (value === "" || value !== value.trim() || /[\n\r\t]/.test(value) || value.includes(" #") || value.includes(": ")) return false;
  if (flow && /[,[\]{}]/.test(value)) return false;
  try {
    return parse(`k: ${value}\n`)?.k === value;
  } catch {
    return false;
  }
}
