// The contract this folder implements, from @llmops/promote (`src/github-seams.ts`); types only,
// so nothing of @llmops/promote is loaded at run time by importing this folder.
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
} from "@llmops/promote";
