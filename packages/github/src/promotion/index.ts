// `@llmops/github/promotion`: the GitHub side of a promotion (deployments, approvals, alert issues,
// repository files), implementing @llmops/promote's GitHub seams with Octokit. Nothing here imports
// `@actions/*`, so the CLI and the action share it.
export { alertMarker, type GitHubAlertIssuesOptions, githubAlertIssues } from "./alert-issues.ts";
export { type GitHubApprovalsOptions, githubApprovals } from "./approvals.ts";
export { type GitHubDeploymentsOptions, githubDeployments } from "./deployments.ts";
export { PROMOTION_PERMISSIONS, type PromotionPermission, parseRepository, TokenPermissionError } from "./permissions.ts";
export { type GitHubRepoFilesOptions, githubRepoFiles, MAX_REPO_FILE_BYTES, RepoFileChangedError } from "./repo-files.ts";
export { defaultBranchFromEvent, type GitHubPromotionSeamsOptions, githubPromotionSeams } from "./seams.ts";
