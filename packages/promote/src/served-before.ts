import type { Logger } from "@llmops/core";
import type { Store } from "@llmops/store";
import { readPromotionRecords } from "./records.ts";

/**
 * The version an environment served before `current` that is worth going back to: the newest
 * earlier target of the alias that was never rolled back from (automatically after a failed smoke
 * eval, recorded on it, or by `llmops rollback`, recorded on the version it went back to) and
 * never failed its smoke eval there. Without this, the latest move after an automatic roll-back
 * (broken → good) names the broken version as "previous", and `rollback` would redeploy it
 * without a smoke eval. Null when there is none.
 */
export async function servedBefore(
  store: Store,
  place: { name: string; alias: string; environment: string; current: string },
  logger: Logger,
): Promise<string | null> {
  const order: string[] = [];
  for (const move of await store.history(place.name, place.alias)) {
    for (const digest of [move.to, move.from]) if (digest && !order.includes(digest)) order.push(digest);
  }
  if (!order.includes(place.current)) order.unshift(place.current);
  const bad = new Set<string>();
  for (const digest of order) {
    const version = await store.resolve(`${place.name}@${digest}`);
    for (const { record } of await readPromotionRecords(store, version, { environment: place.environment, logger })) {
      if (record.event === "smoke-failed") bad.add(digest);
      if (record.event === "rolled-back" && record.from && record.from !== record.to) bad.add(record.from);
    }
  }
  return order.find((digest) => digest !== place.current && !bad.has(digest)) ?? null;
}
