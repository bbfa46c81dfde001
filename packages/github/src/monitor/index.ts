// `@llmops/github/monitor`: the GitHub side of `llmops monitor` (alert issues per environment and
// monitor), implementing @llmops/operate's MonitorAlerts seam with Octokit. Nothing here imports
// `@actions/*`, so the CLI and the action share it.
export { type GitHubMonitorAlertsFromEnvOptions, githubMonitorAlerts, githubMonitorAlertsFromEnv, monitorAlertMarker } from "./alerts.ts";
