import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  COMPARE_REPORT_FILE,
  COMPARISON_FILE,
  type Comparison,
  compareReportSchema,
  comparisonSchema,
  InputError,
  type LlmopsConfig,
  type Logger,
  loadConfig,
} from "@llmops/core";
import { regressions, type SuiteReport } from "@llmops/eval";
import { renderSuiteComparisonMarkdown } from "@llmops/report";
import { type ArtifactLimits, downloadRunArtifact } from "./artifacts.ts";
import type { GitHubClient } from "./octokit.ts";
import { postToGitHub } from "./pr-compare.ts";
import { findPullRequestForRun } from "./pulls.ts";
import type { StickyCommentResult } from "./sticky-comment.ts";
import { judgeWithTrustedGates } from "./trusted-gates.ts";

/** Name of the artifact the first stage uploads (the action's report directory). */
export const REPORT_ARTIFACT = "llmops-compare-report";

/** One comment and one check run per suite: a report listing more is refused rather than flooding the pull request. */
const MAX_REPORT_SUITES = 100;

/**
 * A compare report is a few JSON files; the first stage's report directory may also hold the
 * baseline's results, which are not read here and so not extracted.
 */
export const REPORT_ARTIFACT_LIMITS: Partial<ArtifactLimits> = {
  maxZipBytes: 32 * 1024 * 1024,
  maxEntryBytes: 64 * 1024 * 1024,
  maxTotalBytes: 256 * 1024 * 1024,
  maxEntries: 10_000,
};

/** The entries read: the index and each suite's comparison (the Markdown and any baseline results are not). */
function isReportEntry(entry: string): boolean {
  const parts = entry.split("/");
  return parts.length === 1
    ? entry === COMPARE_REPORT_FILE
    : parts.length === 2 && /^[A-Za-z0-9_.-]+$/.test(parts[0] as string) && parts[1] === COMPARISON_FILE;
}

/** What `workflow_run` events say about the run that triggered them; GitHub wrote these fields, not the PR. */
export interface TriggeringRun {
  id: number;
  event: string;
  headSha: string;
  headBranch: string;
  headOwner: string;
  /** `owner/name` of the repository the run's code came from; absent (a deleted fork) counts as a fork. */
  headRepo?: string;
  htmlUrl?: string;
}

export interface PostReportResult {
  verdict: "pass" | "fail" | "none";
  pullRequest: number | undefined;
  comments: StickyCommentResult[];
  checkRuns: number[];
  notices: string[];
}

/**
 * The second stage of the fork-safe flow, run by a `workflow_run` workflow that has write
 * permission but never checks out or runs the pull request's code. The artifact was written by
 * that code, so it is treated as data: comparisons are schema-checked and re-rendered here, and
 * the pull request is found from the event's own fields rather than from the artifact.
 */
export async function postReportFromRun(options: {
  octokit: GitHubClient;
  owner: string;
  repo: string;
  run: TriggeringRun;
  artifact?: string;
  comment: "sticky" | "off";
  checkRun: boolean;
  /**
   * `llmops.yaml` from a checkout of this repository's default branch — never the pull request's
   * code. With it, every run's numbers (a fork's or a branch's) are judged by this repository's
   * gates, and a check those gates cannot all judge concludes `neutral`; without it, check runs
   * for fork pull requests conclude `neutral` and a branch's follow the gates its run applied.
   */
  config?: string;
  cwd?: string;
  logger: Logger;
}): Promise<PostReportResult> {
  const { octokit, owner, repo, run, logger } = options;
  const notices: string[] = [];
  const none = (notice: string): PostReportResult => {
    notices.push(notice);
    logger.warn(notice);
    return { verdict: "none", pullRequest: undefined, comments: [], checkRuns: [], notices };
  };
  if (run.event !== "pull_request" && run.event !== "pull_request_target")
    return none(`workflow run ${run.id} was triggered by ${run.event}, not a pull request: nothing to post`);
  if (!run.headOwner) return none(`workflow run ${run.id} has no head repository (a deleted fork?): no pull request to post to`);
  const name = options.artifact ?? REPORT_ARTIFACT;
  const dir = await mkdtemp(path.join(tmpdir(), "llmops-report-"));
  try {
    const dest = path.join(dir, "report");
    const found = await downloadRunArtifact({
      octokit,
      owner,
      repo,
      runId: run.id,
      name,
      dest,
      limits: REPORT_ARTIFACT_LIMITS,
      include: isReportEntry,
    });
    if (!found)
      return none(`workflow run ${run.id} has no artifact named ${name}: the compare step did not run or did not upload its report`);
    const index = compareReportSchema.safeParse(await readJson(path.join(dest, COMPARE_REPORT_FILE)));
    if (!index.success || index.data.suites.length > MAX_REPORT_SUITES)
      throw new InputError(`artifact ${name}: ${COMPARE_REPORT_FILE} is missing or not a compare report`);
    const fromFork = !run.headRepo || run.headRepo.toLowerCase() !== `${owner}/${repo}`.toLowerCase();
    // With `config:`, every run is judged by the default branch's gates, a branch's as much as a
    // fork's: the run used the pull request's llmops.yaml, which may have loosened its gates.
    const trusted = options.config ? await trustedConfig(options) : undefined;
    const suites: SuiteReport[] = [];
    const unjudged = new Set<SuiteReport>();
    for (const entry of index.data.suites) {
      const parsed = comparisonSchema.safeParse(await readJson(path.join(dest, entry.directory, COMPARISON_FILE)));
      if (!parsed.success) throw new InputError(`artifact ${name}: ${entry.directory}/${COMPARISON_FILE} is not a comparison`);
      const comparison: Comparison = parsed.data;
      let provenance: string | undefined;
      // A report counts only when this repository's gates could judge it; without `config:`, a
      // branch's report keeps the gates its own run applied.
      let judged = !fromFork && !options.config;
      if (!judged) {
        const fork = `a pull request from a fork (${run.headRepo ?? `${run.headOwner}'s fork`})`;
        const numbers = fromFork
          ? `These numbers come from the run of ${fork}, which ran the fork's code`
          : "These numbers come from the run of this pull request, which ran its code";
        const judgement = trusted ? judgeWithTrustedGates(comparison, trusted) : undefined;
        // A gate that could be evaluated and fails decides the check, whatever the others would say.
        const failing = judgement?.gates.some((g) => !g.passed) ?? false;
        if (judgement && (judgement.unchecked.length === 0 || failing)) {
          comparison.gates = judgement.gates;
          judged = true;
          const partly =
            judgement.unchecked.length > 0
              ? ` Some could not be checked from its report (${judgement.unchecked.join("; ")}), but one that could fails.`
              : "";
          provenance = `${numbers} and could have changed them; the gates applied are this repository's llmops.yaml on the default branch${fromFork ? "" : ", not the pull request's"}.${partly}`;
        } else if (judgement) {
          provenance = `${numbers}; this repository's gates could not all be checked from its report (${judgement.unchecked.join("; ")}), so this check is neutral.`;
        } else if (fromFork) {
          provenance = `These numbers and gates come from the run of ${fork}, which ran the fork's code and config and could have changed both; this check is neutral and gates nothing.`;
        } else {
          provenance = `${numbers} and config; this repository's llmops.yaml (${options.config}) was not found to judge it by, so this check is neutral and gates nothing.`;
        }
      }
      // The verdict follows the gates it lists, whatever the artifact's own verdict field says.
      comparison.verdict = comparison.gates.every((g) => g.passed) ? "pass" : "fail";
      const artifactUrl = run.htmlUrl ? `${run.htmlUrl}#artifacts` : undefined;
      const markdown = renderSuiteComparisonMarkdown(comparison, {
        ...(artifactUrl ? { artifactUrl } : {}),
        ...(provenance ? { provenance } : {}),
      });
      const report: SuiteReport = {
        suite: comparison.suite,
        verdict: comparison.verdict,
        comparison,
        markdown,
        regressions: regressions(comparison),
      };
      suites.push(report);
      if (!judged) unjudged.add(report);
    }
    const number = await findPullRequestForRun({
      octokit,
      owner,
      repo,
      headOwner: run.headOwner,
      headBranch: run.headBranch,
      headSha: run.headSha,
    });
    if (number === undefined)
      return none(`no open pull request has head ${run.headOwner}:${run.headBranch} at ${run.headSha.slice(0, 7)}: nothing to post`);
    const github = {
      octokit,
      owner,
      repo,
      sha: run.headSha,
      pullRequest: { number, baseRef: "", fromFork: false },
      ...(run.htmlUrl ? { runUrl: run.htmlUrl } : {}),
    };
    if (unjudged.size > 0)
      notices.push(
        `${fromFork ? "the pull request comes from a fork and its" : "the pull request's"} report of ${[...unjudged].map((s) => `"${s.suite}"`).join(", ")} could not be judged by this repository's gates: those check runs conclude neutral`,
      );
    const posted = await postToGitHub({
      github,
      suites,
      options: { comment: options.comment, checkRun: options.checkRun, cwd: dir, logger },
      notices,
      override: (report) =>
        unjudged.has(report)
          ? { conclusion: "neutral", title: fromFork ? "reported by a fork's run, not gating" : "not judged by this repository's gates" }
          : undefined,
    });
    for (const notice of notices) logger.warn(notice);
    return {
      verdict: unjudged.size > 0 ? "none" : suites.every((s) => s.verdict === "pass") ? "pass" : "fail",
      pullRequest: number,
      comments: posted.comments,
      checkRuns: posted.checkRuns,
      notices,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** This repository's own config, when the workflow gave one from a trusted checkout; a missing file means none. */
async function trustedConfig(options: { config?: string; cwd?: string; logger: Logger }): Promise<LlmopsConfig | undefined> {
  if (!options.config) return undefined;
  const file = path.resolve(options.cwd ?? process.cwd(), options.config);
  if (!existsSync(file)) {
    options.logger.warn(`${options.config} not found: the report cannot be judged by this repository's gates`);
    return undefined;
  }
  return (await loadConfig(file)).config;
}

/** A JSON file of the artifact, or null when it is missing or not JSON (the schema check then refuses it). */
async function readJson(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, "utf8"));
  } catch {
    return null;
  }
}
