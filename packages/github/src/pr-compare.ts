import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import {
  type BaselineSource,
  type CompareConfig,
  type Comparison,
  compareSchema,
  InputError,
  type LlmopsConfig,
  type LocatedYaml,
  type Logger,
  loadConfig,
  parseLocatedYaml,
  validateLocated,
  writeFileAtomic,
} from "@llmops/core";
import {
  type BaselineInfo,
  compareRuns,
  loadBaselineFromStore,
  type RunResults,
  readResultsSet,
  regressions,
  suiteCorpusStatistics,
} from "@llmops/eval";
import {
  type ComparisonMarkdownOptions,
  commentMarker,
  type GateChange,
  type HistoryPoint,
  renderComparisonMarkdown,
  renderSuiteComparisonMarkdown,
} from "@llmops/report";
import { openStore } from "@llmops/store";
import { aliasMetricHistory } from "./alias-history.ts";
import { findBranchBaseline } from "./artifacts.ts";
import {
  type CheckAnnotation,
  type CheckConclusion,
  completeCheckRun,
  conclusionFromVerdict,
  locateCaseLines,
  withCheckRun,
} from "./check-run.ts";
import { GitHubPermissionError } from "./errors.ts";
import { diffGateSettings, gateSettingsFromText, readFileAtRef } from "./gate-changes.ts";
import type { GitHubClient } from "./octokit.ts";
import { resolveCommentAuthor, type StickyCommentResult, upsertStickyComment } from "./sticky-comment.ts";

/** Where a pull request's head results are compared from, as the action input spells it. */
export type BaselineSpec = { kind: "alias"; ref: string } | { kind: "branch" } | { kind: "file"; path: string } | { kind: "none" };

/** `alias:<artifact>:<alias>` | `branch` | `file:<path>` | `none`. */
export function parseBaselineSpec(text: string): BaselineSpec {
  const value = text.trim();
  if (value === "none") return { kind: "none" };
  if (value === "branch") return { kind: "branch" };
  if (value.startsWith("file:") && value.length > 5) return { kind: "file", path: value.slice(5) };
  const alias = /^alias:([^:\s]+):([^:\s]+)$/.exec(value);
  if (alias) return { kind: "alias", ref: `${alias[1]}:${alias[2]}` };
  throw new InputError(`baseline "${value}": expected alias:<artifact>:<alias>, branch, file:<path> or none`);
}

function fromConfig(source: BaselineSource | undefined): BaselineSpec {
  if (!source) return { kind: "none" };
  if ("alias" in source) return { kind: "alias", ref: `${source.artifact}:${source.alias}` };
  if ("branch" in source) return { kind: "branch" };
  return { kind: "file", path: source.file };
}

export interface GitHubTarget {
  octokit: GitHubClient;
  owner: string;
  repo: string;
  /** The commit the check run is attached to (the PR head). */
  sha: string;
  /** `baseSha` is the base branch's commit the pull request is compared with (the event's `pull_request.base.sha`). */
  pullRequest?: { number: number; baseRef: string; fromFork: boolean; baseSha?: string };
  runUrl?: string;
}

export interface PullRequestCompareOptions {
  /** Head results: a suite's results directory, or a parent of several. */
  results: string;
  /** Overrides `compare.baseline` of the config. */
  baseline?: string;
  /** `llmops.yaml`; a missing file is fine unless `configRequired`. */
  config?: string;
  configRequired?: boolean;
  /** YAML or JSON of `compare:` settings laid over the config's (gates merge by metric). */
  gates?: string;
  store?: string;
  storeAuth?: { username: string; password: string } | { token: string };
  reportDir: string;
  comment: "sticky" | "off";
  checkRun: boolean;
  cwd: string;
  logger: Logger;
  github?: GitHubTarget;
  artifactUrl?: string;
  /** Main-metric values of recent baselines per suite, oldest first, for the trend chart. */
  history?: Record<string, HistoryPoint[]>;
}

export interface SuiteReport {
  suite: string;
  verdict: "pass" | "fail";
  comparison: Comparison;
  markdown: string;
  regressions: { metrics: string[]; gates: string[] };
}

export interface PullRequestCompareResult {
  verdict: "pass" | "fail";
  suites: SuiteReport[];
  /** Directory holding report.json, summary.md and one directory per suite. */
  reportDir: string;
  /** All suites' Markdown: the job summary. */
  summary: string;
  regressionCount: number;
  comments: StickyCommentResult[];
  checkRuns: number[];
  /** Things the user must know that did not fail the run (no baseline, fork, missing permission). */
  notices: string[];
}

const TWO_STAGE =
  "post it with the two-stage flow (examples/pr-compare/fork-safe): upload the report here, post it from a workflow_run workflow";

export function suiteDirName(suite: string): string {
  return suite.replace(/[^A-Za-z0-9_.-]/g, "_");
}

interface LoadedCompareConfig {
  compare: CompareConfig | undefined;
  store: string | undefined;
  /** The config file, its text and parsed document, where case and suite lines are looked up for annotations. */
  source: { file: string; text: string; doc: LocatedYaml } | undefined;
  suites: LlmopsConfig["suites"];
}

async function loadCompareConfig(options: PullRequestCompareOptions): Promise<LoadedCompareConfig> {
  const loaded: LoadedCompareConfig = { compare: undefined, store: undefined, source: undefined, suites: [] };
  if (options.config) {
    const file = path.resolve(options.cwd, options.config);
    if (existsSync(file) || options.configRequired) {
      const { config, doc } = await loadConfig(file);
      loaded.compare = config.compare;
      loaded.store = config.store;
      loaded.source = { file, text: doc.text, doc };
      loaded.suites = config.suites;
    }
  }
  if (options.gates?.trim()) {
    const doc = parseLocatedYaml(options.gates, "gates input");
    const overrides = validateLocated(doc, compareSchema);
    const compare = loaded.compare;
    loaded.compare = { ...compare, ...overrides, gates: { ...compare?.gates, ...overrides.gates } };
  }
  return loaded;
}

function pickSuite(runs: (RunResults & { directory: string })[], suite: string, where: string): RunResults {
  const match = runs.find((r) => r.summary.suite === suite);
  if (match) return match;
  // A single run of another suite goes through compareRuns, whose error names both suites.
  if (runs.length === 1 && runs[0]) return runs[0];
  throw new InputError(`baseline ${where}: no results of suite "${suite}" (found ${runs.map((r) => `"${r.summary.suite}"`).join(", ")})`);
}

async function resolveBaseline(
  spec: BaselineSpec,
  suite: string,
  options: PullRequestCompareOptions,
  storeSpec: string | undefined,
  mainMetric: string | undefined,
): Promise<{ results: RunResults | null; info: BaselineInfo; history?: HistoryPoint[] }> {
  const { logger } = options;
  switch (spec.kind) {
    case "none":
      return { results: null, info: { source: "none", description: "no baseline configured" } };
    case "file": {
      const file = path.resolve(options.cwd, spec.path);
      const runs = await readResultsSet(file);
      return { results: pickSuite(runs, suite, spec.path), info: { source: "file", description: `results file ${spec.path}` } };
    }
    case "alias": {
      const store = openStore(storeSpec ?? ".llmops/store", {
        logger,
        cwd: options.cwd,
        ...(options.storeAuth ? { auth: options.storeAuth } : {}),
      });
      const loaded = await loadBaselineFromStore({ store, ref: spec.ref, suite, logger });
      const [name, alias] = spec.ref.split(":") as [string, string];
      const history = mainMetric ? await aliasMetricHistory({ store, name, alias, suite, metric: mainMetric, logger }) : [];
      return { ...loaded, history };
    }
    case "branch": {
      const github = options.github;
      const baseRef = github?.pullRequest?.baseRef;
      if (!github || !baseRef) {
        return { results: null, info: { source: "none", description: "the branch baseline needs a pull request on GitHub" } };
      }
      const dest = path.join(options.reportDir, "baseline", suiteDirName(suite));
      const found = await findBranchBaseline({
        octokit: github.octokit,
        owner: github.owner,
        repo: github.repo,
        branch: baseRef,
        suite,
        dest,
        logger,
      });
      if (!found)
        return {
          results: null,
          info: { source: "none", description: `no successful push run on ${baseRef} uploaded results of suite "${suite}"` },
        };
      const runs = await readResultsSet(found.dir);
      return {
        results: pickSuite(runs, suite, `artifact ${found.artifactName}`),
        info: { source: "branch", description: `${baseRef} at ${found.headSha.slice(0, 7)} (workflow run ${found.runId})` },
      };
    }
  }
}

interface SourceText {
  file: string;
  text: string;
}

/** The config, then the suite's `casesFrom` file (when it is a plain file in the repository): where a case's line can be. */
async function caseSources(config: LoadedCompareConfig, suite: string): Promise<SourceText[]> {
  if (!config.source) return [];
  const sources: SourceText[] = [config.source];
  const from = config.suites.find((s) => s.name === suite)?.casesFrom;
  const file = typeof from === "string" ? from : from && from.dataset === undefined ? from.file : undefined;
  if (file !== undefined) {
    const resolved = path.resolve(path.dirname(config.source.file), file);
    const text = await readFile(resolved, "utf8").catch(() => undefined);
    if (text !== undefined) sources.push({ file: resolved, text });
  }
  return sources;
}

/** Failing cases to annotate: the regressions (pass → fail), or head's failures when there is no baseline. */
function annotationsFor(
  report: SuiteReport,
  head: RunResults,
  sources: SourceText[],
  configDoc: LocatedYaml | undefined,
  cwd: string,
): CheckAnnotation[] {
  const config = sources[0];
  if (!config) return [];
  const flips = report.comparison.flips.filter((f) => f.direction === "pass-to-fail");
  const failing =
    report.comparison.baseline.source === "none"
      ? head.cases
          .filter((c) => !c.pass)
          .map((c) => ({
            id: c.id,
            message:
              c.error ??
              c.scores
                .filter((s) => !s.pass)
                .map((s) => `${s.name}${s.reason ? `: ${s.reason}` : ""}`)
                .join("; "),
          }))
      : flips.map((f) => ({
          id: f.id,
          message: `passed on the baseline, fails on this PR${f.expected !== undefined ? `; expected: ${f.expected}` : ""}`,
        }));
  const ids = failing.map((f) => f.id);
  const located = new Map<string, { file: string; line: number }>();
  for (const source of sources) {
    for (const [id, line] of locateCaseLines(source.text, ids)) if (!located.has(id)) located.set(id, { file: source.file, line });
  }
  const suiteLine = locateSuiteLine(configDoc, report.suite);
  const relative = (file: string) => path.relative(cwd, file).split(path.sep).join("/");
  const seen = new Set<string>();
  return failing
    .filter((f) => !seen.has(f.id) && seen.add(f.id))
    .map((f) => {
      const at = located.get(f.id) ?? { file: config.file, line: suiteLine };
      return {
        path: relative(at.file),
        start_line: at.line,
        end_line: at.line,
        annotation_level: "failure" as const,
        title: `${report.suite}: case ${f.id}`,
        message: f.message || "failed",
      };
    });
}

/** The line of the suite's `name:` as the YAML parser places it; line 1 when it cannot be found. */
function locateSuiteLine(doc: LocatedYaml | undefined, suite: string): number {
  const suites = (doc?.value as { suites?: unknown } | undefined)?.suites;
  const index = Array.isArray(suites) ? suites.findIndex((s) => (s as { name?: unknown } | null)?.name === suite) : -1;
  return doc && index >= 0 ? doc.locate(["suites", index, "name"]).line : 1;
}

/**
 * The gate settings a same-repository pull request changes in its config, per suite; empty when
 * nothing changed or it cannot tell (then a notice says why). Fork pull requests are judged in
 * the second stage instead, with the base branch's gates (see postReportFromRun).
 */
async function gateChangesOf(
  options: PullRequestCompareOptions,
  loaded: LoadedCompareConfig,
  suites: string[],
  notices: string[],
): Promise<Record<string, GateChange[]>> {
  const github = options.github;
  const pr = github?.pullRequest;
  if (!github || !pr || pr.fromFork || !pr.baseSha || !loaded.source) return {};
  const file = path.relative(options.cwd, loaded.source.file);
  const base = await readFileAtRef({
    octokit: github.octokit,
    owner: github.owner,
    repo: github.repo,
    path: file,
    sha: pr.baseSha,
    cwd: options.cwd,
    logger: options.logger,
  });
  if (base === undefined) {
    notices.push(`could not read ${file} at the base commit ${pr.baseSha.slice(0, 7)}, so changes to its gates are not shown`);
    return {};
  }
  let baseSettings: ReturnType<typeof gateSettingsFromText>;
  try {
    baseSettings = base.found ? gateSettingsFromText(base.text, file) : { suites: new Map(), compare: undefined };
  } catch {
    notices.push(`${file} at the base commit ${pr.baseSha.slice(0, 7)} is not valid YAML, so changes to its gates are not shown`);
    return {};
  }
  const headSettings = gateSettingsFromText(loaded.source.text, file);
  const changes: Record<string, GateChange[]> = {};
  for (const suite of suites) {
    const diff = diffGateSettings(baseSettings, headSettings, suite);
    if (diff.length > 0) {
      changes[suite] = diff;
      options.logger.warn(`suite "${suite}": this pull request changes ${diff.length} gate setting(s) in ${file}`);
    }
  }
  return changes;
}

/**
 * Compares every head suite with its baseline and reports on the pull request: Markdown and
 * JSON written to `reportDir`, one sticky comment and one check run per suite. A fork's
 * read-only token, or a missing permission, turns posting into a notice instead of a failure.
 */
export async function runPullRequestCompare(options: PullRequestCompareOptions): Promise<PullRequestCompareResult> {
  const { logger } = options;
  const notices: string[] = [];
  const loaded = await loadCompareConfig(options);
  const { compare, store } = loaded;
  const spec = options.baseline?.trim() ? parseBaselineSpec(options.baseline) : fromConfig(compare?.baseline);
  const heads = await readResultsSet(path.resolve(options.cwd, options.results));
  const reportDir = path.resolve(options.cwd, options.reportDir);
  const suites: SuiteReport[] = [];
  const renderOptions: ComparisonMarkdownOptions = {};
  if (options.artifactUrl) renderOptions.artifactUrl = options.artifactUrl;
  if (options.history) renderOptions.history = options.history;
  const gateChanges = await gateChangesOf(
    options,
    loaded,
    heads.map((h) => h.summary.suite),
    notices,
  );
  if (Object.keys(gateChanges).length > 0) renderOptions.gateChanges = gateChanges;
  const headsBySuite = new Map<string, RunResults>();
  const historyBySuite: Record<string, HistoryPoint[]> = {};
  for (const head of heads) {
    const suite = head.summary.suite;
    const mainMetric = head.summary.metrics[0]?.name;
    const baseline = await resolveBaseline(spec, suite, { ...options, reportDir }, options.store ?? store, mainMetric);
    if (baseline.results === null) notices.push(`suite "${suite}": no baseline (${baseline.info.description}); this is a head-only report`);
    const corpus =
      baseline.results && loaded.source ? suiteCorpusStatistics(head.summary, loaded.suites, path.dirname(loaded.source.file)) : undefined;
    const comparison = compareRuns({
      head,
      baseline: baseline.results,
      config: compare,
      baselineInfo: baseline.info,
      logger,
      ...(corpus ? { corpus } : {}),
    });
    const history = options.history?.[suite] ?? baseline.history;
    const suiteOptions: ComparisonMarkdownOptions = { ...renderOptions };
    if (history && history.length > 0) {
      suiteOptions.history = { [suite]: history };
      historyBySuite[suite] = history;
    }
    if (mainMetric) suiteOptions.mainMetric = mainMetric;
    const markdown = renderSuiteComparisonMarkdown(comparison, suiteOptions);
    suites.push({ suite, verdict: comparison.verdict, comparison, markdown, regressions: regressions(comparison) });
    headsBySuite.set(suite, head);
  }

  for (const report of suites) {
    const dir = path.join(reportDir, suiteDirName(report.suite));
    await writeFileAtomic(path.join(dir, "comparison.json"), `${JSON.stringify(report.comparison, null, 2)}\n`);
    await writeFileAtomic(path.join(dir, "comment.md"), report.markdown);
  }
  // The job summary takes up to 1 MiB; stay well under it in bytes, not only characters.
  const summary = renderComparisonMarkdown(
    suites.map((s) => s.comparison),
    { ...renderOptions, history: historyBySuite, maxLength: 400_000 },
  );
  const verdict = suites.every((s) => s.verdict === "pass") ? "pass" : "fail";
  const regressionCount = suites.reduce((n, s) => n + s.regressions.metrics.length, 0);
  await writeFileAtomic(path.join(reportDir, "summary.md"), summary);
  await writeFileAtomic(
    path.join(reportDir, "report.json"),
    `${JSON.stringify(
      {
        schemaVersion: 1,
        verdict,
        sha: options.github?.sha,
        pullRequest: options.github?.pullRequest?.number,
        suites: suites.map((s) => ({ suite: s.suite, verdict: s.verdict, directory: suiteDirName(s.suite), regressions: s.regressions })),
      },
      null,
      2,
    )}\n`,
  );

  const comments: StickyCommentResult[] = [];
  const checkRuns: number[] = [];
  const github = options.github;
  const pr = github?.pullRequest;
  if (github && pr?.fromFork && (options.comment === "sticky" || options.checkRun)) {
    notices.push(`pull request #${pr.number} comes from a fork, whose token is read-only: not posting; ${TWO_STAGE}`);
  } else if (github) {
    const posted = await postToGitHub({ github, suites, options, headsBySuite, config: loaded, notices });
    comments.push(...posted.comments);
    checkRuns.push(...posted.checkRuns);
  }
  for (const notice of notices) logger.warn(notice);
  return { verdict, suites, reportDir, summary, regressionCount, comments, checkRuns, notices };
}

/** Posts comments and check runs for already computed reports: the second stage of the fork-safe flow uses this too. */
export async function postToGitHub(args: {
  github: GitHubTarget;
  suites: SuiteReport[];
  options: Pick<PullRequestCompareOptions, "comment" | "checkRun" | "cwd" | "logger">;
  headsBySuite?: Map<string, RunResults>;
  config?: LoadedCompareConfig;
  notices: string[];
  /** A suite's check run concludes so, with this title after the suite, instead of following the verdict (a fork's numbers). */
  override?: (report: SuiteReport) => { conclusion: CheckConclusion; title: string } | undefined;
}): Promise<{ comments: StickyCommentResult[]; checkRuns: number[] }> {
  const { github, suites, options, notices } = args;
  const { octokit, owner, repo } = github;
  const comments: StickyCommentResult[] = [];
  const checkRuns: number[] = [];
  const pr = github.pullRequest;
  const permissionNotice = (error: GitHubPermissionError) => notices.push(`${error.message}; ${TWO_STAGE}`);
  if (options.comment === "sticky" && pr) {
    try {
      const author = await resolveCommentAuthor(octokit, options.logger);
      for (const report of suites) {
        const result = await upsertStickyComment({
          octokit,
          owner,
          repo,
          issueNumber: pr.number,
          marker: commentMarker(report.suite),
          body: report.markdown,
          runLabel: `${github.sha.slice(0, 7)}${github.runUrl ? ` · ${github.runUrl}` : ""}`,
          author,
          logger: options.logger,
        });
        options.logger.info(`${result.action} comment ${result.url}`);
        comments.push(result);
      }
    } catch (error) {
      if (!(error instanceof GitHubPermissionError)) throw error;
      permissionNotice(error);
    }
  } else if (options.comment === "sticky") {
    notices.push("not a pull request event: no comment posted (the report is in the job summary)");
  }
  if (options.checkRun) {
    try {
      for (const report of suites) {
        const create = {
          octokit,
          owner,
          repo,
          name: `llmops compare (${report.suite})`,
          headSha: github.sha,
          logger: options.logger,
          ...(github.runUrl ? { detailsUrl: github.runUrl } : {}),
        };
        const id = await withCheckRun(create, async (checkRunId) => {
          const head = args.headsBySuite?.get(report.suite);
          const sources = args.config ? await caseSources(args.config, report.suite) : [];
          const annotations = head ? annotationsFor(report, head, sources, args.config?.source?.doc, options.cwd) : [];
          const { metrics, gates } = report.regressions;
          const override = args.override?.(report);
          const title = override
            ? `${report.suite}: ${override.title}`
            : report.verdict === "pass"
              ? `${report.suite}: no regression gate failed`
              : `${report.suite}: ${[metrics.length ? `${metrics.length} significant regression(s)` : "", gates.length ? `${gates.length} gate(s) failed` : ""].filter(Boolean).join(", ")}`;
          await completeCheckRun({
            octokit,
            owner,
            repo,
            checkRunId,
            conclusion: override?.conclusion ?? conclusionFromVerdict(report.verdict),
            title,
            summary: report.markdown,
            annotations,
          });
          return checkRunId;
        });
        checkRuns.push(id);
      }
    } catch (error) {
      if (!(error instanceof GitHubPermissionError)) throw error;
      permissionNotice(error);
    }
  }
  return { comments, checkRuns };
}
