import { readFile } from "node:fs/promises";
import { type Document, isMap, isNode, isScalar, isSeq, LineCounter, type Node, parseDocument, visit } from "yaml";
import type { z } from "zod";
import { ConfigError, InputError, type SourceLocation } from "./errors.ts";

/** A parsed YAML document that can say where any YAML path came from. */
export interface LocatedYaml {
  file: string;
  /** The source text, for finding other things on its lines (case ids for annotations). */
  text: string;
  value: unknown;
  /**
   * The location of the deepest node along `path` that exists (so a missing key points at its
   * parent). With `atKey`, a mapping entry is located at its key rather than its value.
   */
  locate(path: readonly PropertyKey[], options?: { atKey?: boolean }): SourceLocation;
}

export function parseLocatedYaml(text: string, file: string): LocatedYaml {
  const lineCounter = new LineCounter();
  const doc: Document.Parsed = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const position = (offset: number): SourceLocation => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col };
  };
  const firstError = doc.errors[0];
  if (firstError) {
    const location = position(firstError.pos[0]);
    throw new ConfigError(`invalid YAML: ${firstError.message.split("\n")[0]}`, "", location);
  }
  return {
    file,
    text,
    value: doc.toJS({ maxAliasCount: 100 }) ?? {},
    locate(path, options = {}) {
      let node: unknown = doc.contents;
      let found: Node | undefined = isNode(node) ? node : undefined;
      for (const [depth, key] of path.entries()) {
        if (isMap(node)) {
          const pair = node.items.find((item) => isNode(item.key) && String((item.key as { value?: unknown }).value) === String(key));
          if (!pair) break;
          node = pair.value;
          const last = depth === path.length - 1;
          // A key with no value has no node of its own; point at the key.
          const preferKey = (options.atKey && last) || !isNode(pair.value);
          found = preferKey && isNode(pair.key) ? pair.key : isNode(pair.value) ? pair.value : found;
        } else if (isSeq(node) && typeof key === "number") {
          const item = node.items[key];
          if (!isNode(item)) break;
          node = item;
          found = item;
        } else {
          break;
        }
      }
      return position(found?.range?.[0] ?? 0);
    },
  };
}

/** `suites[0].scorers[2].type` — the form users see in errors. */
export function formatYamlPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}

/** What a zod issue expected, in words a user can act on. */
function describeIssue(issue: z.core.$ZodIssue): { path: PropertyKey[]; expected: string; atKey?: boolean } {
  if (issue.code === "unrecognized_keys") {
    return { path: [...issue.path, issue.keys[0] ?? ""], expected: `unknown key "${issue.keys.join('", "')}"`, atKey: true };
  }
  if (issue.code === "invalid_union" && issue.errors.length > 0) {
    // Report the branch that got furthest: the one whose first issue has the longest path.
    const best = issue.errors
      .map((branch) => branch[0])
      .filter((i): i is z.core.$ZodIssue => i !== undefined)
      .sort((a, b) => b.path.length - a.path.length)[0];
    if (best && best.path.length > 0) {
      const inner = describeIssue(best);
      return { ...inner, path: [...issue.path, ...inner.path] };
    }
  }
  return { path: [...issue.path], expected: issue.message };
}

/** Validates a located YAML value against a schema, throwing a ConfigError at the first issue. */
export function validateLocated<S extends z.ZodType>(doc: LocatedYaml, schema: S): z.output<S> {
  const result = schema.safeParse(doc.value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (!issue) throw new ConfigError("invalid configuration", "", doc.locate([]));
  const { path, expected, atKey } = describeIssue(issue);
  throw new ConfigError(expected, formatYamlPath(path), doc.locate(path, { atKey }));
}

/** All issues, located: for annotating every bad line at once. */
export function listConfigErrors<S extends z.ZodType>(doc: LocatedYaml, schema: S): ConfigError[] {
  const result = schema.safeParse(doc.value);
  if (result.success) return [];
  return result.error.issues.map((issue) => {
    const { path, expected, atKey } = describeIssue(issue);
    return new ConfigError(expected, formatYamlPath(path), doc.locate(path, { atKey }));
  });
}

/** A mapping entry `key: value` found in a text, with the value as YAML reads it and where the entry starts. */
export interface ScalarEntry {
  value: string;
  line: number;
  column: number;
}

function scalarEntries(text: string, key: string, firstLine: number, out: ScalarEntry[]): boolean {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  visit(doc, {
    Pair(_, pair) {
      if (!isScalar(pair.key) || String(pair.key.value) !== key || !isScalar(pair.value)) return;
      const value = pair.value.value;
      if (typeof value !== "string" && typeof value !== "number") return;
      const { line, col } = lineCounter.linePos(pair.key.range?.[0] ?? 0);
      out.push({ value: String(value), line: firstLine + line - 1, column: col });
    },
  });
  return doc.errors.length === 0;
}

/**
 * Every `key: <string or number>` entry of a YAML or JSON text, in document order, with its value
 * decoded by the YAML parser (so `"caf\xe9"` is `café`, `'it''s'` is `it's`) and the line and
 * column of its key. JSON Lines, which is not one YAML document, is read one line at a time.
 */
export function findScalarEntries(text: string, key: string): ScalarEntry[] {
  const whole: ScalarEntry[] = [];
  if (scalarEntries(text, key, 1, whole)) return whole;
  const byLine: ScalarEntry[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() !== "") scalarEntries(line, key, i + 1, byLine);
  });
  return byLine;
}

export async function readLocatedYaml(file: string): Promise<LocatedYaml> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(`config file ${file}: ${code === "ENOENT" ? "not found" : `cannot be read (${code})`}`);
  }
  return parseLocatedYaml(text, file);
}
