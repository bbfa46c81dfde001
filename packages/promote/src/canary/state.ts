import { type CanaryState, type Logger, type PromotionEvent, type ResolvedVersion, TERMINAL_DECISIONS } from "@llmops/core";
import type { Store } from "@llmops/store";
import { currentAlias } from "../environment.ts";
import { readPromotionRecords, type StoredPromotionRecord } from "../records.ts";

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
  const head = chainHead(records.filter((r) => wellFormed(r.record.canary!)));
  if (!head?.record.canary) return null;
  return {
    candidate,
    state: head.record.canary,
    head,
    start: records.find((r) => r.record.id === head.record.id && r.record.event === "canary-started"),
  };
}

/**
 * The newest state: the record no other record names as `previous` (each decision names the one
 * it follows, and a new rollout of the same candidate names the last one's end), not the one
 * with the latest clock, which another runner's clock or a forged time could decide. Two records
 * following one (runners that raced past the check) fork the chain: a rollback or abort among the
 * tips wins, because traffic is safest with stable; then the latest time.
 */
function chainHead(records: StoredPromotionRecord[]): StoredPromotionRecord | undefined {
  const followed = new Set(records.map((r) => r.record.canary?.previous).filter((d): d is string => d !== undefined));
  const tips = records.filter((r) => !followed.has(r.digest));
  const byTime = (a: StoredPromotionRecord, b: StoredPromotionRecord) =>
    a.record.at < b.record.at ? 1 : a.record.at > b.record.at ? -1 : 0;
  const stopping = tips.filter((r) => r.record.canary?.decision === "rollback" || r.record.canary?.decision === "abort").sort(byTime);
  return stopping[0] ?? tips.sort(byTime)[0];
}

/**
 * A state whose numbers fit together (steps increasing to 100, the step one of them, the traffic
 * that step's or 0 once stopped); a record that does not is ignored, whoever wrote it.
 */
function wellFormed(state: CanaryState): boolean {
  const { steps, step, percent, decision } = state;
  if (steps.at(-1) !== 100 || steps.some((s, i) => i > 0 && s <= steps[i - 1]!) || step >= steps.length) return false;
  if (decision === "rollback" || decision === "abort") return percent === 0;
  if (decision === "complete") return percent === 0 || percent === 100;
  return percent === steps[step];
}

export function rolloutInProgress(rollout: { state: CanaryState } | null): boolean {
  return rollout !== null && !TERMINAL_DECISIONS.includes(rollout.state.decision);
}

/**
 * Why `promote` or `rollback` must not touch an environment now: a rollout in progress there
 * (moving its alias or targets would pull the stable slot from under it). Null when none is.
 */
export async function rolloutInTheWay(
  store: Store,
  place: { name: string; alias: string; environment: string },
  logger: Logger,
  doing: string,
): Promise<string | null> {
  const rollout = await readRollout(store, place, logger);
  if (!rollout || !rolloutInProgress(rollout)) return null;
  const candidate = rollout.candidate.version ?? rollout.candidate.digest.slice(0, 19);
  return `a canary rollout of ${place.name} ${candidate} is in progress in ${place.environment} (${rollout.state.percent}% of traffic): advance it to its end or abort it (llmops canary abort ${place.environment}) before ${doing}`;
}
