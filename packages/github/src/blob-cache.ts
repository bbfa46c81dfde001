import { copyFile, mkdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as cache from "@actions/cache";
import type { Logger } from "@llmops/core";

/** Structurally the `BlobCache` of `@llmops/store`: restore/save one blob by digest. */
export interface ActionsBlobCache {
  restore(digest: string, target: string): Promise<boolean>;
  save(digest: string, path: string): Promise<void>;
}

/**
 * `@actions/cache` as a read-through blob cache keyed `llmops-blob-<digest>`: keys are digests, so
 * an entry never goes stale, and the store verifies restored bytes anyway. The cache service
 * matches entries on the exact paths saved, so blobs go through one fixed directory
 * (`$RUNNER_TEMP/llmops-blobs/<hex>`). When the service is unavailable (no ACTIONS_CACHE_URL, a
 * self-hosted runner without it, an outage) every call degrades to a miss with one warning.
 */
export function actionsBlobCache(logger: Logger, env: NodeJS.ProcessEnv = process.env): ActionsBlobCache {
  const root = join(env.RUNNER_TEMP || tmpdir(), "llmops-blobs");
  let warned = false;
  const unavailable = (why: string) => {
    if (!warned) logger.warn(`blob cache unavailable (${why}); fetching from the store`);
    warned = true;
  };
  const stable = (digest: string) => join(root, digest.replace(/^sha256:/, ""));
  const key = (digest: string) => `llmops-blob-${digest.replace(":", "-")}`;
  return {
    async restore(digest, target) {
      if (!cache.isFeatureAvailable()) {
        unavailable("the Actions cache service is not configured");
        return false;
      }
      try {
        await mkdir(root, { recursive: true });
        const hit = await cache.restoreCache([stable(digest)], key(digest));
        if (!hit) return false;
        await copyFile(stable(digest), target);
        return true;
      } catch (error) {
        unavailable((error as Error).message.split("\n")[0] ?? "error");
        return false;
      } finally {
        await rm(stable(digest), { force: true });
      }
    },
    async save(digest, path) {
      if (!cache.isFeatureAvailable()) {
        unavailable("the Actions cache service is not configured");
        return;
      }
      try {
        await mkdir(root, { recursive: true });
        await copyFile(path, stable(digest));
        await cache.saveCache([stable(digest)], key(digest));
      } catch (error) {
        // Another job saving the same digest first is a success for us.
        if ((error as Error).name !== "ReserveCacheError") unavailable((error as Error).message.split("\n")[0] ?? "error");
      } finally {
        await rm(stable(digest), { force: true });
      }
    },
  };
}
