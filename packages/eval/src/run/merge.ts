import type { CaseResult } from "@llmops/core";
import { InputError, type Logger, type RunSummary } from "@llmops/core";
import { buildRunSummary } from "../results/summary.ts";
import { combineShards, type ShardOutput } from "../shard.ts";
import type { PreparedSuite } from "./suite.ts";

/**
 * Merges shard outputs of one variant into the summary the unsharded run gives: the rows are
 * recombined in case order and summarised and gated exactly as a whole run is. The merge is
 * complete only when every case × repeat of the suite is present (a shard may have been
 * interrupted).
 */
export function mergeShardOutputs(
  outputs: ShardOutput[],
  prepared: PreparedSuite,
  options: { logger: Logger },
): { summary: RunSummary; rows: CaseResult[] } {
  const { rows, startedAt, finishedAt, first } = combineShards(outputs);
  const variant = prepared.variants.find((v) => v.name === first.suite);
  if (!variant) {
    throw new InputError(
      `eval merge: the config has no suite (or variant) named "${first.suite}"; known: ${prepared.variants.map((v) => v.name).join(", ")}`,
    );
  }
  if (variant.digest !== first.suiteDigest) {
    throw new InputError(
      `eval merge: ${first.suite} in the config has digest ${variant.digest}, the shards ran ${first.suiteDigest} (the suite or its cases changed)`,
    );
  }
  const present = new Set(rows.map((r) => `${r.index}/${r.repeat}`));
  let missing = 0;
  for (let position = 0; position < variant.tasks.length; position++) {
    const task = variant.tasks.at(position)!;
    if (!present.has(`${task.index}/${task.repeat}`)) missing++;
  }
  if (missing > 0)
    options.logger.warn(
      `eval merge: ${missing} of ${variant.tasks.length} case runs are missing (an interrupted shard); the merged run is incomplete`,
    );
  const summary = buildRunSummary({
    suite: first.suite,
    suiteDigest: first.suiteDigest,
    rows,
    scorers: prepared.scorers,
    gates: prepared.suite.gates,
    sliceKeys: prepared.suite.slices,
    ...(prepared.suite.passRule ? { passRule: prepared.suite.passRule } : {}),
    providers: first.providers,
    startedAt,
    finishedAt,
    complete: missing === 0,
    ...(first.model ? { model: first.model } : {}),
    ...(first.dataset ? { dataset: first.dataset } : {}),
    ...(first.git ? { git: first.git } : {}),
    ...(first.runUrl ? { runUrl: first.runUrl } : {}),
  });
  return { summary, rows };
}
