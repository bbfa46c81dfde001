import type { Logger, ResolvedVersion } from "@llmops/core";
import type { Store } from "@llmops/store";
import { currentAlias } from "../environment.ts";
import { type PromotionEvent, readPromotionRecords, type StoredPromotionRecord } from "../records.ts";
import { type CanaryState, TERMINAL_DECISIONS } from "./state-schema.ts";

/** The tag naming the candidate of an environment's newest rollout: `<alias>-canary`. */
export function canaryAlias(alias: string): string {
  return `${alias}-canary`;
}

/** An environment's newest rollout as its newest record left it. */
export interface RolloutRecords {
  candidate: ResolvedVersion;
  state: CanaryState;
  /** The newest record of the rollout: its digest is what the next decision follows. */
  head: StoredPromotionRecord;
  /** The `canary-started` record (targets applied to the canary slot, the deployment). */
  start: StoredPromotionRecord | undefined;
}

const CANARY_EVENTS: readonly PromotionEvent[] = ["canary-started", "canary-analyzed", "promoted", "rolled-back"];

/** The environment's newest rollout (finished or not), or null when there never was one. */
export async function readRollout(
  store: Store,
  place: { name: string; alias: string; environment: string },
  logger: Logger,
): Promise<RolloutRecords | null> {
  const digest = await currentAlias(store, place.name, canaryAlias(place.alias));
  if (!digest) return null;
  const candidate = await store.resolve(`${place.name}@${digest}`);
  const records = (await readPromotionRecords(store, candidate, { environment: place.environment, events: CANARY_EVENTS, logger })).filter(
    (r) => r.record.canary !== undefined && r.record.canary.candidate === digest,
  );
  const head = records[0];
  if (!head?.record.canary) return null;
  return {
    candidate,
    state: head.record.canary,
    head,
    start: records.find((r) => r.record.id === head.record.id && r.record.event === "canary-started"),
  };
}

export function rolloutInProgress(rollout: { state: CanaryState } | null): boolean {
  return rollout !== null && !TERMINAL_DECISIONS.includes(rollout.state.decision);
}
