import {
  EVAL_ARTIFACT_TYPE,
  type EvidenceStore,
  type EvidenceSummary,
  type Logger,
  oneLine,
  PROMOTION_ARTIFACT_TYPE,
  type ResolvedVersion,
} from "@llmops/core";
import { parseSummary } from "./parse.ts";
import { SUMMARY_FILE, SUMMARY_FILE_MAX_BYTES } from "./write.ts";

/**
 * An alias's history as the HTML report shows it, read from the store: every move of
 * `name:alias`, and for each version it pointed to, the eval evidence recorded on it (each
 * suite's newest summary: metrics with intervals, verdict) and its promotion records. The store
 * client is structural (`history` besides the evidence methods), so this package needs no store
 * dependency; `@llmops/store`'s `Store` fits.
 */

/** One move of an alias, as `Store.history` gives it. */
export interface AliasMoveRecord {
  when: string;
  from: string | null;
  to: string;
  actor?: string;
  runUrl?: string;
}

export interface AliasHistoryStore extends EvidenceStore {
  /** Moves of `alias` on `name`, newest first. */
  history(name: string, alias: string): Promise<AliasMoveRecord[]>;
}

export interface AliasHistoryMetric {
  name: string;
  mean: number;
  low?: number;
  high?: number;
  higherIsBetter: boolean;
}

export interface AliasHistoryVersion {
  digest: string;
  label: string;
  evidence: { suite: string; when?: string; passed: boolean; complete: boolean; metrics: AliasHistoryMetric[] }[];
  promotions: { digest: string; when?: string; annotations: Record<string, string> }[];
}

/** Matches `HtmlReportHistory` of `@llmops/report` (above eval in the layering), which the caller hands it to. */
export interface AliasHistory {
  name: string;
  alias: string;
  /** Oldest first. */
  moves: AliasMoveRecord[];
  versions: AliasHistoryVersion[];
}

const CREATED = "org.opencontainers.image.created";

/** The annotations of a promotion record worth showing: ours, not the OCI bookkeeping. */
function promotionAnnotations(evidence: EvidenceSummary): Record<string, string> {
  return Object.fromEntries(Object.entries(evidence.annotations).filter(([key]) => /^(dev|org)\.llmops\./.test(key)));
}

async function versionOf(store: AliasHistoryStore, name: string, digest: string, logger: Logger): Promise<AliasHistoryVersion> {
  const version: AliasHistoryVersion = { digest, label: digest.slice(7, 19), evidence: [], promotions: [] };
  let resolved: ResolvedVersion;
  try {
    resolved = await store.resolve(`${name}@${digest}`);
  } catch (error) {
    logger.debug(`history of ${name}: version ${digest.slice(0, 19)} cannot be read (${oneLine(error)})`);
    return version;
  }
  if (resolved.version) version.label = resolved.version;
  try {
    const seen = new Set<string>();
    // Newest first: the first evidence of each suite is the one shown.
    for (const item of await store.listEvidence(resolved, EVAL_ARTIFACT_TYPE)) {
      const suite = item.annotations["dev.llmops.suite"];
      if (suite === undefined || seen.has(suite)) continue;
      try {
        const bytes = await store.readEvidenceFile(resolved, item.digest, SUMMARY_FILE, { maxBytes: SUMMARY_FILE_MAX_BYTES });
        const summary = parseSummary(new TextDecoder().decode(bytes), `evidence ${item.digest.slice(0, 19)} ${SUMMARY_FILE}`);
        seen.add(suite);
        const when = item.annotations[CREATED];
        version.evidence.push({
          suite: summary.suite,
          ...(when ? { when } : {}),
          passed: summary.passed,
          complete: summary.complete,
          metrics: summary.metrics.map((m) => ({
            name: m.name,
            mean: m.mean,
            ...(m.ci.method === "none" ? {} : { low: m.ci.low, high: m.ci.high }),
            higherIsBetter: m.higherIsBetter,
          })),
        });
      } catch (error) {
        logger.debug(`history of ${name}: evidence ${item.digest.slice(0, 19)} skipped (${oneLine(error)})`);
      }
    }
    for (const item of await store.listEvidence(resolved, PROMOTION_ARTIFACT_TYPE)) {
      const when = item.annotations[CREATED];
      version.promotions.push({ digest: item.digest, ...(when ? { when } : {}), annotations: promotionAnnotations(item) });
    }
  } catch (error) {
    logger.debug(`history of ${name}: the evidence of ${version.label} cannot be listed (${oneLine(error)})`);
  }
  return version;
}

/**
 * Reads `name:alias`'s history from the store: its moves, oldest first, and the newest
 * `maxVersions` versions they pointed to with their evidence. An unreadable version or record is
 * skipped (a debug line says why); a store that cannot list the moves throws.
 */
export async function loadAliasHistory(options: {
  store: AliasHistoryStore;
  name: string;
  alias: string;
  maxVersions?: number;
  logger: Logger;
}): Promise<AliasHistory> {
  const { store, name, alias, logger } = options;
  const newestFirst = await store.history(name, alias);
  const digests: string[] = [];
  for (const move of newestFirst) if (!digests.includes(move.to)) digests.push(move.to);
  const versions: AliasHistoryVersion[] = [];
  for (const digest of digests.slice(0, options.maxVersions ?? 50)) versions.push(await versionOf(store, name, digest, logger));
  const kept = new Set(versions.map((v) => v.digest));
  const moves = newestFirst
    .filter((m) => kept.has(m.to))
    .map((m) => ({
      when: m.when,
      from: m.from,
      to: m.to,
      ...(m.actor !== undefined ? { actor: m.actor } : {}),
      ...(m.runUrl !== undefined ? { runUrl: m.runUrl } : {}),
    }))
    .reverse();
  return { name, alias, moves, versions };
}
