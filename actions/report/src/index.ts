import * as core from "@actions/core";
import * as github from "@actions/github";
import { type Logger, oneLine } from "@llmops/core";
import { parseActionInputs } from "@llmops/github/action-inputs";
import { createOctokit } from "@llmops/github/octokit";
import { postReportFromRun, type TriggeringRun } from "@llmops/github/post-report";
import { z } from "zod";

const bool = z.enum(["true", "false"]).transform((v) => v === "true");
const inputsSchema = z.object({
  token: z.string().min(1, "expected a token with pull-requests: write and checks: write"),
  artifact: z.string().min(1),
  runId: z.union([z.literal(""), z.string().regex(/^\d+$/, "expected a workflow run id")]),
  comment: z.enum(["sticky", "off"]),
  checkRun: bool,
  failOnRegression: bool,
  config: z.string(),
});

const logger: Logger = { debug: core.debug, info: core.info, warn: core.warning, error: core.error };

const runSchema = z.object({
  id: z.number().int(),
  event: z.string(),
  head_sha: z.string(),
  head_branch: z.string(),
  html_url: z.string().optional(),
  // Null when the fork was deleted; such a run is treated as a fork's.
  head_repository: z.object({ full_name: z.string().optional(), owner: z.object({ login: z.string() }) }).nullable(),
});

async function main(): Promise<void> {
  const inputs = parseActionInputs(inputsSchema, {
    token: core.getInput("token"),
    artifact: core.getInput("artifact") || "llmops-compare-report",
    runId: core.getInput("run-id"),
    comment: core.getInput("comment") || "sticky",
    checkRun: (core.getInput("check-run") || "true").toLowerCase(),
    failOnRegression: (core.getInput("fail-on-regression") || "false").toLowerCase(),
    config: core.getInput("config"),
  });
  core.setSecret(inputs.token);
  const { context } = github;
  const event = runSchema.safeParse(context.payload.workflow_run);
  if (!event.success) throw new Error(`this action runs in a workflow_run workflow (got a ${context.eventName} event)`);
  const w = event.data;
  const run: TriggeringRun = {
    id: inputs.runId ? Number(inputs.runId) : w.id,
    event: w.event,
    headSha: w.head_sha,
    headBranch: w.head_branch,
    headOwner: w.head_repository?.owner.login ?? "",
    ...(w.head_repository?.full_name ? { headRepo: w.head_repository.full_name } : {}),
    ...(w.html_url ? { htmlUrl: w.html_url } : {}),
  };
  const result = await postReportFromRun({
    octokit: createOctokit({ token: inputs.token, logger }),
    owner: context.repo.owner,
    repo: context.repo.repo,
    run,
    artifact: inputs.artifact,
    comment: inputs.comment,
    checkRun: inputs.checkRun,
    ...(inputs.config ? { config: inputs.config } : {}),
    cwd: process.env.GITHUB_WORKSPACE ?? process.cwd(),
    logger,
  });
  core.setOutput("verdict", result.verdict);
  core.setOutput("pull-request", result.pullRequest === undefined ? "" : String(result.pullRequest));
  core.setOutput("comment-url", result.comments[0]?.url ?? "");
  if (result.verdict === "fail" && inputs.failOnRegression) core.setFailed(`gate failed on pull request #${result.pullRequest}`);
}

main().catch((error: unknown) => core.setFailed(oneLine(error)));
