import type { GitHubClient } from "../octokit.ts";
import type { Approvals, Approver } from "./contract.ts";
import { promotionCall } from "./permissions.ts";

export interface GitHubApprovalsOptions {
  owner: string;
  repo: string;
  /** The workflow run whose environment gates were reviewed (`GITHUB_RUN_ID`). */
  runId: number;
}

/** Who reviewed the run's environment gates: `GET /repos/{owner}/{repo}/actions/runs/{run_id}/approvals`. */
export function githubApprovals(octokit: GitHubClient, options: GitHubApprovalsOptions): Approvals {
  const { owner, repo, runId } = options;
  return {
    async forCurrentRun(): Promise<Approver[]> {
      const { data } = await promotionCall(`read the environment approvals of workflow run ${runId}`, "approvals", () =>
        octokit.rest.actions.getReviewsForRun({ owner, repo, run_id: runId }),
      );
      return data.map((review) => ({
        login: review.user.login,
        state: review.state,
        ...(review.comment ? { comment: review.comment } : {}),
        environments: review.environments.flatMap((env) => (typeof env.name === "string" ? [env.name] : [])),
      }));
    },
  };
}
