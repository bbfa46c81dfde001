import {
  approverSchema,
  canaryStateSchema,
  deploymentRefSchema,
  digestSchema,
  evidenceRefSchema,
  promotionEventSchema,
  smokeSummarySchema,
} from "@llmops/core";
import { z } from "zod";
import { notificationSchema } from "./notify.ts";
import { requirementCheckSchema } from "./requirements.ts";

/**
 * The JSON results of `promote`, `rollback` and `status`: what `--json` prints and what the
 * action's outputs mirror. Changing a field changes the machine interface.
 */

/**
 * How a promotion (or roll-back) ended, and its exit code:
 * - `promoted` (0): targets applied, alias moved, smoke eval passed (or none).
 * - `proposed` (0): a target only proposed the change (a gitops pull request to merge); the alias
 *   was not moved, no smoke eval ran, nothing was rolled back. Merge it, then run the same
 *   promotion again to finish it.
 * - `dry-run` (0): requirements met; nothing was done.
 * - `refused` (1): a requirement is unmet (also for a dry run); nothing was done.
 * - `conflict` (1): the alias moved while it ran (another promotion won); the targets it applied
 *   were re-pointed at what the alias names now.
 * - `smoke-failed` (1): the smoke eval failed with `rollback: manual`; the version keeps serving.
 * - `rolled-back` (1): the smoke eval failed and targets and alias were rolled back; for a first
 *   promotion, the targets were undone and the alias still names the version (a tag cannot be
 *   deleted), which nothing serves.
 * - `failed` (3, or 2 for an input problem): a target, the store or GitHub failed, or the caller's
 *   signal aborted (`interrupted`); whatever was applied was rolled back.
 * The `rollback` command ends `rolled-back` with exit 0 when it succeeded.
 */
export const PROMOTION_OUTCOMES = [
  "promoted",
  "proposed",
  "dry-run",
  "refused",
  "conflict",
  "smoke-failed",
  "rolled-back",
  "failed",
] as const;
export const promotionOutcomeSchema = z.enum(PROMOTION_OUTCOMES);
export type PromotionOutcome = z.infer<typeof promotionOutcomeSchema>;

export const targetStepSchema = z.strictObject({
  type: z.enum(["model-repository", "gitops", "webhook", "command"]),
  /**
   * `planned` (dry run), `applied`, `pending` (proposed, not in service: a pull request to merge),
   * `rolled-back` (applied, then undone), `failed`, `not-run`.
   */
  status: z.enum(["planned", "applied", "pending", "rolled-back", "failed", "not-run"]),
  summary: z.string(),
  details: z.record(z.string(), z.unknown()).default({}),
  error: z.string().optional(),
});
export type TargetStep = z.infer<typeof targetStepSchema>;

export const promotionResultSchema = z.strictObject({
  schemaVersion: z.literal(1),
  command: z.enum(["promote", "rollback"]),
  outcome: promotionOutcomeSchema,
  exitCode: z.number().int().min(0).max(3),
  /** One line for people and for `setFailed`. */
  message: z.string(),
  /** The promotion id (a UUID) shared by its records, deployment payload and webhooks. */
  id: z.string(),
  environment: z.string(),
  name: z.string(),
  alias: z.string(),
  /** The version promoted (or rolled back to). */
  digest: digestSchema,
  version: z.string().optional(),
  /** What the alias pointed at when it started, and what it points at now. */
  from: digestSchema.nullable(),
  serving: digestSchema.nullable(),
  requirements: z.array(requirementCheckSchema),
  evidence: z.array(evidenceRefSchema),
  approvers: z.array(approverSchema),
  targets: z.array(targetStepSchema),
  deployment: deploymentRefSchema.optional(),
  smoke: smokeSummarySchema.optional(),
  /** Digests of the promotion records written, in order, with their events. */
  records: z.array(z.strictObject({ event: promotionEventSchema, digest: digestSchema })),
  notifications: z.array(notificationSchema),
  dryRun: z.boolean(),
  /**
   * The caller's signal aborted it (outcome `failed`, exit code 3): what was applied was undone.
   * A CLI exits 130 (SIGINT) or 143 (SIGTERM) instead.
   */
  interrupted: z.literal(true).optional(),
});
export type PromotionResult = z.infer<typeof promotionResultSchema>;

export const environmentStatusSchema = z.strictObject({
  environment: z.string(),
  name: z.string().optional(),
  alias: z.string(),
  /** The digest the alias points at; null when nothing was promoted there yet. */
  digest: digestSchema.nullable(),
  version: z.string().optional(),
  /** When the alias was moved there, by whom, from which run (its alias history). */
  since: z.string().optional(),
  actor: z.string().optional(),
  runUrl: z.string().optional(),
  approvers: z.array(approverSchema),
  evidence: z.array(evidenceRefSchema),
  promotionId: z.string().optional(),
  /**
   * The newest promotion event of this environment about the serving version (or the one it
   * replaced), or a newer `proposed` one about a recent version (a pull request awaiting merge).
   * `digest` is the record's; `subject` the version it is about when that is not the serving one.
   */
  lastEvent: z
    .strictObject({
      event: promotionEventSchema,
      at: z.string(),
      digest: digestSchema,
      reason: z.string().optional(),
      subject: digestSchema.optional(),
      subjectVersion: z.string().optional(),
    })
    .optional(),
  /**
   * The alias names a version whose targets were undone (a first promotion whose smoke eval failed:
   * a tag cannot be deleted), so nothing serves it; promoting it again runs its targets again.
   */
  undone: z.literal(true).optional(),
  previous: digestSchema.nullable(),
  previousVersion: z.string().optional(),
  url: z.string().optional(),
  /**
   * The environment's newest canary rollout (in progress or ended) as its newest record left it:
   * step, traffic, the last decision with its metrics and reasons.
   */
  rollout: z.strictObject({ state: canaryStateSchema, record: digestSchema, version: z.string().optional() }).optional(),
  /** Why this environment could not be read (the others still are). */
  error: z.string().optional(),
});
export type EnvironmentStatus = z.infer<typeof environmentStatusSchema>;

export const statusResultSchema = z.strictObject({
  schemaVersion: z.literal(1),
  environments: z.array(environmentStatusSchema),
});
export type StatusResult = z.infer<typeof statusResultSchema>;
