import { environmentArtifact, InputError, type Logger, loadConfig, oneLine } from "@llmops/core";
import type { Store } from "@llmops/store";
import { readRollout } from "./canary/state.ts";
import { currentAlias, environmentConfig } from "./environment.ts";
import { readPromotionRecords, type StoredPromotionRecord } from "./records.ts";
import type { EnvironmentStatus, StatusResult } from "./result.ts";
import { servedBefore } from "./served-before.ts";

export interface StatusOptions {
  store: Store;
  cwd: string;
  config?: string | undefined;
  logger: Logger;
  /** One environment; default every environment of the config, in file order. */
  environment?: string | undefined;
}

/**
 * `llmops status [environment]`: what each environment serves, since when, moved by whom from
 * which run, approved by whom on which evidence (the promotion record that put it there), the
 * newest promotion event (a newer proposal awaiting merge included), whether the version the alias
 * names had its targets undone (`undone`), and the version before it. Read from the store only.
 */
export async function status(options: StatusOptions): Promise<StatusResult> {
  const loaded = await loadConfig(options.config, { cwd: options.cwd });
  const names = options.environment !== undefined ? [options.environment] : Object.keys(loaded.config.environments);
  if (options.environment !== undefined) environmentConfig(loaded.config, options.environment);
  const environments: EnvironmentStatus[] = [];
  for (const environment of names) {
    const config = environmentConfig(loaded.config, environment);
    const alias = config.alias ?? environment;
    const name = environmentArtifact(loaded.config, environment);
    const entry: EnvironmentStatus = { environment, alias, digest: null, approvers: [], evidence: [], previous: null };
    if (config.url) entry.url = config.url;
    if (!name) {
      entry.error = `cannot tell which artifact it serves; set environments.${environment}.artifact`;
      environments.push(entry);
      continue;
    }
    entry.name = name;
    try {
      await describeEnvironment(options, entry, name);
      const rollout = await readRollout(options.store, { name, alias, environment }, options.logger);
      if (rollout) {
        entry.rollout = {
          state: rollout.state,
          record: rollout.head.digest,
          ...(rollout.candidate.version ? { version: rollout.candidate.version } : {}),
        };
      }
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      entry.error = oneLine(error);
    }
    environments.push(entry);
  }
  return { schemaVersion: 1, environments };
}

async function describeEnvironment(options: StatusOptions, entry: EnvironmentStatus, name: string): Promise<void> {
  const { store, logger } = options;
  const digest = await currentAlias(store, name, entry.alias);
  if (!digest) {
    await addProposal(options, entry, name, null);
    return;
  }
  entry.digest = digest;
  const serving = await store.resolve(`${name}@${digest}`);
  if (serving.version) entry.version = serving.version;
  const history = await store.history(name, entry.alias);
  const move = history.find((m) => m.to === digest);
  if (move) {
    entry.since = move.when;
    if (move.actor) entry.actor = move.actor;
    if (move.runUrl) entry.runUrl = move.runUrl;
  }
  entry.previous = await servedBefore(
    store,
    { name, alias: entry.alias, environment: entry.environment, current: digest, history },
    logger,
  );
  if (entry.previous) {
    const before = await store.resolve(`${name}@${entry.previous}`);
    if (before.version) entry.previousVersion = before.version;
  }
  const records = await readPromotionRecords(store, serving, { environment: entry.environment, logger });
  // The record that put it there: the newest `promoted` or `rolled-back` one moving the alias to it.
  const placing = records.find((r) => (r.record.event === "promoted" || r.record.event === "rolled-back") && r.record.to === digest);
  if (placing) {
    entry.approvers = placing.record.approvers;
    entry.evidence = placing.record.evidence;
    entry.promotionId = placing.record.id;
  }
  // An automatic roll-back is recorded on the version rolled back from: read that one's too.
  let others: StoredPromotionRecord[] = [];
  if (move?.from) {
    const from = move.from;
    others = (await readPromotionRecords(store, await store.resolve(`${name}@${from}`), { environment: entry.environment, logger })).filter(
      (r) => r.record.event === "rolled-back" && r.record.from === from && r.record.to === digest,
    );
  }
  const newest = [...records, ...others].sort((a, b) => (a.record.at < b.record.at ? 1 : a.record.at > b.record.at ? -1 : 0))[0];
  if (newest) {
    entry.lastEvent = {
      event: newest.record.event,
      at: newest.record.at,
      digest: newest.digest,
      ...(newest.record.reason ? { reason: newest.record.reason } : {}),
    };
  }
  // A first promotion whose smoke eval failed: its targets were undone, the alias still names it.
  const state = records.find((r) => !NOT_ABOUT_SERVING.has(r.record.event));
  if (state?.record.event === "rolled-back" && state.record.from === digest && state.record.to === digest) entry.undone = true;
  await addProposal(options, entry, name, digest);
}

/** Events that say nothing about what serves: a refused or failed attempt, a proposal, a rollout under way. */
const NOT_ABOUT_SERVING = new Set(["refused", "failed", "proposed", "canary-started", "canary-analyzed"]);

/** How many of the newest versions status looks at for a `proposed` promotion awaiting merge. */
const PROPOSAL_LOOKBACK = 20;

/**
 * A `proposed` promotion (a gitops pull request awaiting merge) is recorded on the version it
 * proposes, which the alias does not name: the newest such record of the environment on one of the
 * newest PROPOSAL_LOOKBACK versions becomes the last event when it is newer than the one above.
 */
async function addProposal(options: StatusOptions, entry: EnvironmentStatus, name: string, serving: string | null): Promise<void> {
  const { store, logger } = options;
  let newest: { record: StoredPromotionRecord; subject: string; version?: string } | undefined;
  let versions: Awaited<ReturnType<typeof store.list>>;
  try {
    versions = await store.list(name);
  } catch (error) {
    logger.debug(`versions of ${name} not listed (${oneLine(error)}); no proposal shown`);
    return;
  }
  for (const listed of versions.slice(0, PROPOSAL_LOOKBACK)) {
    if (listed.digest === serving) continue;
    const subject = { name, digest: listed.digest, version: listed.version };
    const [found] = await readPromotionRecords(store, subject, { environment: entry.environment, events: ["proposed"], logger });
    if (found && (!newest || found.record.at > newest.record.record.at))
      newest = { record: found, subject: listed.digest, version: listed.version };
  }
  if (!newest || (entry.lastEvent && entry.lastEvent.at >= newest.record.record.at)) return;
  const { record, digest } = newest.record;
  entry.lastEvent = {
    event: record.event,
    at: record.at,
    digest,
    ...(record.reason ? { reason: record.reason } : {}),
    subject: newest.subject,
    ...(newest.version ? { subjectVersion: newest.version } : {}),
  };
}
