/**
 * What a promotion needs from GitHub, as narrow interfaces: @llmops/github implements them with
 * Octokit (`@llmops/github/promotion`), tests and other CIs pass their own or none. Nothing here
 * imports `@actions/*` or Octokit, so the CLI and the action share one promotion.
 */

/**
 * Deployment status states a promotion sets (a subset of GitHub's: error, failure, inactive,
 * in_progress, queued, pending, success). `queued`: a gitops pull request awaits merging
 * (outcome `proposed`); `error`: interrupted.
 */
export type DeploymentState = "in_progress" | "queued" | "success" | "failure" | "error" | "inactive";

export interface DeploymentRequest {
  environment: string;
  /** The commit (or ref) the workflow runs on: the deployment's `ref`. */
  ref: string;
  description: string;
  /** Model name, digest, evidence digests, promotion id. */
  payload: Record<string, unknown>;
  productionEnvironment: boolean;
  transientEnvironment: boolean;
}

export interface DeploymentHandle {
  id: number;
  /** The deployment's API URL, for logs and the record. */
  url: string;
}

/** GitHub Deployments: one per promotion, with statuses as it proceeds. */
export interface Deployments {
  create(request: DeploymentRequest): Promise<DeploymentHandle>;
  /** `success` with auto-inactivation makes earlier deployments of the environment `inactive`. */
  setStatus(
    deployment: DeploymentHandle,
    state: DeploymentState,
    details: { description: string; environmentUrl?: string; logUrl?: string },
  ): Promise<void>;
}

export interface Approver {
  login: string;
  /** `approved` or `rejected`, as the environment's reviewers answered. */
  state: string;
  comment?: string;
  environments: string[];
}

/** Who approved the current workflow run's environment gate (`GET …/actions/runs/{id}/approvals`). */
export interface Approvals {
  forCurrentRun(): Promise<Approver[]>;
}

/** One alert issue per environment: opened or updated in place on a "no", closed by the next success. */
export interface AlertIssues {
  raise(environment: string, alert: { title: string; body: string; labels: string[] }): Promise<{ url: string; number: number }>;
  resolve(environment: string, comment: string): Promise<{ url: string; number: number } | undefined>;
}

export interface RepoFile {
  content: string;
  /** The blob sha the contents API returned, for an optimistic update. */
  sha: string;
}

/** Files of a deployment repository through the GitHub REST API (gitops targets). */
export interface RepoFiles {
  defaultBranch(repository: string): Promise<string>;
  read(repository: string, path: string, ref: string): Promise<RepoFile | undefined>;
  /**
   * Writes `content` to `path` on `branch` as one commit, only if the file is still at `previousSha`
   * (or absent when null). Creates `branch` from `base` first when given and missing.
   */
  write(request: {
    repository: string;
    path: string;
    branch: string;
    base?: string;
    content: string;
    previousSha: string | null;
    message: string;
  }): Promise<{ commit: string; url: string }>;
  /** Opens a pull request from `head` into `base`, or returns the open one. */
  openPullRequest(request: {
    repository: string;
    head: string;
    base: string;
    title: string;
    body: string;
  }): Promise<{ number: number; url: string }>;
}

/** Everything GitHub-side; each piece optional (the CLI outside Actions has none). */
export interface GitHubSeams {
  deployments?: Deployments;
  approvals?: Approvals;
  alerts?: AlertIssues;
  /** Per token env name (a gitops target's `tokenEnv`). */
  repoFiles?: (tokenEnv: string) => RepoFiles | undefined;
  /** The repository the workflow runs in (`owner/repo`) and its default branch, when known. */
  repository?: string;
  defaultBranch?: string;
}
