// The contract this folder implements, from @llmops/promote (`src/github-seams.ts`). Imported by path
// until @llmops/github depends on @llmops/promote and it exports the module; types only, so nothing
// of @llmops/promote is loaded at run time.
export type {
  AlertIssues,
  Approvals,
  Approver,
  DeploymentHandle,
  DeploymentRequest,
  DeploymentState,
  Deployments,
  GitHubSeams,
  RepoFile,
  RepoFiles,
} from "../../../promote/src/github-seams.ts";
