import { createHash } from "node:crypto";
import * as cache from "@actions/cache";
import { type Logger, oneLine } from "@llmops/core";

/**
 * Persists the eval response cache directory between workflow runs with @actions/cache, so
 * unchanged cases cost nothing on a re-run. Cache entries are immutable, so each run saves under a
 * fresh key and restores the newest entry of the same suites through a restore-key prefix.
 * Everything here degrades to a warning: a missing cache service only costs provider calls.
 */

const PREFIX = "llmops-responses";

export interface ResponseCacheKeys {
  key: string;
  restoreKeys: string[];
}

/** `material` should identify the suites (e.g. the config file bytes and the selected suite names). */
export function responseCacheKeys(material: string, env: NodeJS.ProcessEnv = process.env): ResponseCacheKeys {
  const digest = createHash("sha256").update(material).digest("hex").slice(0, 16);
  const run = `${env.GITHUB_RUN_ID ?? "local"}-${env.GITHUB_RUN_ATTEMPT ?? "1"}-${env.GITHUB_JOB ?? "job"}`;
  return { key: `${PREFIX}-${digest}-${run}`, restoreKeys: [`${PREFIX}-${digest}-`, `${PREFIX}-`] };
}

export async function restoreResponseCache(dir: string, keys: ResponseCacheKeys, logger: Logger): Promise<string | undefined> {
  if (!cache.isFeatureAvailable()) {
    logger.warn("response cache: the Actions cache service is not available; every case calls its provider");
    return undefined;
  }
  try {
    const hit = await cache.restoreCache([dir], keys.key, keys.restoreKeys);
    logger.info(hit ? `response cache: restored ${hit}` : "response cache: no earlier entry");
    return hit;
  } catch (error) {
    logger.warn(`response cache: restore failed (${oneLine(error)}); continuing without it`);
    return undefined;
  }
}

export async function saveResponseCache(dir: string, keys: ResponseCacheKeys, logger: Logger): Promise<boolean> {
  if (!cache.isFeatureAvailable()) return false;
  try {
    await cache.saveCache([dir], keys.key);
    logger.info(`response cache: saved ${keys.key}`);
    return true;
  } catch (error) {
    logger.warn(`response cache: save failed (${oneLine(error)})`);
    return false;
  }
}
