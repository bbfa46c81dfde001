/** `actions/report`: the second stage of the fork-safe flow; posts a report a pull request's run uploaded. */
import * as core from "@actions/core";
import * as github from "@actions/github";
import { actionInput, readActionInputs } from "@llmops/github/action-inputs";
import { type ActionContext, failStep } from "@llmops/github/action-kit";
import { createOctokit } from "@llmops/github/octokit";
import { type PostReportResult, postReportFromRun, type TriggeringRun } from "@llmops/github/post-report";
import { z } from "zod";

export const reportInputsSchema = z.object({
  token: actionInput.required("a token with pull-requests: write and checks: write"),
  artifact: actionInput.required("an artifact name"),
  runId: z.union([z.literal(""), z.string().regex(/^\d+$/, "expected a workflow run id")]),
  comment: z.enum(["sticky", "off"], "expected sticky or off"),
  checkRun: actionInput.boolean(),
  failOnRegression: actionInput.boolean(),
  config: actionInput.string(),
});

export type ReportInputs = z.output<typeof reportInputsSchema>;

export function readReportInputs(getInput?: (name: string) => string): ReportInputs {
  return readActionInputs(reportInputsSchema, getInput);
}

const workflowRunSchema = z.object({
  id: z.number().int(),
  event: z.string(),
  head_sha: z.string(),
  head_branch: z.string(),
  html_url: z.string().optional(),
  // Null when the fork was deleted; such a run is treated as a fork's.
  head_repository: z.object({ full_name: z.string().optional(), owner: z.object({ login: z.string() }) }).nullable(),
});

/** The run that uploaded the report, from the `workflow_run` event that started this one. */
function triggeringRun(inputs: ReportInputs): TriggeringRun {
  const event = workflowRunSchema.safeParse(github.context.payload.workflow_run);
  if (!event.success) throw new Error(`this action runs in a workflow_run workflow (got a ${github.context.eventName} event)`);
  const w = event.data;
  return {
    id: inputs.runId ? Number(inputs.runId) : w.id,
    event: w.event,
    headSha: w.head_sha,
    headBranch: w.head_branch,
    headOwner: w.head_repository?.owner.login ?? "",
    ...(w.head_repository?.full_name ? { headRepo: w.head_repository.full_name } : {}),
    ...(w.html_url ? { htmlUrl: w.html_url } : {}),
  };
}

export async function reportAction(inputs: ReportInputs, context: ActionContext): Promise<PostReportResult> {
  core.setSecret(inputs.token);
  return postReportFromRun({
    octokit: createOctokit({ token: inputs.token, logger: context.logger }),
    owner: github.context.repo.owner,
    repo: github.context.repo.repo,
    run: triggeringRun(inputs),
    artifact: inputs.artifact,
    comment: inputs.comment,
    checkRun: inputs.checkRun,
    ...(inputs.config ? { config: inputs.config } : {}),
    cwd: context.workspace,
    logger: context.logger,
  });
}

export function writeReportOutputs(result: PostReportResult, inputs: ReportInputs): void {
  core.setOutput("verdict", result.verdict);
  core.setOutput("pull-request", result.pullRequest === undefined ? "" : String(result.pullRequest));
  core.setOutput("comment-url", result.comments[0]?.url ?? "");
  if (result.verdict === "fail" && inputs.failOnRegression) failStep(`gate failed on pull request #${result.pullRequest}`);
}
