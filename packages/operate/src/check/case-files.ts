import { matchesGlob } from "node:path";
import type { CaseFileFormat } from "@llmops/core";
import { caseFileFormat } from "@llmops/eval";
import { listFiles } from "@llmops/store";
import { NoCaseFilesError } from "./errors.ts";

/** A file of a dataset that the checks read. */
export interface CaseFile {
  /** Absolute path on disk. */
  path: string;
  /** Path inside the dataset (POSIX separators): how results name it. */
  title: string;
  size: number;
  format: CaseFileFormat;
}

/** Files at a dataset's root that are the project's, not data. */
const PROJECT_FILES: ReadonlySet<string> = new Set([
  "llmops.yaml",
  "llmops.yml",
  "package.json",
  "package-lock.json",
  "pnpm-lock.yaml",
  "tsconfig.json",
]);

/**
 * The case files of a dataset directory (or the one file given): those `globs` match (relative to
 * the root), else every file whose extension names a case format (.jsonl, .ndjson, .json, .csv,
 * .yaml, .yml). Other files are listed as skipped. Symbolic links and special files are refused,
 * as `llmops version` refuses them (a dataset is regular files).
 */
export async function selectCaseFiles(
  root: string,
  globs: readonly string[] | undefined,
  what: string,
): Promise<{ files: CaseFile[]; skipped: { path: string; reason: string }[] }> {
  const files: CaseFile[] = [];
  const skipped: { path: string; reason: string }[] = [];
  for (const file of await listFiles(root)) {
    const format = caseFileFormat(file.title);
    if (globs && !globs.some((glob) => matchesGlob(file.title, glob))) {
      skipped.push({ path: file.title, reason: "not matched by checks.files" });
      continue;
    }
    if (!format) {
      skipped.push({ path: file.title, reason: "not a case file (.jsonl, .ndjson, .json, .csv, .yaml, .yml)" });
      continue;
    }
    // A project's own config and manifests share the case formats' extensions; a dataset at the
    // project root (`path: .`) must not be judged by them. `checks.files` can still name them.
    if (!globs && PROJECT_FILES.has(file.title)) {
      skipped.push({ path: file.title, reason: "a project file, not cases (name it in checks.files to check it)" });
      continue;
    }
    files.push({ path: file.path, title: file.title, size: file.size, format });
  }
  if (files.length === 0) {
    throw new NoCaseFilesError(
      what,
      globs ? `checks.files ${globs.join(", ")} matched none` : "expected .jsonl, .ndjson, .json, .csv, .yaml or .yml files",
    );
  }
  return { files, skipped };
}
