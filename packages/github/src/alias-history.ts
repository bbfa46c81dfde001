import { EVAL_ARTIFACT_TYPE, type Logger, runSummarySchema } from "@llmops/core";
import { SUMMARY_FILE, SUMMARY_FILE_MAX_BYTES } from "@llmops/eval";
import type { HistoryPoint } from "@llmops/report";
import type { Store } from "@llmops/store";

/**
 * The trend behind an alias baseline: for the versions `name:alias` pointed to (oldest first, at
 * most `limit`), the mean of `metric` in each one's recorded eval of `suite`. Versions without
 * such evidence are skipped; the chart is a nicety, so failures end it quietly.
 */
export async function aliasMetricHistory(options: {
  store: Store;
  name: string;
  alias: string;
  suite: string;
  metric: string;
  limit?: number;
  logger: Logger;
}): Promise<HistoryPoint[]> {
  const { store, name, alias, suite, metric, logger } = options;
  try {
    const moves = await store.history(name, alias);
    const digests: string[] = [];
    for (const move of moves) if (!digests.includes(move.to)) digests.push(move.to);
    const points: HistoryPoint[] = [];
    for (const digest of digests.slice(0, options.limit ?? 8).reverse()) {
      const version = await store.resolve(`${name}@${digest}`);
      const evidence = (await store.listEvidence(version, EVAL_ARTIFACT_TYPE)).find((e) => e.annotations["dev.llmops.suite"] === suite);
      if (!evidence) continue;
      const summary = runSummarySchema.safeParse(
        JSON.parse(
          new TextDecoder().decode(
            await store.readEvidenceFile(version, evidence.digest, SUMMARY_FILE, { maxBytes: SUMMARY_FILE_MAX_BYTES }),
          ),
        ),
      );
      const value = summary.success ? summary.data.metrics.find((m) => m.name === metric)?.mean : undefined;
      if (value !== undefined) points.push({ label: version.version ?? digest.slice(7, 14), value });
    }
    return points;
  } catch (error) {
    logger.debug(`no trend for ${name}:${alias}: ${error instanceof Error ? error.message : String(error)}`);
    return [];
  }
}
