import { readFile } from "node:fs/promises";
import path from "node:path";
import { type HistoryPoint, type LocatedYaml, type Logger, oneLine, runUrlFromEnv, writeFileAtomic } from "@llmops/core";
import {
  type AliasHistory,
  aliasOfRef,
  type BaselineResolvers,
  fileBaselineResolver,
  type LoadedCompareConfig,
  loadAliasHistory,
  parseBaselineSpec,
  pickBaselineRun,
  type RunResults,
  readResultsSet,
  recordingResolvers,
  reportSuites,
  runComparePipeline,
  type StoreCandidates,
  type SuiteComparison,
  type SuiteReport,
  safePathSegment,
  storeBaselineResolver,
} from "@llmops/eval";
import { commentMarker, comparisonRenderers, type GateChange } from "@llmops/report";
import type { Store } from "@llmops/store";
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
import { diffGateSettings, type GateSettings, gateSettingsFromText, readFileAtRef } from "./gate-changes.ts";
import type { GitHubClient } from "./octokit.ts";
import {
  type ArtifactUploader,
  HTML_REPORT_FILE,
  htmlReportArtifactName,
  type PublishedHtmlReport,
  publishHtmlReport,
} from "./report-artifact.ts";
import { resolveCommentAuthor, type StickyCommentResult, upsertStickyComment } from "./sticky-comment.ts";

/** For actions/compare (its inputs and tests): the HTML report's artifact name and retention input. */
export { htmlReportArtifactName, htmlReportInput, retentionDaysInput } from "./report-artifact.ts";

/**
 * actions/compare on top of @llmops/eval's compare pipeline: the pipeline compares and writes the
 * report; this adds what only GitHub has — the base branch's results as a baseline, the gate
 * settings the pull request changes — and posts the report as sticky comments and check runs.
 */

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
  /** `alias:<artifact>:<alias>` | `branch` | `file:<path>` | `none`; overrides `compare.baseline` of the config. */
  baseline?: string;
  /** `llmops.yaml`; a missing file is fine unless `configRequired`. */
  config?: string;
  configRequired?: boolean;
  /** YAML or JSON of `compare:` settings laid over the config's (gates merge by metric). */
  gates?: string;
  /** The `store` input: the candidate that beats the config's `store:` for alias baselines. */
  store?: string;
  /** Opens the store of an alias baseline (the action kit's `actionStoreOpener`); without it, alias baselines are a usage error. */
  openStore?: (candidates: StoreCandidates) => Store;
  reportDir: string;
  comment: "sticky" | "off";
  checkRun: boolean;
  cwd: string;
  logger: Logger;
  github?: GitHubTarget;
  artifactUrl?: string;
  /**
   * The interactive HTML report, `<reportDir>/report.html`: written, uploaded as an artifact on a
   * runner (ACTIONS_RUNTIME_TOKEN set) and linked from the comments and the job summary, unless
   * false (the `html-report` input): then nothing of it is written, uploaded or linked. The report
   * holds every case's input, expected value and outputs. `upload` replaces the uploader (false:
   * write only); `env` the runner's variables (default process.env) that the artifact's name and
   * URL are built from; `retentionDays` how long the artifact is kept (default the repository's
   * setting).
   */
  htmlReport?: false | { upload?: ArtifactUploader | false; env?: NodeJS.ProcessEnv; retentionDays?: number };
}

export interface PullRequestCompareResult {
  verdict: "pass" | "fail";
  suites: SuiteComparison[];
  /** Directory holding report.json, summary.md and one directory per suite. */
  reportDir: string;
  /** All suites' Markdown: the job summary. */
  summary: string;
  regressionCount: number;
  comments: StickyCommentResult[];
  checkRuns: number[];
  /** Things the user must know that did not fail the run (no baseline, fork, missing permission). */
  notices: string[];
  /** The HTML report, when it was written (with its artifact's URL when it was uploaded). */
  htmlReport?: PublishedHtmlReport;
}

const TWO_STAGE =
  "post it with the two-stage flow in examples/pr-compare/.github/workflows: fork-pr-compare.yml uploads the report here, fork-pr-post.yml (a workflow_run workflow) posts it with actions/report";

/**
 * The `branch` baseline: the results artifact of the suite from the newest successful push run
 * on the pull request's base branch, downloaded below `<reportDir>/baseline/`.
 */
export function branchBaselineResolver(github: GitHubTarget | undefined, logger: Logger): NonNullable<BaselineResolvers["branch"]> {
  return async ({ suite, reportDir }) => {
    const baseRef = github?.pullRequest?.baseRef;
    if (!github || !baseRef) {
      return { results: null, info: { source: "none", description: "the branch baseline needs a pull request on GitHub" } };
    }
    const found = await findBranchBaseline({
      octokit: github.octokit,
      owner: github.owner,
      repo: github.repo,
      branch: baseRef,
      suite,
      dest: path.join(reportDir, "baseline", safePathSegment(suite)),
      logger,
    });
    if (!found) {
      return {
        results: null,
        info: { source: "none", description: `no successful push run on ${baseRef} uploaded results of suite "${suite}"` },
      };
    }
    // The artifact is the suite's: a lone run in it is compared whatever its name, so a wrong one is an error naming both.
    const run = pickBaselineRun(await readResultsSet(found.dir), suite, true);
    if (!run)
      return { results: null, info: { source: "none", description: `artifact ${found.artifactName} has no results of suite "${suite}"` } };
    return {
      results: { summary: run.summary, cases: run.cases },
      info: { source: "branch", description: `${baseRef} at ${found.headSha.slice(0, 7)} (workflow run ${found.runId})` },
    };
  };
}

interface SourceText {
  file: string;
  text: string;
}

/** The config, then the suite's `casesFrom` file (when it is a plain file in the repository): where a case's line can be. */
async function caseSources(config: LoadedCompareConfig, suite: string): Promise<SourceText[]> {
  if (!config.doc) return [];
  const sources: SourceText[] = [{ file: config.doc.file, text: config.doc.text }];
  const from = config.suites.find((s) => s.name === suite)?.casesFrom;
  const file = typeof from === "string" ? from : from && from.dataset === undefined ? from.file : undefined;
  if (file !== undefined) {
    const resolved = path.resolve(config.dir, file);
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
 * The gate settings a same-repository pull request changes in its config, per suite (asked for
 * when the report is rendered); undefined when it cannot tell (then a notice says why). Fork pull
 * requests are judged in the second stage instead, with the base branch's gates (see
 * postReportFromRun).
 */
async function gateChangesOf(
  options: PullRequestCompareOptions,
  notices: string[],
): Promise<((suite: string) => GateChange[]) | undefined> {
  const github = options.github;
  const pr = github?.pullRequest;
  if (!github || !pr || pr.fromFork || !pr.baseSha || !options.config) return undefined;
  const absolute = path.resolve(options.cwd, options.config);
  const text = await readFile(absolute, "utf8").catch(() => undefined);
  if (text === undefined) return undefined;
  const file = path.relative(options.cwd, absolute);
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
    return undefined;
  }
  let baseSettings: GateSettings;
  try {
    baseSettings = base.found ? gateSettingsFromText(base.text, file) : { suites: new Map(), compare: undefined };
  } catch {
    notices.push(`${file} at the base commit ${pr.baseSha.slice(0, 7)} is not valid YAML, so changes to its gates are not shown`);
    return undefined;
  }
  // Read when first asked, which is after the pipeline loaded (and so validated) the same file.
  let headSettings: GateSettings | undefined;
  const bySuite = new Map<string, GateChange[]>();
  return (suite) => {
    let diff = bySuite.get(suite);
    if (!diff) {
      headSettings ??= gateSettingsFromText(text, file);
      diff = diffGateSettings(baseSettings, headSettings, suite);
      bySuite.set(suite, diff);
      if (diff.length > 0) options.logger.warn(`suite "${suite}": this pull request changes ${diff.length} gate setting(s) in ${file}`);
    }
    return diff;
  };
}

/**
 * Compares every head suite with its baseline and reports on the pull request: the compare
 * pipeline writes the report to `reportDir`; then one sticky comment and one check run per suite.
 * A fork's read-only token, or a missing permission, turns posting into a notice instead of a
 * failure.
 */
export async function runPullRequestCompare(options: PullRequestCompareOptions): Promise<PullRequestCompareResult> {
  const { logger, cwd, github } = options;
  const notices: string[] = [];
  const gateChanges = await gateChangesOf(options, notices);
  const recorded = recordingResolvers({
    file: fileBaselineResolver({ cwd }),
    ...(options.openStore
      ? {
          alias: storeBaselineResolver({
            openStore: options.openStore,
            logger,
            history: (store, query) => aliasMetricHistory({ store, ...query, logger }),
          }),
        }
      : {}),
    branch: branchBaselineResolver(github, logger),
  });
  const renderOptions = {
    ...(options.artifactUrl ? { artifactUrl: options.artifactUrl } : {}),
    ...(gateChanges ? { gateChanges } : {}),
  };
  // What each Markdown was rendered from, to render it again with the HTML report's link once that is uploaded.
  const contexts = new Map<string, { history: HistoryPoint[]; mainMetric: string | undefined }>();
  let summaryContext: { history: Record<string, HistoryPoint[]> } = { history: {} };
  const renderers = comparisonRenderers(renderOptions);
  const result = await runComparePipeline({
    head: options.results,
    ...(options.baseline?.trim() ? { baseline: parseBaselineSpec(options.baseline) } : {}),
    config: {
      ...(options.config ? { file: options.config } : {}),
      ...(options.configRequired ? { required: true } : {}),
      ...(options.gates?.trim() ? { overrides: { text: options.gates, name: "gates input" } } : {}),
    },
    ...(options.store ? { store: options.store } : {}),
    resolvers: recorded.resolvers,
    renderers: {
      suite(comparison, context) {
        contexts.set(comparison.suite, context);
        return renderers.suite(comparison, context);
      },
      summary(comparisons, context) {
        summaryContext = context;
        return renderers.summary(comparisons, context);
      },
    },
    out: options.reportDir,
    cwd,
    logger,
    noBaselineGiven: "no baseline configured (the baseline input or compare.baseline in llmops.yaml)",
    ...(github ? { subject: { sha: github.sha, ...(github.pullRequest ? { pullRequest: github.pullRequest.number } : {}) } } : {}),
  });
  let htmlReport: PublishedHtmlReport | undefined;
  if (options.htmlReport !== false) {
    const settings = options.htmlReport ?? {};
    const env = settings.env ?? process.env;
    const history = await compareHistory(recorded.alias, options, logger);
    const runUrl = github?.runUrl ?? runUrlFromEnv(env);
    htmlReport = await publishHtmlReport({
      input: {
        suites: reportSuites(result, recorded.baselines),
        ...(history ? { history } : {}),
        ...(runUrl ? { runUrl } : {}),
      },
      file: path.join(result.reportDir, HTML_REPORT_FILE),
      name: htmlReportArtifactName(
        "compare",
        result.suites.map((s) => s.suite),
        env,
      ),
      env,
      logger,
      ...(settings.upload !== undefined ? { upload: settings.upload } : {}),
      ...(settings.retentionDays !== undefined ? { retentionDays: settings.retentionDays } : {}),
    });
    if (htmlReport?.url) {
      const linked = comparisonRenderers({ ...renderOptions, htmlReportUrl: htmlReport.url });
      for (const suite of result.suites) {
        suite.markdown = linked.suite(suite.comparison, contexts.get(suite.suite) ?? { history: [], mainMetric: undefined });
        await writeFileAtomic(suite.markdownPath, suite.markdown);
      }
      result.summary = linked.summary(
        result.suites.map((s) => s.comparison),
        summaryContext,
      );
      await writeFileAtomic(result.summaryPath, result.summary);
    }
  }
  // The pipeline's notices were logged when they arose; the ones gathered here are logged below.
  const own = notices.length;
  notices.push(...result.notices);
  const comments: StickyCommentResult[] = [];
  const checkRuns: number[] = [];
  const posting: string[] = [];
  const pr = github?.pullRequest;
  if (github && pr?.fromFork && (options.comment === "sticky" || options.checkRun)) {
    posting.push(`pull request #${pr.number} comes from a fork, whose token is read-only: not posting; ${TWO_STAGE}`);
  } else if (github) {
    const posted = await postToGitHub({ github, suites: result.suites, options, config: result.config, notices: posting });
    comments.push(...posted.comments);
    checkRuns.push(...posted.checkRuns);
  }
  notices.push(...posting);
  for (const notice of [...notices.slice(0, own), ...posting]) logger.warn(notice);
  return {
    verdict: result.verdict,
    suites: result.suites,
    reportDir: result.reportDir,
    summary: result.summary,
    regressionCount: result.regressionCount,
    comments,
    checkRuns,
    notices,
    ...(htmlReport ? { htmlReport } : {}),
  };
}

/** The history of the alias the baseline came from, for the HTML report; undefined (and a warning) when it cannot be read. */
async function compareHistory(
  alias: { ref: string; store: StoreCandidates } | undefined,
  options: Pick<PullRequestCompareOptions, "openStore">,
  logger: Logger,
): Promise<AliasHistory | undefined> {
  const named = alias ? aliasOfRef(alias.ref) : undefined;
  if (!alias || !named || !options.openStore) return undefined;
  try {
    return await loadAliasHistory({ store: options.openStore(alias.store), ...named, maxVersions: 20, logger });
  } catch (error) {
    logger.warn(`the HTML report has no history of ${alias.ref}: ${oneLine(error)}`);
    return undefined;
  }
}

/** Posts comments and check runs for already computed reports: the second stage of the fork-safe flow uses this too. */
export async function postToGitHub(args: {
  github: GitHubTarget;
  /** With the head run, failing cases are annotated on the lines of the config (or cases file) that define them. */
  suites: (SuiteReport & { head?: RunResults })[];
  options: Pick<PullRequestCompareOptions, "comment" | "checkRun" | "cwd" | "logger">;
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
          const sources = args.config ? await caseSources(args.config, report.suite) : [];
          const annotations = report.head ? annotationsFor(report, report.head, sources, args.config?.doc, options.cwd) : [];
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
