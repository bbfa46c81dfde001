import type { Logger } from "@llmops/core";
import type { HistoryEntry, Store } from "@llmops/store";
import { readPromotionRecords } from "./records.ts";

/** An environment's alias, as the places its promotion records and alias history are read from. */
export interface Place {
  /** The artifact. */
  name: string;
  alias: string;
  environment: string;
  /** The alias's moves, when the caller has read them already (store.history). */
  history?: HistoryEntry[];
}

/** Why a version does not count as good in an environment: the record that says so. */
export interface Disqualified {
  why: "smoke-failed" | "rolled-back";
  /** The record's time. */
  at: string;
}

/**
 * The one rule of which versions an environment really served, shared by `servedBefore` (what
 * `rollback` goes back to, `status`'s previous) and the `promotedTo` requirement. For each digest,
 * the newest promotion event of the environment about it decides:
 *
 * - bad: its smoke eval failed there (`smoke-failed`, recorded on it), or it was rolled back from
 *   (`rolled-back` with `from` = it: automatically after a failed smoke eval, recorded on it; by
 *   `llmops rollback`, recorded on the version it went back to; or a first promotion's targets
 *   undone, from = to = it);
 * - good: it was promoted (`promoted`, `smoke-passed`) or rolled back to (`rolled-back` with
 *   `to` = it and another `from`).
 *
 * `refused`, `failed` and `proposed` events say nothing about what served. A version re-promoted
 * after a roll-back counts again once its newer promotion is recorded.
 *
 * Reads the records of every version in the alias history (a manual roll-back's record lives on
 * the version it went back to) plus `also`; returns those digests, newest move first, the
 * disqualified ones and the good ones (a digest with no such event is neither).
 */
export async function judgeVersions(
  store: Store,
  place: Place,
  logger: Logger,
  also: string[] = [],
): Promise<{ order: string[]; bad: Map<string, Disqualified>; good: Set<string> }> {
  const order: string[] = [];
  for (const move of place.history ?? (await store.history(place.name, place.alias))) {
    for (const digest of [move.to, move.from]) if (digest && !order.includes(digest)) order.push(digest);
  }
  for (const digest of also) if (!order.includes(digest)) order.unshift(digest);
  const newest = new Map<string, { good: boolean; at: string; why?: Disqualified["why"] }>();
  const see = (digest: string, at: string, good: boolean, why?: Disqualified["why"]) => {
    const seen = newest.get(digest);
    if (!seen || seen.at < at || (seen.at === at && !good)) newest.set(digest, { good, at, ...(why ? { why } : {}) });
  };
  for (const digest of order) {
    const version = await store.resolve(`${place.name}@${digest}`);
    for (const { record } of await readPromotionRecords(store, version, { environment: place.environment, logger })) {
      switch (record.event) {
        case "promoted":
        case "smoke-passed":
          see(digest, record.at, true);
          break;
        case "smoke-failed":
          see(digest, record.at, false, "smoke-failed");
          break;
        case "rolled-back":
          if (record.from) see(record.from, record.at, false, "rolled-back");
          if (record.to !== record.from) see(record.to, record.at, true);
          break;
        default:
          break;
      }
    }
  }
  const bad = new Map<string, Disqualified>();
  const good = new Set<string>();
  for (const [digest, verdict] of newest) {
    if (verdict.good) good.add(digest);
    else bad.set(digest, { why: verdict.why!, at: verdict.at });
  }
  return { order, bad, good };
}

/**
 * The version an environment served before `current` that is worth going back to: the newest
 * earlier target of the alias that judgeVersions does not disqualify (never rolled back from or
 * failed its smoke eval there, unless promoted again since). Without this, the latest move after
 * an automatic roll-back (broken → good) names the broken version as "previous", and `rollback`
 * would redeploy it without a smoke eval. Null when there is none.
 */
export async function servedBefore(store: Store, place: Place & { current: string }, logger: Logger): Promise<string | null> {
  const { order, bad } = await judgeVersions(store, place, logger, [place.current]);
  return order.find((digest) => digest !== place.current && !bad.has(digest)) ?? null;
}

/**
 * Whether the environment serves `digest` as far as its records say: judgeVersions' newest verdict
 * on it is good. Not so for a version the alias names although its targets were undone (a first
 * promotion whose smoke eval failed), or one only tagged by hand: promote runs its targets again.
 */
export async function servesNow(store: Store, place: Place, digest: string, logger: Logger): Promise<boolean> {
  return (await judgeVersions(store, place, logger, [digest])).good.has(digest);
}
