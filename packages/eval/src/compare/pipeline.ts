import { existsSync } from "node:fs";
import path from "node:path";
import {
  COMPARE_REPORT_FILE,
  COMPARE_SUMMARY_FILE,
  COMPARISON_COMMENT_FILE,
  COMPARISON_FILE,
  type CompareConfig,
  type CompareReport,
  type Comparison,
  compareReportSchema,
  compareSchema,
  type HistoryPoint,
  type LocatedYaml,
  type Logger,
  loadConfig,
  parseLocatedYaml,
  type SuiteConfig,
  UsageError,
  validateLocated,
  writeFileAtomic,
} from "@llmops/core";
import { safePathSegment } from "../results/output-dir.ts";
import { readResultsSet } from "./baseline.ts";
import { compareRuns, type RunResults, regressions } from "./compare.ts";
import { suiteCorpusStatistics } from "./corpus.ts";
import type { BaselineRequest, BaselineResolvers, BaselineSpec, ResolvedBaseline, StoreCandidates } from "./resolvers.ts";

/**
 * The one compare pipeline behind `llmops compare` and actions/compare: load the config and its
 * overrides, resolve each head suite's baseline through the injected resolvers, compare, and
 * write the report directory (see COMPARE_REPORT_FILE in @llmops/core for its layout). The
 * callers only translate flags or inputs, and print or post the result.
 */

export interface CompareConfigLocation {
  /** `llmops.yaml`, relative to `cwd`; a missing file means defaults unless `required`. */
  file?: string;
  required?: boolean;
  /** YAML or JSON of `compare:` settings laid over the config's (gates merge by metric); `name` labels its errors. */
  overrides?: { text: string; name: string };
}

export interface LoadedCompareConfig {
  compare: CompareConfig | undefined;
  store: string | undefined;
  suites: SuiteConfig[];
  /** Where the config's relative paths start: its directory, else `cwd`. */
  dir: string;
  /** The config's document (file, text, locations), when there is a file: case and suite lines are found in it. */
  doc: LocatedYaml | undefined;
}

/** The `compare:` section and what compare needs besides (store, suites' scorers), with overrides applied. */
export async function loadCompareConfig(options: CompareConfigLocation & { cwd: string }): Promise<LoadedCompareConfig> {
  const loaded: LoadedCompareConfig = { compare: undefined, store: undefined, suites: [], dir: options.cwd, doc: undefined };
  if (options.file) {
    const file = path.resolve(options.cwd, options.file);
    if (existsSync(file) || options.required) {
      const { config, doc, dir } = await loadConfig(file);
      loaded.compare = config.compare;
      loaded.store = config.store;
      loaded.suites = config.suites;
      loaded.dir = dir;
      loaded.doc = doc;
    }
  }
  if (options.overrides?.text.trim()) {
    const overrides = validateLocated(parseLocatedYaml(options.overrides.text, options.overrides.name), compareSchema);
    const compare = loaded.compare;
    loaded.compare = { ...compare, ...overrides, gates: { ...compare?.gates, ...overrides.gates } };
  }
  return loaded;
}

/** The Markdown of the report; it comes from @llmops/report, above eval in the layering, so the caller passes it in. */
export interface ComparisonRenderers {
  /** One suite: `<directory>/comment.md`, its sticky comment and check run summary. */
  suite(comparison: Comparison, context: { history: HistoryPoint[]; mainMetric: string | undefined }): string;
  /** Every suite: `summary.md`, the job summary. */
  summary(comparisons: Comparison[], context: { history: Record<string, HistoryPoint[]> }): string;
}

export interface ComparePipelineOptions {
  /** Head results: a suite's results directory, a parent of several, or a `summary.json`. */
  head: string;
  /** Overrides the config's `compare.baseline`; a `file` path is relative to `cwd` (the config's, to its directory). */
  baseline?: BaselineSpec;
  config?: CompareConfigLocation;
  /** Store for `alias` baselines (`--store`, the `store` input); the alias resolver weighs it against the config's `store:`. */
  store?: string;
  resolvers: BaselineResolvers;
  renderers: ComparisonRenderers;
  /** The report directory. */
  out: string;
  cwd: string;
  logger: Logger;
  /** What a head-only report says when neither the options nor the config name a baseline (which flags or inputs could). */
  noBaselineGiven?: string;
  /** Recorded in report.json: the commit and pull request the report is about. */
  subject?: { sha?: string; pullRequest?: number };
}

/** One suite's comparison as posted: what a comment, a check run and the fork flow's second stage need. */
export interface SuiteReport {
  suite: string;
  verdict: "pass" | "fail";
  comparison: Comparison;
  /** The suite's Markdown (`comment.md`). */
  markdown: string;
  regressions: { metrics: string[]; gates: string[] };
}

export interface SuiteComparison extends SuiteReport {
  /** The head run compared (its failing cases become check run annotations). */
  head: RunResults;
  /** The suite's directory below the report directory. */
  directory: string;
  comparisonPath: string;
  markdownPath: string;
}

export interface ComparePipelineResult {
  verdict: "pass" | "fail";
  suites: SuiteComparison[];
  reportDir: string;
  reportPath: string;
  summaryPath: string;
  /** Every suite's Markdown (`summary.md`). */
  summary: string;
  /** Metrics with a significant regression, over all suites. */
  regressionCount: number;
  /** What did not fail the run but must be said (a head-only report); the logger has heard it already. */
  notices: string[];
  config: LoadedCompareConfig;
}

type Target =
  | { kind: "none"; description: string }
  | { kind: "file"; location: string }
  | { kind: "alias"; ref: string }
  | { kind: "branch" };

function chooseBaseline(options: ComparePipelineOptions, config: LoadedCompareConfig): Target {
  const explicit = options.baseline;
  if (explicit) {
    if (explicit.kind === "file") return { kind: "file", location: path.resolve(options.cwd, explicit.path) };
    if (explicit.kind === "none") return { kind: "none", description: "no baseline (none was asked for)" };
    return explicit;
  }
  const source = config.compare?.baseline;
  if (!source) return { kind: "none", description: options.noBaselineGiven ?? "no baseline configured" };
  if ("alias" in source) return { kind: "alias", ref: `${source.artifact}:${source.alias}` };
  if ("branch" in source) return { kind: "branch" };
  return { kind: "file", location: path.resolve(config.dir, source.file) };
}

function missingResolver(kind: "file" | "alias" | "branch"): UsageError {
  if (kind === "branch") {
    return new UsageError(
      "baseline branch: the base branch's results are downloaded by actions/compare; here, give those results as a results directory",
    );
  }
  return new UsageError(`baseline ${kind}: cannot be resolved here`);
}

async function resolveBaseline(
  target: Target,
  request: BaselineRequest,
  resolvers: BaselineResolvers,
  store: StoreCandidates,
): Promise<ResolvedBaseline> {
  switch (target.kind) {
    case "none":
      return { results: null, info: { source: "none", description: target.description } };
    case "file": {
      if (!resolvers.file) throw missingResolver("file");
      return resolvers.file(target.location, request);
    }
    case "alias": {
      if (!resolvers.alias) throw missingResolver("alias");
      return resolvers.alias({ ref: target.ref, store }, request);
    }
    case "branch": {
      if (!resolvers.branch) throw missingResolver("branch");
      return resolvers.branch(request);
    }
  }
}

/** One directory per suite, one path segment each, distinct even on a case-insensitive file system. */
function suiteDirectories(suites: readonly string[]): string[] {
  const taken = new Set<string>();
  return suites.map((suite) => {
    const base = safePathSegment(suite);
    let name = base;
    for (let n = 2; taken.has(name.toLowerCase()); n++) name = `${base}-${n}`;
    taken.add(name.toLowerCase());
    return name;
  });
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/**
 * Compares every head suite with its baseline and writes the report directory. Throws a
 * UsageError for a baseline kind the caller gave no resolver for, an InputError for unreadable
 * or mismatched results; a missing baseline is not an error but a head-only report and a notice.
 */
export async function runComparePipeline(options: ComparePipelineOptions): Promise<ComparePipelineResult> {
  const { cwd, logger } = options;
  const config = await loadCompareConfig({ ...options.config, cwd });
  const target = chooseBaseline(options, config);
  // Before any reading: a baseline this caller cannot resolve is a usage error, whatever the results.
  if (target.kind !== "none" && !options.resolvers[target.kind]) throw missingResolver(target.kind);
  const store: StoreCandidates = { input: options.store, config: config.store };
  const heads = await readResultsSet(path.resolve(cwd, options.head));
  const reportDir = path.resolve(cwd, options.out);
  const notices: string[] = [];

  const compared: { head: RunResults; comparison: Comparison; history: HistoryPoint[]; mainMetric: string | undefined }[] = [];
  for (const run of heads) {
    const head: RunResults = { summary: run.summary, cases: run.cases };
    const suite = head.summary.suite;
    const mainMetric = head.summary.metrics[0]?.name;
    const baseline = await resolveBaseline(
      target,
      { suite, mainMetric, onlyHead: heads.length === 1, reportDir },
      options.resolvers,
      store,
    );
    if (baseline.results === null) notices.push(`suite "${suite}": no baseline (${baseline.info.description}); this is a head-only report`);
    const corpus = baseline.results ? suiteCorpusStatistics(head.summary, config.suites, config.dir) : undefined;
    const comparison = compareRuns({
      head,
      baseline: baseline.results,
      baselineInfo: baseline.info,
      logger,
      ...(config.compare ? { config: config.compare } : {}),
      ...(corpus ? { corpus } : {}),
    });
    compared.push({ head, comparison, history: baseline.history ?? [], mainMetric });
  }

  const directories = suiteDirectories(compared.map((c) => c.comparison.suite));
  const suites: SuiteComparison[] = [];
  for (const [i, { head, comparison, history, mainMetric }] of compared.entries()) {
    const directory = directories[i] as string;
    const markdown = options.renderers.suite(comparison, { history, mainMetric });
    const comparisonPath = path.join(reportDir, directory, COMPARISON_FILE);
    const markdownPath = path.join(reportDir, directory, COMPARISON_COMMENT_FILE);
    await writeFileAtomic(comparisonPath, json(comparison));
    await writeFileAtomic(markdownPath, markdown);
    const suite = comparison.suite;
    suites.push({
      suite,
      verdict: comparison.verdict,
      comparison,
      markdown,
      regressions: regressions(comparison),
      head,
      directory,
      comparisonPath,
      markdownPath,
    });
  }
  const history = Object.fromEntries(compared.filter((c) => c.history.length > 0).map((c) => [c.comparison.suite, c.history]));
  const summary = options.renderers.summary(
    suites.map((s) => s.comparison),
    { history },
  );
  const summaryPath = path.join(reportDir, COMPARE_SUMMARY_FILE);
  await writeFileAtomic(summaryPath, summary);

  const verdict = suites.every((s) => s.verdict === "pass") ? "pass" : "fail";
  const report: CompareReport = {
    schemaVersion: 1,
    verdict,
    ...(options.subject?.sha ? { sha: options.subject.sha } : {}),
    ...(options.subject?.pullRequest !== undefined ? { pullRequest: options.subject.pullRequest } : {}),
    suites: suites.map((s) => ({ suite: s.suite, directory: s.directory, verdict: s.verdict, regressions: s.regressions })),
  };
  // Last, once the files it lists are written, and through the schema its readers use.
  const reportPath = path.join(reportDir, COMPARE_REPORT_FILE);
  await writeFileAtomic(reportPath, json(compareReportSchema.parse(report)));

  return {
    verdict,
    suites,
    reportDir,
    reportPath,
    summaryPath,
    summary,
    regressionCount: suites.reduce((n, s) => n + s.regressions.metrics.length, 0),
    notices,
    config,
  };
}
