import { type FileHandle, open, readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { type CaseConfig, type CaseFileFormat, ConfigError, formatYamlPath, type LocatedYaml, type SuiteConfig } from "@llmops/core";
import { FileRows, IdIndex, idOf, LoadedCase, NO_TAG_SET } from "./compact.ts";
import { caseIssue } from "./conversation.ts";
import { caseFileFormat, JsonlCaseReader, parseCaseFile, type RawCase, validateCaseRow } from "./parse.ts";
import { type CaseOrigin, describeCase, type EvalCase } from "./types.ts";

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

  const collector = new CaseCollector(suite.slices);
  (suite.cases ?? []).forEach((config, i) => {
    const path = [...suitePath, "cases", i];
    const issue = caseIssue(config);
    if (issue) throw configError(issue.message, ["cases", i, ...issue.path]);
    const location = options.doc?.locate(path);
    collector.add(config, {
      file: configFile,
      ...(location ? { line: location.line, column: location.column } : {}),
      yamlPath: formatYamlPath(path),
    });
  });

  if (suite.casesFrom !== undefined) {
    const from = typeof suite.casesFrom === "string" ? { file: suite.casesFrom } : suite.casesFrom;
    const fromPath = typeof suite.casesFrom === "string" ? ["casesFrom"] : ["casesFrom", "file"];
    const format: CaseFileFormat | undefined = from.format ?? caseFileFormat(from.file);
    if (!format)
      throw configError(`expected a cases file ending in .jsonl, .json, .csv, .yaml or .yml (or set format); got ${from.file}`, fromPath);
    const unreadable = (error: unknown) => {
      const code = (error as NodeJS.ErrnoException).code;
      return configError(
        `expected a readable cases file; ${from.file} ${code === "ENOENT" ? "does not exist" : `cannot be read (${code})`}`,
        fromPath,
      );
    };
    let displayFile: string;
    let bytes: Uint8Array | undefined;
    let path: string | undefined;
    if (from.dataset !== undefined) {
      if (!options.fetchDatasetFile)
        throw configError("expected a store to read the dataset from (set store: in llmops.yaml)", ["casesFrom", "dataset"]);
      displayFile = `${from.dataset}/${from.file}`;
      bytes = await options.fetchDatasetFile(from.dataset, from.file);
    } else {
      path = resolve(options.cwd, from.file);
      displayFile = path;
    }
    if (format === "jsonl") {
      // JSONL is the format of large datasets: read a line at a time, each row validated and kept
      // compactly as it comes, so loading never holds the file's text or its parsed rows.
      const rows = collector.fileRows(displayFile);
      const reader = new JsonlCaseReader(displayFile, (row, line) => collector.addRow(row, rows, line));
      if (bytes) {
        // As TextDecoder did with the whole file: one leading BOM is not text (the reader drops another).
        const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
        reader.push(bom ? bytes.subarray(3) : bytes);
      } else await readChunks(path!, (chunk) => reader.push(chunk), unreadable);
      reader.end();
    } else {
      let text: string;
      if (bytes) text = new TextDecoder().decode(bytes);
      else {
        try {
          text = await readFile(path!, "utf8");
        } catch (error) {
          throw unreadable(error);
        }
      }
      // CSV, JSON and YAML files are parsed whole (a record or a case may span lines). CSV rows
      // are kept like JSONL rows; JSON and YAML rows keep their origin (line, column and path).
      const rows = format === "csv" ? collector.fileRows(displayFile) : undefined;
      for (const row of parseCaseFile(text, format, displayFile, { caseFieldColumns: "error" })) {
        if (rows) collector.addRow(row, rows, row.locate([]).line);
        else collector.addRow(row, rowOrigin(row, displayFile));
      }
    }
  }

  return collector.finish(() => configError("expected at least one case", suite.casesFrom !== undefined ? ["casesFrom"] : ["cases"]));
}

/** Reads a file in chunks into `push` (which must not keep the chunk); a read error goes through `unreadable`. */
async function readChunks(path: string, push: (chunk: Buffer) => void, unreadable: (error: unknown) => Error): Promise<void> {
  let handle: FileHandle;
  try {
    handle = await open(path, "r");
  } catch (error) {
    throw unreadable(error);
  }
  try {
    const buffer = Buffer.allocUnsafe(READ_CHUNK_BYTES);
    for (;;) {
      let bytesRead: number;
      try {
        ({ bytesRead } = await handle.read(buffer, 0, buffer.length, null));
      } catch (error) {
        throw unreadable(error);
      }
      if (bytesRead === 0) return;
      push(buffer.subarray(0, bytesRead));
    }
  } finally {
    await handle.close();
  }
}

const READ_CHUNK_BYTES = 256 * 1024;

function rowOrigin(row: RawCase, file: string): EvalCase["origin"] {
  const location = row.locate([]);
  return { file, line: location.line, column: location.column, yamlPath: row.yamlPath };
}

/** Distinct tag sets shared between cases at most; past it, new ones are kept with each case. */
const MAX_SHARED_TAG_SETS = 4096;

/**
 * Builds the cases in order. Errors come out as the whole-file loader gave them: a syntax error
 * (thrown by the reader as it meets it) wins over an invalid row, the first invalid row over
 * "no cases", and that over the first duplicate id, whatever their order in the file.
 */
class CaseCollector {
  readonly #slices: readonly string[];
  #cases: EvalCase[] = [];
  #count = 0;
  readonly #ids = new IdIndex();
  readonly #tagSets: Record<string, string>[] = [];
  readonly #tagSetIndex = new Map<string, number>();
  #invalid: ConfigError | undefined;
  #duplicate: ConfigError | undefined;

  constructor(slices: readonly string[]) {
    this.#slices = slices;
  }

  /** The rows of a JSONL or CSV file whose cases come next. */
  fileRows(file: string): FileRows {
    return new FileRows(file, this.#count, this.#tagSets);
  }

  /** Validates a row of a cases file: at `line` of `where` when it is the file's rows. */
  addRow(row: RawCase, where: CaseOrigin | FileRows, line = 0): void {
    if (this.#invalid) return;
    let config: CaseConfig;
    try {
      config = validateCaseRow(row);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      this.#invalid = error;
      this.#cases = [];
      return;
    }
    this.add(config, where, line);
  }

  add(config: CaseConfig, where: CaseOrigin | FileRows, line = 0): void {
    const index = this.#count++;
    if (this.#duplicate) return;
    const id = idOf(config);
    const { tags, set } = this.#tagsOf(config);
    const evalCase =
      (where instanceof FileRows ? where.add(index - where.first, line, config, id, tags, set) : undefined) ??
      new LoadedCase(config, id, index, tags, where, line);
    const earlier = this.#ids.claim(id, index, (i) => this.#cases[i]!.id);
    if (earlier >= 0) {
      const origin = evalCase.origin;
      this.#duplicate = new ConfigError(
        `expected unique case ids; "${id}" is also ${describeCase(this.#cases[earlier]!)}${config.id === undefined ? " (identical vars and expected: give them ids)" : ""}`,
        origin.yamlPath,
        origin.line !== undefined ? { file: origin.file, line: origin.line, column: origin.column ?? 1 } : undefined,
      );
      this.#cases = [];
      return;
    }
    this.#cases.push(evalCase);
  }

  finish(noCases: () => ConfigError): EvalCase[] {
    if (this.#invalid) throw this.#invalid;
    if (this.#count === 0) throw noCases();
    if (this.#duplicate) throw this.#duplicate;
    return this.#cases;
  }

  /** The case's tags, with slice keys it does not tag taken from its scalar vars; equal sets are one frozen object. */
  #tagsOf(config: CaseConfig): { tags: Record<string, string>; set: number } {
    const tags = { ...config.tags };
    // Slice keys a case does not tag fall back to its scalar vars, so flat CSV/JSONL columns can define slices.
    for (const key of this.#slices) {
      const value = config.vars[key];
      if (tags[key] === undefined && (typeof value === "string" || typeof value === "number" || typeof value === "boolean"))
        tags[key] = String(value);
    }
    const key = JSON.stringify(tags);
    let set = this.#tagSetIndex.get(key);
    if (set === undefined) {
      if (this.#tagSets.length >= MAX_SHARED_TAG_SETS) return { tags, set: NO_TAG_SET };
      set = this.#tagSets.push(Object.freeze(tags)) - 1;
      this.#tagSetIndex.set(key, set);
    }
    return { tags: this.#tagSets[set]!, set };
  }
}
