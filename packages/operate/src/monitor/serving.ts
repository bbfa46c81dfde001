import {
  ANNOTATION_ENVIRONMENT,
  ANNOTATION_EVENT,
  type CaseResult,
  EVAL_ARTIFACT_TYPE,
  type Logger,
  PROMOTION_ARTIFACT_TYPE,
  PROMOTION_FILE,
  PROMOTION_FILE_MAX_BYTES,
  type PromotionEvent,
  type PromotionRecord,
  promotionRecordSchema,
  type ResolvedVersion,
  type RunSummary,
} from "@llmops/core";
import { parseResults, parseSummary, SUMMARY_FILE, SUMMARY_FILE_MAX_BYTES } from "@llmops/eval";
import type { Store } from "@llmops/store";

/**
 * What serves an environment and on which evidence it got there, read from the store: the alias's
 * version, the promotion record (`application/vnd.llmops.promotion.v1+json`, whose contract is
 * @llmops/core's) that moved the alias to it, and the eval referrer that record names for the
 * monitored suite.
 */

/** The events that put a version in an environment (a roll-back to it included). */
const PLACING_EVENTS: readonly PromotionEvent[] = ["promoted", "rolled-back"];
const placing = (event: string | undefined) => PLACING_EVENTS.some((e) => e === event);

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
  const records = await store.readEvidenceJson(version, {
    artifactType: PROMOTION_ARTIFACT_TYPE,
    file: PROMOTION_FILE,
    schema: promotionRecordSchema,
    maxBytes: PROMOTION_FILE_MAX_BYTES,
    what: "promotion record",
    match: (annotations) => annotations[ANNOTATION_ENVIRONMENT] === target.environment && placing(annotations[ANNOTATION_EVENT]),
    logger,
  });
  // The newest record that left the alias on this very digest is the promotion that placed what
  // serves: a `promoted` (or a canary's completion) or a `rolled-back` back to it. The other events
  // never moved the alias onto it (smoke results, refusals, a canary still running, a proposal),
  // and a record whose `to` is another digest describes an earlier or later placement of the alias.
  // The record's own fields decide: the annotations are only its writer's word.
  let newest: PromotionRecord | undefined;
  for (const { value: record } of records) {
    if (record.environment !== target.environment || !placing(record.event) || record.to !== version.digest) continue;
    if (!newest || record.at > newest.at) newest = record;
  }
  if (newest) version.promotion = { id: newest.id, evidence: new Map(newest.evidence.map((e) => [e.suite, e.digest])) };
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
  const summaryBytes = await store.readEvidenceFile(version, digest, SUMMARY_FILE, { maxBytes: SUMMARY_FILE_MAX_BYTES });
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
