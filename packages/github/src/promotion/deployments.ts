import type { Logger } from "@llmops/core";
import { ExternalError } from "@llmops/core";
import type { GitHubClient } from "../octokit.ts";
import type { DeploymentHandle, DeploymentRequest, DeploymentState, Deployments } from "./contract.ts";
import { promotionCall } from "./permissions.ts";
import { clipLine, DESCRIPTION_LIMIT } from "./text.ts";

export interface GitHubDeploymentsOptions {
  owner: string;
  repo: string;
  logger: Logger;
}

/** GitHub Deployments of one repository: one deployment per promotion, statuses as it proceeds. */
export function githubDeployments(octokit: GitHubClient, options: GitHubDeploymentsOptions): Deployments {
  const { owner, repo, logger } = options;
  const created = new Map<number, DeploymentRequest>();

  /**
   * GitHub's auto_inactive skips production and transient environments, yet a promotion replaces
   * what such an environment served too: earlier deployments whose latest status is `success` are
   * marked `inactive` here instead, newest page only (older ones were replaced long ago).
   */
  async function deactivateEarlier(deployment: DeploymentHandle, request: DeploymentRequest): Promise<void> {
    const { data: earlier } = await promotionCall(`list deployments of ${request.environment}`, "deployments", () =>
      octokit.rest.repos.listDeployments({ owner, repo, environment: request.environment, per_page: 100 }),
    );
    for (const other of earlier) {
      if (other.id === deployment.id || other.id > deployment.id) continue;
      const { data: statuses } = await promotionCall(`list statuses of deployment ${other.id}`, "deployments", () =>
        octokit.rest.repos.listDeploymentStatuses({ owner, repo, deployment_id: other.id, per_page: 1 }),
      );
      if (statuses[0]?.state !== "success") continue;
      await promotionCall(`mark deployment ${other.id} inactive`, "deployments", () =>
        octokit.rest.repos.createDeploymentStatus({ owner, repo, deployment_id: other.id, state: "inactive", auto_inactive: false }),
      );
      logger.debug(`deployment ${other.id} of ${request.environment}: inactive`);
    }
  }

  return {
    async create(request: DeploymentRequest): Promise<DeploymentHandle> {
      const { data, status } = await promotionCall(`create a deployment to ${request.environment}`, "deployments", () =>
        octokit.rest.repos.createDeployment({
          owner,
          repo,
          ref: request.ref,
          task: "deploy",
          environment: request.environment,
          description: clipLine(request.description, DESCRIPTION_LIMIT),
          payload: request.payload,
          production_environment: request.productionEnvironment,
          transient_environment: request.transientEnvironment,
          // The deployment records a promotion that already passed its own gate (requirements,
          // evidence, approvals): GitHub must neither merge the default branch into `ref` first
          // (auto_merge) nor hold it until the commit's status checks pass (required_contexts,
          // which defaults to every context) — a model promotion is not a code deployment.
          auto_merge: false,
          required_contexts: [],
        }),
      );
      // 202 is GitHub's "merged the default branch instead" answer, which auto_merge: false rules out.
      if (!("id" in data))
        throw new ExternalError(
          `GitHub did not create the deployment to ${request.environment} (${status}): ${data.message ?? "no deployment"}`,
        );
      logger.debug(`created deployment ${data.id} to ${request.environment}`);
      created.set(data.id, request);
      return { id: data.id, url: data.url };
    },

    async setStatus(deployment, state: DeploymentState, details): Promise<void> {
      await promotionCall(`set the status of deployment ${deployment.id} to ${state}`, "deployments", () =>
        octokit.rest.repos.createDeploymentStatus({
          owner,
          repo,
          deployment_id: deployment.id,
          state,
          description: clipLine(details.description, DESCRIPTION_LIMIT),
          ...(details.environmentUrl ? { environment_url: details.environmentUrl } : {}),
          ...(details.logUrl ? { log_url: details.logUrl } : {}),
          // On success GitHub marks earlier successful deployments of the environment `inactive`
          // (as its docs say, not for production or transient environments). Any other state must
          // leave them alone: a failed promotion did not replace what is live. GitHub's default is true.
          auto_inactive: state === "success",
        }),
      );
      logger.debug(`deployment ${deployment.id}: ${state}`);
      const request = created.get(deployment.id);
      if (state === "success" && request && (request.productionEnvironment || request.transientEnvironment))
        await deactivateEarlier(deployment, request);
    },
  };
}
