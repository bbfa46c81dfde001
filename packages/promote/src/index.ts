// The canary state's schema is @llmops/core's (it is part of the promotion record); re-exported for the CLI and @llmops/github.
export {
  CANARY_DECISIONS,
  type CanaryDecision,
  type CanaryMetricResult,
  type CanaryState,
  canaryDecisionSchema,
  canaryMetricResultSchema,
  canaryStateSchema,
  type RequestCounts,
  requestCountsSchema,
  TERMINAL_DECISIONS,
} from "@llmops/core";
export { analyzeRollout } from "./canary/analysis.ts";
export type { MetricReading, MetricSource, MetricSourceContext, VariantIdentity } from "./canary/metric-source.ts";
export { MetricSourceError } from "./canary/metric-source.ts";
export { describeCanary, rolloutLines } from "./canary/render.ts";
export * from "./canary/result.ts";
export {
  type CanaryOptions,
  canaryAbort,
  canaryAdvance,
  canaryAnalyze,
  canaryStart,
  canaryStartOrAdvance,
} from "./canary/rollout.ts";
export type { RolloutVersions, Router, RouterContext, RouterReading } from "./canary/router.ts";
export { RouterError } from "./canary/router.ts";
export { canaryAlias, readRollout, rolloutInProgress } from "./canary/state.ts";
export { currentAlias, environmentConfig, type ResolvedEnvironment, resolveEnvironment } from "./environment.ts";
export { failureExitCode, PromotionConflictError, PromotionInterruptedError } from "./errors.ts";
export type * from "./github-seams.ts";
export {
  type Alert,
  alertBody,
  alertTitle,
  type Notification,
  notificationSchema,
  notifyAlert,
  resolveAlert,
  sendWebhook,
  webhookPayload,
} from "./notify.ts";
export { type PromoteOptions, promote } from "./promote.ts";
export * from "./records.ts";
export { describePromotion, renderStatus } from "./render.ts";
export { checkRequirements, type RequirementCheck, refCounts, requirementCheckSchema, unmetReasons } from "./requirements.ts";
export * from "./result.ts";
export { type RollbackOptions, rollback } from "./rollback.ts";
export type { PromotionContextOptions } from "./session.ts";
export { planSmoke, runSmoke, type SmokePlan } from "./smoke.ts";
export { type StatusOptions, status } from "./status.ts";
export * from "./target.ts";
export * from "./targets/index.ts";
