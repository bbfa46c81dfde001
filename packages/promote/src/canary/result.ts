import {
  canaryDecisionSchema,
  canaryMetricResultSchema,
  deploymentRefSchema,
  digestSchema,
  evidenceRefSchema,
  promotionEventSchema,
  requestCountsSchema,
} from "@llmops/core";
import { z } from "zod";
import { notificationSchema } from "../notify.ts";
import { requirementCheckSchema } from "../requirements.ts";
import { targetStepSchema } from "../result.ts";

/**
 * The JSON result of `llmops canary start|advance|analyze|abort`: what `--json` prints and what the
 * promote action's outputs mirror when `strategy: canary`. Changing a field changes the machine
 * interface.
 *
 * Outcomes and exit codes:
 * - `started` (0): the candidate is in the canary slot with the first step's traffic;
 * - `held` (0): the analysis found no reason to move yet (too few requests, too early, data missing);
 * - `advanced` (0): the step passed; traffic moved to the next step;
 * - `completed` (0): the last step passed; the candidate was promoted and the rollout is over;
 * - `analyzed` (0): `canary analyze` only looked (what `advance` would decide is in `decision`);
 * - `idle` (0): a scheduled run found no rollout in progress and was given no version to start;
 * - `aborted` (0): stopped by hand; traffic back to stable;
 * - `rolled-back` (1): a metric failed or the rollout ran out of time; traffic back to stable;
 * - `refused` (1): a requirement is unmet (evidence, promotedTo); nothing was done;
 * - `conflict` (1): another runner changed the rollout (or another rollout is in progress); nothing was done here;
 * - `failed` (3, or 2 for an input problem): the router, a target, the store or GitHub failed;
 *   traffic stays where the message says.
 */
export const CANARY_OUTCOMES = [
  "started",
  "held",
  "advanced",
  "completed",
  "analyzed",
  "idle",
  "aborted",
  "rolled-back",
  "refused",
  "conflict",
  "failed",
] as const;
export const canaryOutcomeSchema = z.enum(CANARY_OUTCOMES);
export type CanaryOutcome = z.infer<typeof canaryOutcomeSchema>;

export const canaryResultSchema = z.strictObject({
  schemaVersion: z.literal(1),
  command: z.enum(["start", "advance", "analyze", "abort"]),
  outcome: canaryOutcomeSchema,
  exitCode: z.number().int().min(0).max(3),
  /** One line for people and for `setFailed`. */
  message: z.string(),
  /** The rollout's id, shared by its records, deployment payload and webhooks. */
  id: z.string(),
  environment: z.string(),
  name: z.string(),
  alias: z.string(),
  /** The candidate, and the version the environment's alias names (the stable slot). */
  candidate: z.strictObject({ digest: digestSchema, version: z.string().optional() }),
  stable: z.strictObject({ digest: digestSchema, version: z.string().optional() }).nullable(),
  /** What the analysis decided (for `analyze`: what `advance` would do now). */
  decision: canaryDecisionSchema.optional(),
  /** The step in force (index into `steps`) and the candidate's share of traffic, after this command. */
  step: z.number().int().min(0).optional(),
  steps: z.array(z.number().int()),
  percent: z.number().int().min(0).max(100),
  requests: requestCountsSchema.optional(),
  metrics: z.array(canaryMetricResultSchema),
  reasons: z.array(z.string()),
  requirements: z.array(requirementCheckSchema),
  evidence: z.array(evidenceRefSchema),
  targets: z.array(targetStepSchema),
  /** The router's state in one line ("haproxy model: blue 75 / green 25"). */
  router: z.string().optional(),
  deployment: deploymentRefSchema.optional(),
  records: z.array(z.strictObject({ event: promotionEventSchema, digest: digestSchema })),
  notifications: z.array(notificationSchema),
  startedAt: z.string().optional(),
  interrupted: z.literal(true).optional(),
});
export type CanaryResult = z.infer<typeof canaryResultSchema>;
