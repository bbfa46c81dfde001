import {
  type CaseResult,
  digestSchema,
  EVAL_ARTIFACT_TYPE,
  type Logger,
  oneLine,
  PROMOTION_ARTIFACT_TYPE,
  type ResolvedVersion,
  type RunSummary,
} from "@llmops/core";
import { parseResults, parseSummary } from "@llmops/eval";
import type { Store } from "@llmops/store";
import { z } from "zod";

/**
 * What serves an environment and on which evidence it got there, read from the store: the alias's
 * version, the promotion record (`application/vnd.llmops.promotion.v1+json`) that moved the alias
 * to it, and the eval referrer that record names for the monitored suite.
 *
 * The promotion record's full schema belongs to @llmops/promote, which operate may not import:
 * this reads only the fields it needs, loosely, and skips a record it cannot read (as promote's
 * own reader skips foreign ones).
 */

const PROMOTION_FILE = "promotion.json";
const PROMOTION_FILE_MAX_BYTES = 16 * 1024 * 1024;
const SUMMARY_FILE = "summary.json";
const SUMMARY_MAX_BYTES = 16 * 1024 * 1024;
const ANNOTATION_ENVIRONMENT = "dev.llmops.environment";
const ANNOTATION_EVENT = "dev.llmops.event";
/** The events that put a version in an environment (a roll-back to it included). */
const PLACING_EVENTS = new Set(["promoted", "rolled-back"]);

const promotionFieldsSchema = z.looseObject({
  event: z.string(),
  id: z.string().max(256),
  environment: z.string().max(256),
  to: digestSchema,
  at: z.string().max(64),
  evidence: z
    .array(z.looseObject({ suite: z.string().max(256), digest: digestSchema }))
    .max(10_000)
    .default([]),
});

export interface ServingVersion extends ResolvedVersion {
  /** The promotion that placed it: its id and the eval referrer it names per suite. */
  promotion?: { id: string; evidence: Map<string, string> };
}

/** The version `name:alias` names, with the promotion record that put it there; null when the alias does not exist. */
export async function servingVersion(
  store: Store,
  target: { name: string; alias: string; environment: string },
  logger: Logger,
): Promise<ServingVersion | null> {
  const tags = await store.transport.listTags(store.repo(target.name));
  if (!tags.includes(target.alias)) return null;
  const version: ServingVersion = await store.resolve(`${target.name}:${target.alias}`);
  const records = await store.listEvidence(version, PROMOTION_ARTIFACT_TYPE);
  let newest: { at: string; id: string; evidence: Map<string, string> } | undefined;
  for (const entry of records) {
    if (entry.annotations[ANNOTATION_ENVIRONMENT] !== target.environment) continue;
    if (!PLACING_EVENTS.has(entry.annotations[ANNOTATION_EVENT] ?? "")) continue;
    try {
      const bytes = await store.readEvidenceFile(version, entry.digest, PROMOTION_FILE, { maxBytes: PROMOTION_FILE_MAX_BYTES });
      const parsed = promotionFieldsSchema.safeParse(JSON.parse(new TextDecoder().decode(bytes)));
      if (!parsed.success) {
        logger.debug(`promotion record ${entry.digest}: skipped (${parsed.error.issues[0]?.message ?? "invalid"})`);
        continue;
      }
      const record = parsed.data;
      if (record.environment !== target.environment || !PLACING_EVENTS.has(record.event) || record.to !== version.digest) continue;
      if (!newest || record.at > newest.at) {
        newest = { at: record.at, id: record.id, evidence: new Map(record.evidence.map((e) => [e.suite, e.digest])) };
      }
    } catch (error) {
      logger.debug(`promotion record ${entry.digest}: unreadable (${oneLine(error)})`);
    }
  }
  if (newest) version.promotion = { id: newest.id, evidence: newest.evidence };
  return version;
}

export interface BaselineRun {
  evidence: string;
  source: "promotion" | "version";
  promotion?: string;
  summary: RunSummary;
  cases: CaseResult[];
}

async function readEvalRun(store: Store, version: ResolvedVersion, digest: string): Promise<{ summary: RunSummary; cases: CaseResult[] }> {
  const what = `eval evidence ${digest.slice(0, 19)} on ${version.name}`;
  const summaryBytes = await store.readEvidenceFile(version, digest, SUMMARY_FILE, { maxBytes: SUMMARY_MAX_BYTES });
  const summary = parseSummary(new TextDecoder().decode(summaryBytes), `${what} ${SUMMARY_FILE}`);
  const results = summary.results.split("/").pop() ?? "results.jsonl";
  const resultsBytes = await store.readEvidenceFile(version, digest, results);
  return { summary, cases: parseResults(new TextDecoder().decode(resultsBytes), `${what} ${results}`) };
}

/**
 * The eval run of `suite` to compare the live endpoint with: the one the promotion record names
 * when it names one (complete), else the newest complete run of the suite recorded on the version.
 */
export async function baselineRun(store: Store, version: ServingVersion, suite: string, logger: Logger): Promise<BaselineRun | undefined> {
  const named = version.promotion?.evidence.get(suite);
  if (named) {
    const run = await readEvalRun(store, version, named);
    if (run.summary.complete && run.summary.suite === suite)
      return { evidence: named, source: "promotion", promotion: version.promotion!.id, ...run };
    logger.warn(`the promotion's evidence ${named.slice(0, 19)} for suite "${suite}" is not a complete run of it; looking for another`);
  }
  const listed = await store.listEvidence(version, EVAL_ARTIFACT_TYPE);
  for (const entry of listed) {
    if (entry.annotations["dev.llmops.suite"] !== suite || entry.digest === named) continue;
    const run = await readEvalRun(store, version, entry.digest);
    if (run.summary.complete && run.summary.suite === suite) return { evidence: entry.digest, source: "version", ...run };
  }
  return undefined;
}
