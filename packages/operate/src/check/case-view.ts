import { ConfigError } from "@llmops/core";
import { caseId, type RawCase, validateCaseRow } from "@llmops/eval";
import type { CaseView } from "./fields.ts";
import type { DatasetRow } from "./rows.ts";

const STRUCTURED = new Set(["id", "vars", "expected", "tags", "metadata"]);

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/**
 * A row as an eval case, read by eval's own rules (`validateCaseRow`: `{vars, expected, id, tags}`,
 * or a flat row whose other keys are vars), so a check sees exactly what an eval would. A row that
 * breaks the case schema still gets a best-effort view (its own vars and expected) for the text
 * checks, with `error` saying what the schema expected. Undefined for a row that is not an object.
 */
export function caseViewOf(row: DatasetRow, file: string): { view: CaseView; error?: string } | undefined {
  const value = row.value;
  if (!isRecord(value)) return undefined;
  // No per-row path string: converting each row's number to text fills V8's number-string cache,
  // whose strings outlive the young generation and grow the heap on long runs. Findings carry
  // file:line instead.
  const raw: RawCase = row.raw ?? { value, yamlPath: "", locate: () => ({ file, line: row.line, column: 1 }) };
  try {
    const config = validateCaseRow(raw);
    const view: CaseView = { id: config.id ?? caseId(config.vars, config.expected), vars: config.vars, tags: config.tags };
    if (config.expected !== undefined) view.expected = config.expected;
    if (config.metadata !== undefined) view.metadata = config.metadata;
    return { view };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const source = raw.value as Record<string, unknown>;
    let vars: Record<string, unknown>;
    if (isRecord(source.vars)) vars = source.vars;
    else {
      vars = Object.create(null);
      for (const key of Object.keys(source)) if (!STRUCTURED.has(key)) vars[key] = source[key];
    }
    const view: CaseView = { id: typeof source.id === "string" ? source.id : "", vars, tags: {} };
    if (Object.hasOwn(source, "expected")) view.expected = source.expected;
    const at = error.yamlPath.replace(/^\./, "");
    return { view, error: `${at ? `${at}: ` : ""}${error.expected}` };
  }
}
