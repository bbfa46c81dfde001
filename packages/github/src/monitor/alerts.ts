import type { Logger } from "@llmops/core";
import type { MonitorAlertKey, MonitorAlerts } from "@llmops/operate";
import { createOctokit, type GitHubClient } from "../octokit.ts";
import { type GitHubAlertIssuesOptions, keyedAlertIssues } from "../promotion/alert-issues.ts";
import { parseRepository } from "../promotion/permissions.ts";

/**
 * The monitor's alert issues (@llmops/operate's MonitorAlerts seam) in GitHub: one open issue per
 * environment and monitor, found by its hidden marker, updated in place while the alert lasts
 * and closed on recovery, by the keyed tracker the promotion's alert issues use. The marker differs
 * from a promotion alert's, so a successful promotion never closes a drift alert, nor the other way.
 */

/** The hidden first line of a monitor's alert issue; the names are URI-encoded so they cannot end the comment. */
export function monitorAlertMarker(key: MonitorAlertKey): string {
  return `<!-- llmops-alert:monitor=${encodeURIComponent(key.environment)}/${encodeURIComponent(key.suite)} -->`;
}

export function githubMonitorAlerts(octokit: GitHubClient, options: GitHubAlertIssuesOptions): MonitorAlerts {
  return keyedAlertIssues<MonitorAlertKey>(octokit, {
    ...options,
    marker: monitorAlertMarker,
    describe: (key) => `${key.environment}/${key.suite}`,
  });
}

export interface GitHubMonitorAlertsFromEnvOptions {
  /** The workflow's token; without one (or without GITHUB_REPOSITORY) there are no issues. */
  token: string | undefined;
  /** Where GITHUB_REPOSITORY and GITHUB_API_URL are read. */
  env: NodeJS.ProcessEnv;
  logger: Logger;
  baseUrl?: string;
  /** Passed to createOctokit (tests: `pace: false`, `retries: 0`). */
  pace?: boolean;
  retries?: number;
}

/** The monitor's alert issues in `GITHUB_REPOSITORY`, when a token is given; undefined otherwise. */
export function githubMonitorAlertsFromEnv(options: GitHubMonitorAlertsFromEnvOptions): MonitorAlerts | undefined {
  const token = options.token?.trim();
  const repository = options.env.GITHUB_REPOSITORY?.trim();
  if (!token || !repository) return undefined;
  const { owner, repo } = parseRepository(repository);
  const octokit = createOctokit({
    token,
    logger: options.logger,
    env: options.env,
    ...(options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl }),
    ...(options.pace === undefined ? {} : { pace: options.pace }),
    ...(options.retries === undefined ? {} : { retries: options.retries }),
  });
  return githubMonitorAlerts(octokit, { owner, repo, logger: options.logger });
}
