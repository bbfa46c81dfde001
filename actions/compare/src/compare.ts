/** `actions/compare`: read the inputs, run the compare pipeline and post it, write outputs and the job summary. */
import * as core from "@actions/core";
import * as github from "@actions/github";
import { COMPARE_SUMMARY_FILE, DEFAULT_CONFIG_FILE } from "@llmops/core";
import { actionInput, readActionInputs } from "@llmops/github/action-inputs";
import { type ActionContext, actionStoreOpener, failStep, storeInputs } from "@llmops/github/action-kit";
import { writeJobSummary } from "@llmops/github/job-summary";
import { createOctokit } from "@llmops/github/octokit";
import {
  type GitHubTarget,
  htmlReportInput,
  type PullRequestCompareResult,
  retentionDaysInput,
  runPullRequestCompare,
} from "@llmops/github/pr-compare";
import { z } from "zod";

export const compareInputsSchema = z.object({
  results: actionInput.required("a results directory"),
  baseline: actionInput.string(),
  config: actionInput.string(),
  gates: actionInput.string(),
  comment: z.enum(["sticky", "off"], "expected sticky or off"),
  checkRun: actionInput.boolean(),
  failOnRegression: actionInput.boolean(),
  token: actionInput.string(),
  ...storeInputs,
  reportDir: actionInput.required("a report directory"),
  htmlReport: htmlReportInput(),
  reportRetentionDays: retentionDaysInput(),
});

export type CompareInputs = z.output<typeof compareInputsSchema>;

export function readCompareInputs(getInput?: (name: string) => string): CompareInputs {
  return readActionInputs(compareInputsSchema, getInput);
}

type PullRequestPayload = {
  number: number;
  head: { sha: string; repo?: { full_name?: string } | null };
  base: { ref: string; sha?: string; repo: { full_name: string } };
};

/** Where to post: this repository, the pull request's head commit, and whether the head is a fork. */
function gitHubTarget(token: string, context: ActionContext): GitHubTarget | undefined {
  if (!token) return undefined;
  const { owner, repo } = github.context.repo;
  const pr = github.context.payload.pull_request as PullRequestPayload | undefined;
  const target: GitHubTarget = {
    octokit: createOctokit({ token, logger: context.logger }),
    owner,
    repo,
    sha: pr?.head.sha ?? github.context.sha,
    ...(context.runUrl ? { runUrl: context.runUrl } : {}),
  };
  if (pr) {
    const headRepo = pr.head.repo?.full_name;
    target.pullRequest = {
      number: pr.number,
      baseRef: pr.base.ref,
      fromFork: !headRepo || headRepo.toLowerCase() !== pr.base.repo.full_name.toLowerCase(),
      ...(pr.base.sha ? { baseSha: pr.base.sha } : {}),
    };
  }
  return target;
}

export async function compareAction(inputs: CompareInputs, context: ActionContext): Promise<PullRequestCompareResult> {
  if (inputs.token) core.setSecret(inputs.token);
  const target = gitHubTarget(inputs.token, context);
  return runPullRequestCompare({
    results: inputs.results,
    baseline: inputs.baseline,
    config: inputs.config,
    // The default file may be missing (defaults apply); one the workflow names must exist.
    configRequired: inputs.config !== DEFAULT_CONFIG_FILE,
    gates: inputs.gates,
    comment: inputs.comment,
    checkRun: inputs.checkRun,
    ...(inputs.store ? { store: inputs.store } : {}),
    openStore: actionStoreOpener(inputs, context),
    reportDir: inputs.reportDir,
    cwd: context.workspace,
    logger: context.logger,
    ...(target ? { github: target } : {}),
    ...(context.runUrl ? { artifactUrl: context.runUrl } : {}),
    // The report holds every case's text: `html-report: false` keeps it off the run's artifacts.
    htmlReport: inputs.htmlReport
      ? { env: context.env, ...(inputs.reportRetentionDays !== undefined ? { retentionDays: inputs.reportRetentionDays } : {}) }
      : false,
  });
}

export async function writeCompareOutputs(result: PullRequestCompareResult, inputs: CompareInputs): Promise<void> {
  core.setOutput("verdict", result.verdict);
  core.setOutput("report-path", result.reportDir);
  core.setOutput("summary-path", `${result.reportDir}/${COMPARE_SUMMARY_FILE}`);
  core.setOutput("regressions", String(result.regressionCount));
  core.setOutput("regressions-json", JSON.stringify(result.suites.map((s) => ({ suite: s.suite, ...s.regressions }))));
  core.setOutput("comment-url", result.comments[0]?.url ?? "");
  await writeJobSummary(result.summary);
  if (result.verdict === "fail" && inputs.failOnRegression) {
    const reasons = result.suites.flatMap((s) => s.regressions.gates.map((g) => `${s.suite}: ${g}`));
    failStep(`gate failed: ${reasons.join("; ") || "see the report"}`);
  }
}
