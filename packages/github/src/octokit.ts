import type { Logger } from "@llmops/core";
import { retry } from "@octokit/plugin-retry";
import { throttling } from "@octokit/plugin-throttling";
import { Octokit } from "@octokit/rest";

const ThrottledOctokit = Octokit.plugin(retry, throttling);
export type GitHubClient = InstanceType<typeof ThrottledOctokit>;

export interface OctokitOptions {
  token: string;
  /** Defaults to `GITHUB_API_URL` (GitHub Enterprise Server, tests), then api.github.com. */
  baseUrl?: string;
  logger: Logger;
  /** Retries of 5xx and network errors (403/404/422 are never retried). */
  retries?: number;
  env?: NodeJS.ProcessEnv;
  /**
   * Pace writes about a second apart and wait out rate limits, as GitHub asks of integrations;
   * default true, or `LLMOPS_GITHUB_PACE=false` (local test servers, which have no limits).
   */
  pace?: boolean;
}

/** An Octokit that retries transient failures and waits out rate limits a bounded number of times. */
export function createOctokit(options: OctokitOptions): GitHubClient {
  const env = options.env ?? process.env;
  const { logger } = options;
  return new ThrottledOctokit({
    auth: options.token,
    baseUrl: (options.baseUrl ?? env.GITHUB_API_URL ?? "https://api.github.com").replace(/\/+$/, ""),
    userAgent: "llmops-actions",
    log: { debug: () => {}, info: () => {}, warn: (m: string) => logger.debug(m), error: (m: string) => logger.debug(m) },
    retry: { retries: options.retries ?? 3 },
    throttle: {
      enabled: options.pace ?? env.LLMOPS_GITHUB_PACE !== "false",
      onRateLimit: (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
        logger.warn(`GitHub rate limit hit on ${request.method} ${request.url}; retrying in ${retryAfter}s`);
        return retryCount < 2;
      },
      onSecondaryRateLimit: (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
        logger.warn(`GitHub secondary rate limit on ${request.method} ${request.url}; retrying in ${retryAfter}s`);
        return retryCount < 1;
      },
    },
  });
}
