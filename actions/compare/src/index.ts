import * as core from "@actions/core";
import * as github from "@actions/github";
import { type Logger, oneLine } from "@llmops/core";
import { parseActionInputs } from "@llmops/github/action-inputs";
import { writeJobSummary } from "@llmops/github/job-summary";
import { createOctokit } from "@llmops/github/octokit";
import { type GitHubTarget, runPullRequestCompare } from "@llmops/github/pr-compare";
import { z } from "zod";

const bool = z.enum(["true", "false"]).transform((v) => v === "true");
const inputsSchema = z.object({
  results: z.string().min(1, "expected a results directory"),
  baseline: z.string(),
  config: z.string(),
  gates: z.string(),
  comment: z.enum(["sticky", "off"]),
  checkRun: bool,
  failOnRegression: bool,
  token: z.string(),
  store: z.string(),
  storeUsername: z.string(),
  storePassword: z.string(),
  reportDir: z.string().min(1, "expected a report directory"),
});

const logger: Logger = { debug: core.debug, info: core.info, warn: core.warning, error: core.error };

function readInputs() {
  const raw = {
    results: core.getInput("results"),
    baseline: core.getInput("baseline"),
    config: core.getInput("config"),
    gates: core.getInput("gates"),
    comment: core.getInput("comment") || "sticky",
    checkRun: (core.getInput("check-run") || "true").toLowerCase(),
    failOnRegression: (core.getInput("fail-on-regression") || "true").toLowerCase(),
    token: core.getInput("token"),
    store: core.getInput("store"),
    storeUsername: core.getInput("store-username"),
    storePassword: core.getInput("store-password"),
    reportDir: core.getInput("report-dir") || ".llmops/compare",
  };
  return parseActionInputs(inputsSchema, raw);
}

function gitHubTarget(token: string): GitHubTarget | undefined {
  if (!token) return undefined;
  const { context } = github;
  const { owner, repo } = context.repo;
  const pr = context.payload.pull_request as
    | {
        number: number;
        head: { sha: string; repo?: { full_name?: string } | null };
        base: { ref: string; sha?: string; repo: { full_name: string } };
      }
    | undefined;
  const target: GitHubTarget = {
    octokit: createOctokit({ token, logger }),
    owner,
    repo,
    sha: pr?.head.sha ?? context.sha,
    runUrl: `${context.serverUrl}/${owner}/${repo}/actions/runs/${context.runId}`,
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

async function main(): Promise<void> {
  const inputs = readInputs();
  if (inputs.token) core.setSecret(inputs.token);
  if (inputs.storePassword) core.setSecret(inputs.storePassword);
  const target = gitHubTarget(inputs.token);
  const result = await runPullRequestCompare({
    results: inputs.results,
    baseline: inputs.baseline,
    config: inputs.config,
    configRequired: core.getInput("config") !== "llmops.yaml",
    gates: inputs.gates,
    comment: inputs.comment,
    checkRun: inputs.checkRun,
    ...(inputs.store ? { store: inputs.store } : {}),
    ...(inputs.storeUsername ? { storeAuth: { username: inputs.storeUsername, password: inputs.storePassword } } : {}),
    reportDir: inputs.reportDir,
    cwd: process.env.GITHUB_WORKSPACE ?? process.cwd(),
    logger,
    ...(target ? { github: target } : {}),
    ...(target?.runUrl ? { artifactUrl: target.runUrl } : {}),
  });
  core.setOutput("verdict", result.verdict);
  core.setOutput("report-path", result.reportDir);
  core.setOutput("summary-path", `${result.reportDir}/summary.md`);
  core.setOutput("regressions", String(result.regressionCount));
  core.setOutput("regressions-json", JSON.stringify(result.suites.map((s) => ({ suite: s.suite, ...s.regressions }))));
  core.setOutput("comment-url", result.comments[0]?.url ?? "");
  await writeJobSummary(result.summary);
  if (result.verdict === "fail" && inputs.failOnRegression) {
    const reasons = result.suites.flatMap((s) => [...s.regressions.gates.map((g) => `${s.suite}: ${g}`)]);
    core.setFailed(`gate failed: ${reasons.join("; ") || "see the report"}`);
  }
}

main().catch((error: unknown) => core.setFailed(oneLine(error)));
