import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { type CaseConfig, type CaseFileFormat, ConfigError, formatYamlPath, type LocatedYaml, type SuiteConfig } from "@llmops/core";
import { caseFileFormat, parseCaseFile, type RawCase, validateCaseRow } from "./parse.ts";
import { caseId, describeCase, type EvalCase } from "./types.ts";

/** Reads one file of a dataset version (`name:alias`, `name:v3`, `name@sha256:…`) from the store. */
export type FetchDatasetFile = (ref: string, file: string) => Promise<Uint8Array>;

export interface LoadCasesOptions {
  /** Directory cases files are relative to (the config file's). */
  cwd: string;
  /** The config document, so errors in inline cases and `casesFrom` point at their lines. */
  doc?: LocatedYaml;
  /** Where the suite is in the config. */
  suiteIndex?: number;
  /** Needed only for `casesFrom: {dataset, file}`. */
  fetchDatasetFile?: FetchDatasetFile;
}

/**
 * The suite's cases, inline ones first, then those of `casesFrom`, each with a stable id. Every
 * problem (missing file, bad row, duplicate id, no cases) is a ConfigError naming where it is.
 */
export async function loadCases(suite: SuiteConfig, options: LoadCasesOptions): Promise<EvalCase[]> {
  const suitePath = ["suites", options.suiteIndex ?? 0];
  const configFile = options.doc?.file ?? "llmops.yaml";
  const configError = (expected: string, path: (string | number)[]) =>
    new ConfigError(expected, formatYamlPath([...suitePath, ...path]), options.doc?.locate([...suitePath, ...path]));

  const entries: { config: CaseConfig; origin: EvalCase["origin"] }[] = [];
  (suite.cases ?? []).forEach((config, i) => {
    const path = [...suitePath, "cases", i];
    const location = options.doc?.locate(path);
    entries.push({
      config,
      origin: { file: configFile, ...(location ? { line: location.line, column: location.column } : {}), yamlPath: formatYamlPath(path) },
    });
  });

  if (suite.casesFrom !== undefined) {
    const from = typeof suite.casesFrom === "string" ? { file: suite.casesFrom } : suite.casesFrom;
    const fromPath = typeof suite.casesFrom === "string" ? ["casesFrom"] : ["casesFrom", "file"];
    const format: CaseFileFormat | undefined = from.format ?? caseFileFormat(from.file);
    if (!format)
      throw configError(`expected a cases file ending in .jsonl, .json, .csv, .yaml or .yml (or set format); got ${from.file}`, fromPath);
    let text: string;
    let displayFile: string;
    if (from.dataset !== undefined) {
      if (!options.fetchDatasetFile)
        throw configError("expected a store to read the dataset from (set store: in llmops.yaml)", ["casesFrom", "dataset"]);
      displayFile = `${from.dataset}/${from.file}`;
      text = new TextDecoder().decode(await options.fetchDatasetFile(from.dataset, from.file));
    } else {
      const path = resolve(options.cwd, from.file);
      displayFile = path;
      try {
        text = await readFile(path, "utf8");
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        throw configError(
          `expected a readable cases file; ${from.file} ${code === "ENOENT" ? "does not exist" : `cannot be read (${code})`}`,
          fromPath,
        );
      }
    }
    for (const row of parseCaseFile(text, format, displayFile)) {
      entries.push({ config: validateCaseRow(row), origin: rowOrigin(row, displayFile) });
    }
  }

  if (entries.length === 0) throw configError("expected at least one case", suite.casesFrom !== undefined ? ["casesFrom"] : ["cases"]);

  const cases: EvalCase[] = [];
  const byId = new Map<string, EvalCase>();
  entries.forEach(({ config, origin }, index) => {
    const tags = { ...config.tags };
    // Slice keys a case does not tag fall back to its scalar vars, so flat CSV/JSONL columns can define slices.
    for (const key of suite.slices) {
      const value = config.vars[key];
      if (tags[key] === undefined && (typeof value === "string" || typeof value === "number" || typeof value === "boolean"))
        tags[key] = String(value);
    }
    const evalCase: EvalCase = {
      id: config.id ?? caseId(config.vars, config.expected),
      index,
      vars: config.vars,
      ...(config.expected !== undefined ? { expected: config.expected } : {}),
      tags,
      ...(config.metadata !== undefined ? { metadata: config.metadata } : {}),
      origin,
    };
    const first = byId.get(evalCase.id);
    if (first) {
      throw new ConfigError(
        `expected unique case ids; "${evalCase.id}" is also ${describeCase(first)}${config.id === undefined ? " (identical vars and expected: give them ids)" : ""}`,
        origin.yamlPath,
        origin.line !== undefined ? { file: origin.file, line: origin.line, column: origin.column ?? 1 } : undefined,
      );
    }
    byId.set(evalCase.id, evalCase);
    cases.push(evalCase);
  });
  return cases;
}

function rowOrigin(row: RawCase, file: string): EvalCase["origin"] {
  const location = row.locate([]);
  return { file, line: location.line, column: location.column, yamlPath: row.yamlPath };
}
