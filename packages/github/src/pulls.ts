import { withGitHubErrors } from "./errors.ts";
import type { GitHubClient } from "./octokit.ts";

export interface PullRequestInfo {
  number: number;
  headSha: string;
  headRepo: string | undefined;
  baseRepo: string;
  baseRef: string;
  /** The head lives in another repository: its workflows get a read-only token. */
  fromFork: boolean;
}

export async function getPullRequest(options: {
  octokit: GitHubClient;
  owner: string;
  repo: string;
  number: number;
}): Promise<PullRequestInfo> {
  const { octokit, owner, repo, number } = options;
  const { data } = await withGitHubErrors(
    { what: `read pull request #${number}`, permission: "pull-requests: read", pullRequest: { owner, repo, number } },
    () => octokit.rest.pulls.get({ owner, repo, pull_number: number }),
  );
  const headRepo = data.head.repo?.full_name;
  return {
    number: data.number,
    headSha: data.head.sha,
    headRepo,
    baseRepo: data.base.repo.full_name,
    baseRef: data.base.ref,
    fromFork: headRepo === undefined || headRepo.toLowerCase() !== data.base.repo.full_name.toLowerCase(),
  };
}

/**
 * The open pull request a `workflow_run` belongs to, found from trusted event fields (head
 * owner, branch and SHA) — never from the artifact, which the PR's code could have written.
 * `workflow_run.pull_requests` is empty for forks, hence the search.
 */
export async function findPullRequestForRun(options: {
  octokit: GitHubClient;
  owner: string;
  repo: string;
  headOwner: string;
  headBranch: string;
  headSha: string;
}): Promise<number | undefined> {
  const { octokit, owner, repo } = options;
  const pulls = await withGitHubErrors({ what: "list pull requests", permission: "pull-requests: read" }, () =>
    octokit.paginate(octokit.rest.pulls.list, {
      owner,
      repo,
      state: "open",
      head: `${options.headOwner}:${options.headBranch}`,
      per_page: 100,
    }),
  );
  return pulls.find((p) => p.head.sha === options.headSha)?.number;
}
