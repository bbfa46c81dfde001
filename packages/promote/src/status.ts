import { environmentArtifact, InputError, type Logger, loadConfig, oneLine } from "@llmops/core";
import type { Store } from "@llmops/store";
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
 * newest promotion event, and the version before it. Read from the store only.
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
  if (!digest) return;
  entry.digest = digest;
  const serving = await store.resolve(`${name}@${digest}`);
  if (serving.version) entry.version = serving.version;
  const move = (await store.history(name, entry.alias)).find((m) => m.to === digest);
  if (move) {
    entry.since = move.when;
    if (move.actor) entry.actor = move.actor;
    if (move.runUrl) entry.runUrl = move.runUrl;
  }
  entry.previous = await servedBefore(store, { name, alias: entry.alias, environment: entry.environment, current: digest }, logger);
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
}
