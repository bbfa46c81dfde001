import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { copyFile, lstat, mkdir, rename, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as cache from "@actions/cache";
import type { Logger } from "@llmops/core";
import { type BlobCache, hashFile, isDigest } from "@llmops/store";

/** The part of `@actions/cache` this adapter uses; tests pass their own. */
export interface CacheService {
  isFeatureAvailable(): boolean;
  restoreCache(paths: string[], primaryKey: string): Promise<string | undefined>;
  saveCache(paths: string[], key: string): Promise<number>;
}

/**
 * `@actions/cache` as a read-through blob cache keyed `llmops-blob-<digest>`: keys are digests, so
 * an entry never goes stale. The cache service matches entries on the exact paths saved, so blobs
 * go through one fixed directory (`$RUNNER_TEMP/llmops-blobs/<hex>`). That path is built from the
 * digest, so a digest is checked before any path is made of it (nothing outside that directory
 * can be written or removed), and a restored entry is hashed before it replaces `target`: a
 * corrupt or hostile cache entry is a miss, never a file. Calls for the same digest (two files with
 * equal content) take turns, since they share that path. When the service is unavailable (no
 * ACTIONS_CACHE_URL, a self-hosted runner without it, an outage) every call degrades to a miss
 * with one warning.
 */
export function actionsBlobCache(logger: Logger, env: NodeJS.ProcessEnv = process.env, service: CacheService = cache): BlobCache {
  const root = join(env.RUNNER_TEMP || tmpdir(), "llmops-blobs");
  let warned = false;
  const unavailable = (why: string) => {
    if (!warned) logger.warn(`blob cache unavailable (${why}); fetching from the store`);
    warned = true;
  };
  const stable = (digest: string) => join(root, digest.slice("sha256:".length));
  const key = (digest: string) => `llmops-blob-${digest.replace(":", "-")}`;
  const turns = new Map<string, Promise<unknown>>();
  const inTurn = <T>(digest: string, work: () => Promise<T>): Promise<T> => {
    const run = (turns.get(digest) ?? Promise.resolve()).then(work, work);
    const settled = run.catch(() => {});
    turns.set(digest, settled);
    void settled.then(() => {
      if (turns.get(digest) === settled) turns.delete(digest);
    });
    return run;
  };
  const usable = (digest: string): boolean => {
    if (!isDigest(digest)) {
      logger.warn(`blob cache: digest ${JSON.stringify(digest)} is not sha256:<64 lowercase hex>; not using the cache for it`);
      return false;
    }
    if (!service.isFeatureAvailable()) {
      unavailable("the Actions cache service is not configured");
      return false;
    }
    return true;
  };
  return {
    async restore(digest, target) {
      if (!usable(digest)) return false;
      return inTurn(digest, async () => {
        const path = stable(digest);
        try {
          await mkdir(root, { recursive: true });
          const hit = await service.restoreCache([path], key(digest));
          if (!hit) return false;
          const st = await lstat(path);
          const got = st.isFile() ? await hashFile(path) : undefined;
          if (got?.digest !== digest) {
            logger.warn(`blob cache entry ${key(digest)} does not hold ${digest}; ignoring it`);
            return false;
          }
          // Verified bytes only, and whole: a copy beside the target renamed over it.
          const temp = `${target}.${randomBytes(4).toString("hex")}.tmp`;
          try {
            await copyFile(path, temp);
            await rename(temp, target);
          } catch (error) {
            await rm(temp, { force: true });
            throw error;
          }
          return true;
        } catch (error) {
          unavailable((error as Error).message.split("\n")[0] ?? "error");
          return false;
        } finally {
          await rm(path, { recursive: true, force: true });
        }
      });
    },
    async save(digest, path) {
      if (!usable(digest)) return;
      await inTurn(digest, async () => {
        const stablePath = stable(digest);
        try {
          await mkdir(root, { recursive: true });
          // Whatever a crash left at our own path goes first, so the copy never follows a link planted there.
          await rm(stablePath, { recursive: true, force: true });
          await copyFile(path, stablePath, constants.COPYFILE_EXCL);
          await service.saveCache([stablePath], key(digest));
        } catch (error) {
          // Another job saving the same digest first is a success for us.
          if ((error as Error).name !== "ReserveCacheError") unavailable((error as Error).message.split("\n")[0] ?? "error");
        } finally {
          await rm(stablePath, { recursive: true, force: true });
        }
      });
    },
  };
}
