import { InputError } from "@llmops/core";
import { GitHubPermissionError, mapGitHubError } from "../errors.ts";

/**
 * The `permissions:` entry each promotion call needs, in one place so every 403 names the same one.
 * Reads are covered by the write a promotion goes on to do, so the write is named.
 */
export const PROMOTION_PERMISSIONS = {
  deployments: "deployments: write",
  issues: "issues: write",
  contents: "contents: write",
  pullRequests: "pull-requests: write",
  approvals: "actions: read",
} as const;
export type PromotionPermission = keyof typeof PROMOTION_PERMISSIONS;

/**
 * A token from another secret than the workflow's (a gitops target's `tokenEnv`) lacks a
 * permission: the job's `permissions:` cannot help, the token's own grants must change.
 */
export class TokenPermissionError extends GitHubPermissionError {
  readonly tokenEnv: string;
  constructor(what: string, permission: string, tokenEnv: string, options?: ErrorOptions) {
    super(what, permission, options);
    this.message = `GitHub refused to ${what} (403): the token in ${tokenEnv} needs the "${permission}" permission on that repository`;
    this.tokenEnv = tokenEnv;
  }
}

/**
 * A failed GitHub call of a promotion as one line: a 403 (other than a rate limit) names the
 * permission — `GitHub refused to create a deployment (403): the workflow token needs
 * \`permissions: deployments: write\``, exit code 3 — and other failures become ExternalError.
 */
export function promotionError(error: unknown, what: string, permission: PromotionPermission, tokenEnv?: string): Error {
  const mapped = mapGitHubError(error, { what, permission: PROMOTION_PERMISSIONS[permission] });
  if (tokenEnv !== undefined && mapped instanceof GitHubPermissionError)
    return new TokenPermissionError(what, mapped.permission, tokenEnv, { cause: error });
  return mapped;
}

/** Runs one GitHub call of a promotion, its failure mapped by promotionError. */
export async function promotionCall<T>(
  what: string,
  permission: PromotionPermission,
  call: () => Promise<T>,
  tokenEnv?: string,
): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw promotionError(error, what, permission, tokenEnv);
  }
}

/** GitHub's own message of a failed call (`response.data.message`), or "". */
export function githubMessageOf(error: unknown): string {
  const message = (error as { response?: { data?: { message?: unknown } } } | null)?.response?.data?.message;
  return typeof message === "string" ? message : "";
}

/** The whole error body GitHub sent (message and `errors`), as text to look for a phrase in. */
export function githubBodyOf(error: unknown): string {
  const data = (error as { response?: { data?: unknown } } | null)?.response?.data;
  return data === undefined ? "" : JSON.stringify(data);
}

/** `owner/repo`, checked: the only form GitHub's REST paths take. */
export function parseRepository(repository: string): { owner: string; repo: string } {
  const match = /^([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))\/([A-Za-z0-9._-]{1,100})$/.exec(repository.trim());
  if (!match || match[2] === "." || match[2] === "..")
    throw new InputError(`"${repository}" is not a GitHub repository: expected owner/name`);
  return { owner: match[1]!, repo: match[2]! };
}
