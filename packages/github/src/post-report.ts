import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Comparison, comparisonSchema, InputError, type Logger } from "@llmops/core";
import { regressions } from "@llmops/eval";
import { renderSuiteComparisonMarkdown } from "@llmops/report";
import { z } from "zod";
import { downloadRunArtifact } from "./artifacts.ts";
import type { GitHubClient } from "./octokit.ts";
import { postToGitHub, type SuiteReport } from "./pr-compare.ts";
import { findPullRequestForRun } from "./pulls.ts";
import type { StickyCommentResult } from "./sticky-comment.ts";

/** Name of the artifact the first stage uploads (the action's report directory). */
export const REPORT_ARTIFACT = "llmops-compare-report";

const reportIndexSchema = z.object({
  schemaVersion: z.literal(1),
  suites: z.array(z.object({ suite: z.string(), directory: z.string().regex(/^[A-Za-z0-9_.-]+$/) })).max(100),
});

/** What `workflow_run` events say about the run that triggered them; GitHub wrote these fields, not the PR. */
export interface TriggeringRun {
  id: number;
  event: string;
  headSha: string;
  headBranch: string;
  headOwner: string;
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
  const name = options.artifact ?? REPORT_ARTIFACT;
  const dir = await mkdtemp(path.join(tmpdir(), "llmops-report-"));
  try {
    const dest = path.join(dir, "report");
    const found = await downloadRunArtifact({ octokit, owner, repo, runId: run.id, name, dest });
    if (!found)
      return none(`workflow run ${run.id} has no artifact named ${name}: the compare step did not run or did not upload its report`);
    const index = reportIndexSchema.safeParse(JSON.parse(await readFile(path.join(dest, "report.json"), "utf8").catch(() => "null")));
    if (!index.success) throw new InputError(`artifact ${name}: report.json is missing or not a compare report`);
    const suites: SuiteReport[] = [];
    for (const entry of index.data.suites) {
      const file = path.join(dest, entry.directory, "comparison.json");
      const parsed = comparisonSchema.safeParse(JSON.parse(await readFile(file, "utf8").catch(() => "null")));
      if (!parsed.success) throw new InputError(`artifact ${name}: ${entry.directory}/comparison.json is not a comparison`);
      const comparison: Comparison = parsed.data;
      // The verdict follows the gates it lists, whatever the artifact's own verdict field says.
      comparison.verdict = comparison.gates.every((g) => g.passed) ? "pass" : "fail";
      const artifactUrl = run.htmlUrl ? `${run.htmlUrl}#artifacts` : undefined;
      const markdown = renderSuiteComparisonMarkdown(comparison, artifactUrl ? { artifactUrl } : {});
      suites.push({ suite: comparison.suite, verdict: comparison.verdict, comparison, markdown, regressions: regressions(comparison) });
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
    const posted = await postToGitHub({
      github,
      suites,
      options: { comment: options.comment, checkRun: options.checkRun, cwd: dir, logger },
      notices,
    });
    for (const notice of notices) logger.warn(notice);
    return {
      verdict: suites.every((s) => s.verdict === "pass") ? "pass" : "fail",
      pullRequest: number,
      comments: posted.comments,
      checkRuns: posted.checkRuns,
      notices,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
