import { ExternalError, InputError } from "@llmops/core";

/** A workflow token lacks a permission; the message names the `permissions:` entry to add. */
export class GitHubPermissionError extends ExternalError {
  readonly permission: string;
  constructor(what: string, permission: string, options?: ErrorOptions) {
    super(`GitHub refused to ${what} (403): the workflow token needs \`permissions: ${permission}\``, options);
    this.permission = permission;
  }
}

export function httpStatus(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === "number" ? status : undefined;
}

function githubMessage(error: unknown): string {
  const message = (error as { response?: { data?: { message?: unknown } } })?.response?.data?.message;
  if (typeof message === "string") return message;
  return error instanceof Error ? (error.message.split("\n")[0] ?? "") : String(error);
}

export interface GitHubCallContext {
  /** What we were doing, as a verb phrase: "update the pull request comment". */
  what: string;
  /** The `permissions:` entry that allows it: `pull-requests: write`. */
  permission: string;
  /** Set when the call addresses a pull request, so a 404 can name it. */
  pullRequest?: { owner: string; repo: string; number: number };
}

/** Turns Octokit errors into one-line project errors: 403 names the permission, 404 names the PR. */
export function mapGitHubError(error: unknown, context: GitHubCallContext): Error {
  const status = httpStatus(error);
  if (status === 403 && !/rate limit/i.test(githubMessage(error)))
    return new GitHubPermissionError(context.what, context.permission, { cause: error });
  if (status === 404 && context.pullRequest) {
    const { owner, repo, number } = context.pullRequest;
    return new InputError(`pull request #${number} not found in ${owner}/${repo}`, { cause: error });
  }
  if (status !== undefined)
    return new ExternalError(`GitHub failed to ${context.what} (${status}): ${githubMessage(error)}`, { cause: error });
  return new ExternalError(`GitHub failed to ${context.what}: ${githubMessage(error)}`, { cause: error });
}

export async function withGitHubErrors<T>(context: GitHubCallContext, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw mapGitHubError(error, context);
  }
}

/** An artifact (its zip, one of its files, or all of them unpacked) is larger than the step allows. */
export class ArtifactTooLargeError extends InputError {}

/** An artifact's zip holds something that is never extracted: a path leaving the directory, a link, an encrypted or unknown entry. */
export class UnsafeArtifactError extends InputError {}
