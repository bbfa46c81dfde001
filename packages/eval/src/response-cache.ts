import { createHash, randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { canonicalJson, type Logger, retrievedContextSchema, toolCallSchema } from "@llmops/core";
import { z } from "zod";
import type { ProviderResponse } from "./providers/types.ts";

/** Where responses live below the working directory; persisted in Actions with @actions/cache. */
export const RESPONSE_CACHE_DIR = join(".llmops", "cache", "responses");

export interface CacheKeyParts {
  /** Provider identity: its config less id and credential values, and digests of files it reads. */
  identity: Record<string, unknown>;
  prompt: string;
  messages?: unknown;
  /** Module, command and HTTP providers see the case's vars, not only the prompt. */
  vars: Record<string, unknown>;
  repeat: number;
  /**
   * Digest of the model version evaluated (`--model`): a command or module loading weights from
   * disk, or a server behind an unchanged URL, answers differently for another version.
   */
  model?: string | undefined;
  /** The suite's `cacheKey`: whatever else changes the answers that no config shows. */
  cacheKey?: string | undefined;
}

const entrySchema = z.object({
  key: z.string(),
  output: z.string(),
  tokens: z.object({ prompt: z.number(), completion: z.number(), total: z.number() }).nullable(),
  cost: z.number().nullable(),
  latencyMs: z.number(),
  toolCalls: z.array(toolCallSchema).optional(),
  finishReason: z.string().nullable().optional(),
  ttftMs: z.number().nullable().optional(),
  generationMs: z.number().nullable().optional(),
  retrievedContext: retrievedContextSchema.optional(),
});
export type CachedResponse = z.infer<typeof entrySchema>;

/**
 * The canonical JSON the key hashes. Entries persist on disk and travel between workflow runs
 * (a pull request restores main's), so it must cover everything that decides the answer.
 */
export function responseCacheKeyMaterial(parts: CacheKeyParts): string {
  return canonicalJson({
    identity: parts.identity,
    prompt: parts.prompt,
    messages: parts.messages ?? null,
    vars: parts.vars,
    repeat: parts.repeat,
    model: parts.model ?? null,
    cacheKey: parts.cacheKey ?? null,
  });
}

export function responseCacheKey(parts: CacheKeyParts): string {
  return createHash("sha256").update(responseCacheKeyMaterial(parts)).digest("hex");
}

/**
 * Successful provider responses on disk, one JSON file per key under a two-hex fan-out
 * directory (keeps directories small). Only successes are stored: an error must be retried on
 * the next run, never replayed.
 */
export class ResponseCache {
  readonly dir: string;
  readonly #logger: Logger;
  readonly #madeDirs = new Set<string>();
  /**
   * Fan-out directories present at the first read. A key in none of them (nor in one made since)
   * is a miss without a failed open: on a cold run that is most of the cache's cost.
   */
  #existing: Promise<Set<string>> | undefined;

  constructor(dir: string, logger: Logger) {
    this.dir = dir;
    this.#logger = logger;
  }

  #path(key: string): string {
    return join(this.dir, key.slice(0, 2), `${key}.json`);
  }

  async get(key: string): Promise<CachedResponse | undefined> {
    this.#existing ??= readdir(this.dir).then(
      (names) => new Set(names),
      () => new Set<string>(),
    );
    if (!(await this.#existing).has(key.slice(0, 2)) && !this.#madeDirs.has(dirname(this.#path(key)))) return undefined;
    let text: string;
    try {
      text = await readFile(this.#path(key), "utf8");
    } catch {
      return undefined;
    }
    try {
      const entry = entrySchema.parse(JSON.parse(text));
      // A file under the wrong name (copied, corrupted) is a miss, not a wrong answer.
      return entry.key === key ? entry : undefined;
    } catch {
      this.#logger.debug(`response cache: ignoring unreadable entry ${key}`);
      return undefined;
    }
  }

  /** Stores a response with what it carries beyond text (tool calls, finish reason, stream timings) when present. */
  async set(key: string, response: ProviderResponse & { latencyMs: number }): Promise<void> {
    const path = this.#path(key);
    const temp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
    const entry: CachedResponse = {
      key,
      output: response.output,
      tokens: response.tokens,
      cost: response.cost,
      latencyMs: response.latencyMs,
      ...(response.toolCalls && response.toolCalls.length > 0 ? { toolCalls: response.toolCalls } : {}),
      ...(response.finishReason !== undefined ? { finishReason: response.finishReason } : {}),
      ...(response.ttftMs !== undefined ? { ttftMs: response.ttftMs } : {}),
      ...(response.generationMs !== undefined ? { generationMs: response.generationMs } : {}),
      ...(response.retrievedContext !== undefined ? { retrievedContext: response.retrievedContext } : {}),
    };
    try {
      const parent = dirname(path);
      if (!this.#madeDirs.has(parent)) {
        await mkdir(parent, { recursive: true });
        this.#madeDirs.add(parent);
      }
      await writeFile(temp, JSON.stringify(entry));
      await rename(temp, path);
    } catch (error) {
      // A cache that cannot be written costs speed on the next run, not correctness now.
      await rm(temp, { force: true }).catch(() => {});
      this.#logger.warn(`response cache: cannot write ${path}: ${(error as Error).message}`);
    }
  }
}

/** A cache hit as the provider's response it stores (latency aside). */
export function cachedProviderResponse(hit: CachedResponse): ProviderResponse {
  const { key: _key, latencyMs: _latency, toolCalls, ...rest } = hit;
  return { ...rest, ...(toolCalls && toolCalls.length > 0 ? { toolCalls } : {}) };
}
