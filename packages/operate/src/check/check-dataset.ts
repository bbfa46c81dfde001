import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import {
  type CheckSeverity,
  type ChecksConfig,
  type ChecksConfigInput,
  canonicalJson,
  checksConfigSchema,
  InputError,
  type Logger,
  type PiiKind,
  resolveInside,
} from "@llmops/core";
import type { ZodType } from "zod";
import { AgainstIndex, type AgainstSource } from "./against.ts";
import { type CaseFile, selectCaseFiles } from "./case-files.ts";
import { CaseTable } from "./case-table.ts";
import { caseViewOf } from "./case-view.ts";
import { shown } from "./display.ts";
import { LabelCounter, LengthHistogram } from "./distributions.ts";
import { findDuplicates, MAX_BUCKET_COMPARISONS } from "./duplicates.ts";
import {
  type CaseView,
  forEachCaseText,
  isPresent,
  MAX_NESTING,
  nestingDepth,
  parseFieldPath,
  resolveField,
  StringWalker,
} from "./fields.ts";
import { Hash128 } from "./hash.ts";
import { loadJsonSchema } from "./json-schema-file.ts";
import { type Banding, bandKeys, optimalBanding } from "./lsh.ts";
import { packSignature, similarity } from "./minhash.ts";
import { findPii, maskPii } from "./pii/detect.ts";
import { RedactedCopy } from "./redacted-copy.ts";
import {
  type CaseLocation,
  type CheckEntry,
  type CheckResult,
  type CheckSubject,
  type ContaminationFinding,
  checkResultSchema,
  type PiiFinding,
  type Violation,
} from "./result.ts";
import { type DatasetRow, readRows } from "./rows.ts";
import { PartitionedSpill } from "./spill.ts";
import { TextFeatures } from "./text-features.ts";

export type { AgainstSource } from "./against.ts";

export interface CheckDatasetOptions {
  /** The dataset: a directory (a fetched version, a working copy) or a single case file. */
  path: string;
  /** How the result names what was checked (default: the path as given). */
  subject?: CheckSubject;
  /** The artifact's `checks:` (default: every check with its defaults). */
  config?: ChecksConfigInput;
  /** Where a relative `checks.schema` file resolves (llmops.yaml's directory; default `cwd`). */
  configDir?: string;
  cwd?: string;
  /** Versions to look for contamination in, already on disk; replaces nothing: the caller merges `checks.contamination.against`. */
  against?: AgainstSource[];
  /** Write a redacted copy of the checked case files there (a new or empty directory). */
  redactTo?: string;
  logger: Logger;
  signal?: AbortSignal;
  /** Parent of the run's scratch directory (default the OS temp dir); it is removed afterwards. */
  tempDir?: string;
  now?: () => Date;
}

/** Which of a check's findings a run keeps: complete counts, the first `maxListed` locations. */
class Listing<T> {
  readonly items: T[] = [];
  count = 0;
  readonly #limit: number;
  constructor(limit: number) {
    this.#limit = limit;
  }
  add(make: () => T): void {
    this.count++;
    if (this.items.length < this.#limit) this.items.push(make());
  }
}

interface AgainstState {
  index: AgainstIndex;
  /** Per case being read: n-grams found there, and the first other case one came from. */
  overlap: number;
  firstMatch: number;
  contaminated: number;
  ngramCases: number;
  nearCases: number;
  findings: ContaminationFinding[];
}

/** A label is shown and counted by its text, cut short: label sets are small words, not documents. */
function labelText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return shown(String(value), 64);
  return "(not a scalar)";
}

function gate(
  severity: CheckSeverity,
  max: number,
  findings: number,
): { severity: CheckSeverity; max: number; findings: number; passed: boolean } {
  return { severity, max, findings, passed: severity !== "error" || findings <= max };
}

/**
 * Runs the configured checks over a dataset in one streaming pass, holding per case only what is
 * spilled to a scratch directory (hashes, signatures, locations), so memory stays flat as the
 * dataset grows; then groups the spilled hashes for duplicates. Returns the result; throws
 * InputError subclasses (exit 2) for what is wrong with the input itself: a missing path, no case
 * files, an unusable JSON Schema, a redacted copy that cannot be written. Problems inside the data
 * (bad rows, duplicates, contamination, PII) are findings in the result, never exceptions.
 */
export async function checkDataset(options: CheckDatasetOptions): Promise<CheckResult> {
  const parsed = checksConfigSchema.safeParse(options.config ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InputError(`checks.${issue.path.join(".")}: ${issue.message}`);
  }
  const scratch = await mkdtemp(join(options.tempDir ?? tmpdir(), "llmops-check-"));
  const run = new CheckRun(parsed.data, options, scratch);
  try {
    return await run.execute();
  } finally {
    run.close();
    await rm(scratch, { recursive: true, force: true });
  }
}

class CheckRun {
  readonly #config: ChecksConfig;
  readonly #options: CheckDatasetOptions;
  readonly #scratch: string;
  readonly #closers: (() => void)[] = [];

  constructor(config: ChecksConfig, options: CheckDatasetOptions, scratch: string) {
    this.#config = config;
    this.#options = options;
    this.#scratch = scratch;
  }

  close(): void {
    for (const close of this.#closers.splice(0)) close();
  }

  async execute(): Promise<CheckResult> {
    const config = this.#config;
    const options = this.#options;
    const now = options.now ?? (() => new Date());
    const startedAt = now().toISOString();
    const cwd = options.cwd ?? process.cwd();
    const subject: CheckSubject = options.subject ?? { ref: options.path, name: options.path };
    const listed = config.maxListed;
    const { logger } = options;

    const { files, skipped } = await selectCaseFiles(resolve(cwd, options.path), config.files, subject.ref);
    let jsonSchema: ZodType | undefined;
    const schemaFile = config.schema.severity !== "off" ? config.schema.file : undefined;
    // Named by llmops.yaml (configDir given): never read from outside its directory.
    if (schemaFile !== undefined) {
      const path =
        options.configDir !== undefined
          ? await resolveInside(schemaFile, options.configDir, "checks.schema.file")
          : resolve(cwd, schemaFile);
      jsonSchema = await loadJsonSchema(path, schemaFile);
    }

    const duplicates = config.duplicates;
    const contamination = config.contamination;
    const checkAgainst = contamination.severity !== "off" && (options.against?.length ?? 0) > 0;
    const wantDuplicates = duplicates.severity !== "off";
    const wantNear = (wantDuplicates && duplicates.near) || (checkAgainst && contamination.near);
    const banding: Banding | undefined = wantNear ? optimalBanding(duplicates.threshold, duplicates.permutations) : undefined;
    const permutations = duplicates.permutations;
    const piiKinds: ReadonlySet<PiiKind> = new Set(config.pii.kinds);
    const scanPii = config.pii.severity !== "off";
    const fields = config.fields?.map(parseFieldPath);

    // The other versions first: their n-grams and buckets are what each case is looked up in.
    const against: AgainstState[] = [];
    if (checkAgainst) {
      for (const [i, source] of options.against!.entries()) {
        const index = await AgainstIndex.build(source, {
          scratch: this.#scratch,
          name: `against-${i}`,
          ngram: contamination.ngram,
          shingle: duplicates.shingle,
          permutations,
          banding: contamination.near ? banding : undefined,
          maxLineBytes: config.maxLineBytes,
          logger,
          ...(options.signal ? { signal: options.signal } : {}),
        });
        this.#closers.push(() => index.close());
        against.push({ index, overlap: 0, firstMatch: -1, contaminated: 0, ngramCases: 0, nearCases: 0, findings: [] });
      }
    }

    const table = new CaseTable(this.#scratch, "cases", permutations);
    this.#closers.push(() => table.close());
    // 2^4 partitions of exact-hash pairs, 2^6 of band pairs: at a million cases each holds ~1-2 MB.
    const exactSpill = wantDuplicates ? new PartitionedSpill(this.#scratch, "exact", 4) : undefined;
    if (exactSpill) this.#closers.push(() => exactSpill.close());
    const bandSpill = wantDuplicates && duplicates.near && banding ? new PartitionedSpill(this.#scratch, "bands", 6) : undefined;
    if (bandSpill) this.#closers.push(() => bandSpill.close());

    const redacted = options.redactTo ? await RedactedCopy.open(resolve(cwd, options.redactTo), piiKinds) : undefined;

    const schemaViolations = new Listing<Violation>(listed);
    const schemaByKind: Record<string, number> = {};
    const requiredViolations = new Listing<Violation>(listed);
    const labelViolations = new Listing<Violation>(listed);
    const piiFindings = new Listing<PiiFinding>(listed);
    const piiByKind: Partial<Record<PiiKind, number>> = {};
    let piiRows = 0;
    const words = new LengthHistogram();
    const chars = new LengthHistogram();
    const labelField = config.labels?.field ?? config.distributions.label;
    const labelSegments = labelField ? parseFieldPath(labelField) : undefined;
    const labels = new LabelCounter();
    // Without a label field, `expected` is counted while it looks like one (few short scalar values).
    const autoLabels = new LabelCounter();
    let autoLabelsOk = labelSegments === undefined;
    const allowed = config.labels ? new Set(config.labels.values) : undefined;
    const requiredFields =
      config.required?.severity !== "off" ? config.required?.fields.map((f) => ({ f, segments: parseFieldPath(f) })) : undefined;

    // No signatures (0 permutations) when nothing compares them: MinHash is most of the text work.
    const features = new TextFeatures({
      shingle: duplicates.shingle,
      ngram: checkAgainst ? contamination.ngram : 0,
      permutations: wantNear ? permutations : 0,
    });
    const packed = new Uint16Array(permutations);
    const otherSignature = new Uint16Array(permutations);
    const keys = new Int32Array(banding?.bands ?? 0);
    const hashWords = new Uint32Array(4);
    const identity = new Hash128();
    let rows = 0;
    let cases = 0;
    const checkedFiles: CheckResult["files"] = [];

    const onNgram = (hi: number, lo: number) => {
      for (const state of against) {
        const match = state.index.ngrams.get(hi, lo);
        if (match >= 0) {
          state.overlap++;
          if (state.firstMatch < 0) state.firstMatch = match;
        }
      }
      ngramsOfCase++;
    };
    let ngramsOfCase = 0;

    const violation = (
      listing: Listing<Violation>,
      file: CaseFile,
      line: number,
      kind: string,
      message: string,
      id?: string,
      field?: string,
    ) => {
      listing.add(() => ({
        file: shown(file.title, 1024),
        line,
        ...(id ? { id: shown(id, 256) } : {}),
        ...(field ? { field: shown(field, 512) } : {}),
        kind,
        message: shown(message, 1000),
      }));
    };

    // PII: one walker for the run; the row being scanned is in these variables while it walks.
    let piiFile: CaseFile = files[0]!;
    let piiLine = 0;
    let piiId: string | undefined;
    let piiFound = 0;
    const recordPii = (text: string, field: () => string) => {
      for (const match of findPii(text, piiKinds)) {
        piiFound++;
        piiByKind[match.kind] = (piiByKind[match.kind] ?? 0) + 1;
        piiFindings.add(() => ({
          file: shown(piiFile.title, 1024),
          line: piiLine,
          ...(piiId ? { id: shown(piiId, 256) } : {}),
          field: shown(field() || "(row)", 512),
          kind: match.kind,
          masked: maskPii(match.kind, text.slice(match.start, match.end)).slice(0, 128),
        }));
      }
    };
    const piiWalker = new StringWalker((text) => recordPii(text, walkerPath));
    const walkerPath = () => piiWalker.path();
    const linePath = () => "(line)";
    const scanStringsForPii = (file: CaseFile, line: number, id: string | undefined, value: unknown, rawText: string | undefined) => {
      piiFile = file;
      piiLine = line;
      piiId = id;
      piiFound = 0;
      if (value !== undefined) piiWalker.walk(value, "", true);
      else if (rawText !== undefined) recordPii(rawText, linePath);
      if (piiFound > 0) piiRows++;
    };

    // Texts: each field hashed with its path and added lane-wise into the case's identity, so
    // field order does not matter; shingles, n-grams and lengths through `features`.
    const fieldHash = new Hash128();
    const fieldDigest = new Uint32Array(4);
    let textCount = 0;
    const addText = (text: string, root: string, trail: readonly (string | number)[]) => {
      textCount++;
      fieldHash.reset();
      fieldHash.string(root);
      // Array indices as negative numbers: no string length (≥ 0) can stand for one.
      for (const step of trail) typeof step === "number" ? fieldHash.number(-1 - step) : fieldHash.string(step);
      fieldHash.string(text).digest(fieldDigest);
      for (let i = 0; i < 4; i++) hashWords[i] = (hashWords[i]! + fieldDigest[i]!) >>> 0;
      features.addText(text, checkAgainst ? onNgram : undefined);
    };
    const NO_TRAIL: readonly (string | number)[] = [];
    const textWalker = new StringWalker((text, walker) => addText(text, walker.root, walker.trail));
    const addScalar = (text: string, path: string) => addText(text, path, NO_TRAIL);

    try {
      for (let f = 0; f < files.length; f++) {
        const file = files[f]!;
        let fileRows = 0;
        if (redacted && file.format === "jsonl") await redacted.beginJsonl(file.title);
        try {
          await readRows(
            file.path,
            file.title,
            file.format,
            {
              maxLineBytes: config.maxLineBytes,
              ...(options.signal ? { signal: options.signal } : {}),
              ...(redacted ? { afterChunk: () => redacted.drain() } : {}),
            },
            (row: DatasetRow) => {
              const tooDeep = row.value !== undefined && nestingDepth(row.value) > MAX_NESTING;
              if (redacted && file.format === "jsonl") {
                redacted.line({
                  value: tooDeep ? undefined : row.value,
                  text: row.text,
                  blank: row.blank,
                  unsafe: tooDeep || row.text === undefined,
                });
              }
              if (row.blank) return;
              rows++;
              fileRows++;
              if (rows % 250_000 === 0) logger.debug(`check: ${subject.ref}: ${rows} rows`);
              for (const problem of row.problems) {
                schemaByKind[problem.kind] = (schemaByKind[problem.kind] ?? 0) + 1;
                violation(schemaViolations, file, row.line, problem.kind, problem.message);
              }
              if (tooDeep) {
                schemaByKind["too-deep"] = (schemaByKind["too-deep"] ?? 0) + 1;
                violation(schemaViolations, file, row.line, "too-deep", `nested deeper than ${MAX_NESTING} levels; not checked further`);
                return;
              }
              const cased = row.value === undefined ? undefined : caseViewOf(row, file.title);
              const id = cased?.view.id || undefined;
              if (scanPii) scanStringsForPii(file, row.line, id, row.value, row.text);
              if (row.value === undefined) return;
              if (!cased) {
                schemaByKind["not-an-object"] = (schemaByKind["not-an-object"] ?? 0) + 1;
                violation(schemaViolations, file, row.line, "not-an-object", "expected a case: a JSON object");
                return;
              }
              cases++;
              const view = cased.view;
              if (jsonSchema) {
                const outcome = jsonSchema.safeParse(row.value);
                if (!outcome.success) {
                  const issue = outcome.error.issues[0]!;
                  schemaByKind["json-schema"] = (schemaByKind["json-schema"] ?? 0) + 1;
                  violation(schemaViolations, file, row.line, "json-schema", issue.message, id, issue.path.map(String).join("."));
                }
              } else if (cased.error !== undefined && config.schema.severity !== "off") {
                schemaByKind.case = (schemaByKind.case ?? 0) + 1;
                violation(schemaViolations, file, row.line, "case", cased.error, id);
              }
              if (requiredFields) {
                for (const { f: field, segments } of requiredFields) {
                  if (!isPresent(resolveField(view, segments))) {
                    violation(requiredViolations, file, row.line, "missing", `expected a value for ${field}`, id, field);
                  }
                }
              }
              this.#labels(view, labelSegments, labels, allowed, (message) =>
                violation(labelViolations, file, row.line, "label", message, id, labelField),
              );
              if (autoLabelsOk) autoLabelsOk = countAutoLabel(view, autoLabels);

              // Texts: lengths, the exact hash, shingles (MinHash) and n-grams (contamination).
              hashWords.fill(0);
              textCount = 0;
              features.beginCase();
              ngramsOfCase = 0;
              for (const state of against) {
                state.overlap = 0;
                state.firstMatch = -1;
              }
              forEachCaseText(view, fields, textWalker, addScalar);
              // A case without text is identified by all its values (so only true copies are duplicates).
              if (textCount === 0) {
                identity.reset();
                identity.string(canonicalJson({ vars: view.vars, expected: view.expected ?? null })).digest(hashWords);
              }
              words.add(features.words);
              chars.add(features.chars);
              const hasSignature = wantNear && !features.minhash.empty;
              if (hasSignature) packSignature(features.minhash.signature, packed);
              // Redacted before the table cuts it to 60 bytes: a cut address would no longer be recognised.
              const index = table.append(f, row.line, shown(view.id, 60), hashWords, hasSignature ? packed : undefined);
              exactSpill?.add(hashWords[0]!, index);
              if (hasSignature && banding) {
                bandKeys(features.minhash.signature, banding, keys);
                if (bandSpill) for (let b = 0; b < keys.length; b++) bandSpill.add(keys[b]!, index);
              }
              for (const state of against)
                this.#contamination(state, file, row.line, view, ngramsOfCase, hasSignature ? keys : undefined, packed, otherSignature);
            },
          );
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          if (typeof code === "string" && !(error instanceof InputError)) {
            throw new InputError(`${subject.ref}: ${shown(file.title, 1024)} cannot be read (${code})`, { cause: error });
          }
          throw error;
        }
        if (redacted) {
          if (file.format === "jsonl") await redacted.endJsonl();
          else await redacted.wholeFile(file.title, file.path, file.format);
        }
        checkedFiles.push({ path: shown(file.title, 1024), format: file.format, bytes: file.size, rows: fileRows });
      }
      table.flush();
      if (redacted) await redacted.finish();
    } catch (error) {
      await redacted?.abort();
      throw error;
    }

    const location = (index: number, source: CaseTable, list: CaseFile[]): CaseLocation => {
      const record = source.record(index);
      return { file: shown(list[record.file]?.title ?? "?", 1024), line: record.line, ...(record.id ? { id: shown(record.id, 256) } : {}) };
    };

    const result: CheckResult = {
      schemaVersion: 1,
      dataset: subject,
      passed: true,
      reasons: [],
      startedAt,
      finishedAt: startedAt,
      files: checkedFiles.slice(0, 1000),
      skippedFiles: skipped.slice(0, 1000).map((s) => ({ path: shown(s.path, 1024), reason: s.reason })),
      rows,
      cases,
      checks: [],
      distributions: { words: words.stats(), chars: chars.stats() },
    };

    const checks: CheckEntry[] = result.checks;
    if (config.schema.severity !== "off") {
      checks.push({
        name: "schema",
        ...gate(config.schema.severity, config.schema.max, schemaViolations.count),
        kinds: schemaByKind,
        mode: jsonSchema ? "json-schema" : "case",
        ...(schemaFile ? { file: schemaFile } : {}),
        violations: schemaViolations.items,
      });
    }
    if (config.required && requiredFields) {
      checks.push({
        name: "required",
        ...gate(config.required.severity, config.required.max, requiredViolations.count),
        kinds: { missing: requiredViolations.count },
        fields: config.required.fields,
        violations: requiredViolations.items,
      });
    }
    if (config.labels && config.labels.severity !== "off") {
      checks.push({
        name: "labels",
        ...gate(config.labels.severity, config.labels.max, labelViolations.count),
        kinds: { label: labelViolations.count },
        field: config.labels.field,
        allowed: config.labels.values.map((v) => shown(v, 1000)),
        violations: labelViolations.items,
      });
    }
    if (wantDuplicates && exactSpill) {
      const found = findDuplicates({
        table,
        exactSpill,
        bandSpill,
        threshold: duplicates.threshold,
        listed,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      checks.push({
        name: "duplicates",
        ...gate(duplicates.severity, duplicates.max, found.exact + found.near),
        kinds: { exact: found.exact, near: found.near },
        exact: found.exact,
        near: found.near,
        threshold: duplicates.threshold,
        shingle: duplicates.shingle,
        permutations,
        bands: banding?.bands ?? 0,
        rows: banding?.rows ?? 0,
        comparisons: found.comparisons,
        pairs: found.pairs.map((p) => ({
          first: location(p.first, table, files),
          second: location(p.second, table, files),
          similarity: Math.round(p.similarity * 1e4) / 1e4,
          exact: p.exact,
        })),
      });
    }
    if (checkAgainst) {
      const total = against.reduce((sum, s) => sum + s.contaminated, 0);
      checks.push({
        name: "contamination",
        ...gate(contamination.severity, contamination.max, total),
        kinds: {
          ngram: against.reduce((sum, s) => sum + s.ngramCases, 0),
          near: against.reduce((sum, s) => sum + s.nearCases, 0),
        },
        against: against.map((s) => ({
          ref: s.index.source.subject.ref,
          ...(s.index.source.subject.digest ? { digest: s.index.source.subject.digest } : {}),
          cases: s.index.cases,
          ngram: contamination.ngram,
          ngramsIndexed: s.index.ngrams.size,
          contaminated: s.contaminated,
          ngramCases: s.ngramCases,
          nearCases: s.nearCases,
          findings: s.findings,
        })),
      });
    }
    if (scanPii) {
      const count = Object.values(piiByKind).reduce((sum, n) => sum + n, 0);
      checks.push({
        name: "pii",
        ...gate(config.pii.severity, config.pii.max, count),
        kinds: piiByKind,
        detectors: config.pii.kinds,
        rows: piiRows,
        locations: piiFindings.items,
        ...(redacted
          ? {
              redacted: {
                path: redacted.dest,
                files: redacted.files,
                droppedLines: redacted.droppedLines,
                droppedFiles: redacted.droppedFiles,
              },
            }
          : {}),
      });
    }

    const labelCounts = labelSegments
      ? labels
      : autoLabelsOk && autoLabels.distinct > 0 && autoLabels.distinct <= 50
        ? autoLabels
        : undefined;
    if (labelCounts) {
      const { values, other } = labelCounts.values(listed);
      result.distributions.label = { field: labelField ?? "expected", values, other, missing: labelCounts.missing };
    }

    const reasons = checks.filter((check) => !check.passed).map(failureReason);
    result.reasons = reasons;
    result.passed = reasons.length === 0;
    result.finishedAt = now().toISOString();
    logger.debug(`check: ${subject.ref}: ${rows} rows, ${cases} cases, ${result.passed ? "passed" : "failed"}`);
    return checkResultSchema.parse(result);
  }

  /** The label of a case: counted for the distribution, and checked against the allowed set. */
  #labels(
    view: CaseView,
    segments: string[] | undefined,
    counter: LabelCounter,
    allowed: Set<string> | undefined,
    report: (message: string) => void,
  ): void {
    if (!segments) return;
    const found = resolveField(view, segments);
    const raw = found.find((v) => v.value !== undefined && v.value !== null)?.value;
    const label = labelText(raw);
    counter.add(label);
    if (!allowed || this.#config.labels?.severity === "off") return;
    if (raw === undefined || raw === null) report("expected a label; the case has none");
    else if (typeof raw === "object") report("expected a label (a string, number or boolean); got an object or array");
    else if (!allowed.has(String(raw))) report(`"${label}" is not an allowed label`);
  }

  /** One case against one other version: n-gram overlap (counted by the callback) and near-duplicate candidates. */
  #contamination(
    state: AgainstState,
    file: CaseFile,
    line: number,
    view: CaseView,
    ngrams: number,
    keys: Int32Array | undefined,
    signature: Uint16Array,
    other: Uint16Array,
  ): void {
    const listed = this.#config.maxListed;
    const here = (): CaseLocation => ({ file: shown(file.title, 1024), line, ...(view.id ? { id: shown(view.id, 256) } : {}) });
    const there = (match: number): CaseLocation => {
      const record = state.index.table.record(match);
      return {
        file: shown(state.index.files[record.file]?.title ?? "?", 1024),
        line: record.line,
        ...(record.id ? { id: shown(record.id, 256) } : {}),
      };
    };
    let contaminated = false;
    if (state.overlap > 0) {
      contaminated = true;
      state.ngramCases++;
      if (state.findings.length < listed) {
        state.findings.push({ case: here(), against: there(state.firstMatch), kind: "ngram", overlap: state.overlap, ngrams });
      }
    }
    const bands = state.index.bands;
    if (keys && bands) {
      const tried = new Set<number>();
      const threshold = this.#config.duplicates.threshold;
      let best = -1;
      let bestSimilarity = 0;
      for (let b = 0; b < keys.length && best < 0 && tried.size < MAX_BUCKET_COMPARISONS; b++) {
        bands.forEach(keys[b]!, (candidate) => {
          if (tried.has(candidate)) return true;
          tried.add(candidate);
          state.index.table.signature(candidate, other);
          const s = similarity(other, 0, signature, 0, other.length);
          if (s >= threshold) {
            best = candidate;
            bestSimilarity = s;
            return false;
          }
          return tried.size < MAX_BUCKET_COMPARISONS;
        });
      }
      if (best >= 0) {
        contaminated = true;
        state.nearCases++;
        if (state.overlap === 0 && state.findings.length < listed) {
          state.findings.push({ case: here(), against: there(best), kind: "near", similarity: Math.round(bestSimilarity * 1e4) / 1e4 });
        }
      }
    }
    if (contaminated) state.contaminated++;
  }
}

/** `expected` counted as a label while every value is a short scalar; false once one is not. */
function countAutoLabel(view: CaseView, counter: LabelCounter): boolean {
  const value = view.expected;
  if (value === undefined || value === null) {
    counter.add(undefined);
    return true;
  }
  if (typeof value === "object" || String(value).length > 64) return false;
  counter.add(labelText(value));
  return counter.distinct <= 50;
}

const FINDING_NOUNS: Record<CheckEntry["name"], string> = {
  schema: "schema violations",
  required: "missing values",
  labels: "cases with a label outside the allowed set",
  duplicates: "duplicate cases",
  contamination: "cases found in the other version",
  pii: "personal data or secrets",
};

/** `pii: 3 personal data or secrets (max 0; email 2, phone 1)`: why a check failed, in one line. */
export function failureReason(check: CheckEntry): string {
  const kinds = Object.entries(check.kinds)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k} ${n}`);
  const against = check.name === "contamination" ? check.against.map((a) => `${a.ref}: ${a.contaminated}`) : [];
  const detail = [...kinds, ...against].join(", ");
  return `${check.name}: ${check.findings} ${FINDING_NOUNS[check.name]} (max ${check.max}${detail ? `; ${detail}` : ""})`;
}
