import { readFileSync } from "node:fs";
import { InputError, type Logger } from "@llmops/core";
import { z } from "zod";
import { createOctokit, type GitHubClient } from "../octokit.ts";
import { githubAlertIssues } from "./alert-issues.ts";
import { githubApprovals } from "./approvals.ts";
import type { GitHubSeams, RepoFiles } from "./contract.ts";
import { githubDeployments } from "./deployments.ts";
import { parseRepository } from "./permissions.ts";
import { githubRepoFiles } from "./repo-files.ts";

export interface GitHubPromotionSeamsOptions {
  /** The workflow's token (`GITHUB_TOKEN` or what the step was given); without one there are no deployments, approvals or alerts. */
  token: string | undefined;
  /** Where `GITHUB_REPOSITORY`, `GITHUB_RUN_ID`, `GITHUB_API_URL` and the gitops targets' `tokenEnv` variables are read. */
  env: NodeJS.ProcessEnv;
  logger: Logger;
  /** REST API base URL; default `GITHUB_API_URL`, then api.github.com. */
  baseUrl?: string;
  /** The repository's default branch when the caller knows it, e.g. defaultBranchFromEvent(env). */
  defaultBranch?: string;
  /** Passed to createOctokit (tests: `pace: false`, `retries: 0`). */
  pace?: boolean;
  retries?: number;
}

/**
 * Everything a promotion needs from GitHub, from the workflow's environment: deployments and alert
 * issues in `GITHUB_REPOSITORY` when a token is given, the run's approvals when `GITHUB_RUN_ID` is
 * set too, and repository files per gitops `tokenEnv` (undefined when that variable is empty).
 */
export function githubPromotionSeams(options: GitHubPromotionSeamsOptions): GitHubSeams {
  const { env, logger } = options;
  const client = (token: string): GitHubClient =>
    createOctokit({
      token,
      logger,
      env,
      ...(options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl }),
      ...(options.pace === undefined ? {} : { pace: options.pace }),
      ...(options.retries === undefined ? {} : { retries: options.retries }),
    });

  const seams: GitHubSeams = {};
  const repository = env.GITHUB_REPOSITORY?.trim() || undefined;
  if (repository) seams.repository = repository;
  if (options.defaultBranch) seams.defaultBranch = options.defaultBranch;

  const token = options.token?.trim();
  if (token && repository) {
    const { owner, repo } = parseRepository(repository);
    const octokit = client(token);
    seams.deployments = githubDeployments(octokit, { owner, repo, logger });
    seams.alerts = githubAlertIssues(octokit, { owner, repo, logger });
    const runId = parseRunId(env.GITHUB_RUN_ID);
    if (runId !== undefined) seams.approvals = githubApprovals(octokit, { owner, repo, runId });
  }

  const byTokenEnv = new Map<string, RepoFiles>();
  seams.repoFiles = (tokenEnv) => {
    const value = env[tokenEnv]?.trim();
    if (!value) return undefined;
    let files = byTokenEnv.get(tokenEnv);
    if (!files) {
      files = githubRepoFiles(client(value), { logger, tokenEnv });
      byTokenEnv.set(tokenEnv, files);
    }
    return files;
  };
  return seams;
}

function parseRunId(value: string | undefined): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (!/^\d{1,16}$/.test(text)) throw new InputError(`GITHUB_RUN_ID must be a workflow run id, got "${text}"`);
  return Number(text);
}

const EventRepository = z.object({ repository: z.object({ default_branch: z.string().min(1) }) });

/**
 * The default branch named in the webhook payload at `GITHUB_EVENT_PATH` (every repository event
 * carries `repository.default_branch`), or undefined when there is no payload or it names none.
 */
export function defaultBranchFromEvent(env: NodeJS.ProcessEnv): string | undefined {
  const path = env.GITHUB_EVENT_PATH;
  if (!path) return undefined;
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = EventRepository.safeParse(json);
  return parsed.success ? parsed.data.repository.default_branch : undefined;
}
