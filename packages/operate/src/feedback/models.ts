import { ExternalError } from "@llmops/core";
import type { Store } from "@llmops/store";
import { isVersionOf } from "./version-metadata.ts";

/** What the store says about an event's model ref. */
export type ModelStatus = "known" | "unknown" | "over-limit";

/**
 * Looks up the model versions feedback events name, once per distinct ref, and keeps the known
 * ones as lineage parents. A ref is known when the store holds a model version of that name with
 * that digest (manifest and metadata verified): the digest alone is not enough, since a layout
 * finds a digest under any name, and a forged event could name a dataset.
 *
 * Events are forgeable, so the refs are too: at most `maxModels` distinct refs are looked up (a
 * registry answers each with a request or two); events naming more are `over-limit`, and the
 * parents list stays as short as the number of models that really served.
 */
export class ModelLookup {
  readonly #store: Store;
  readonly #maxModels: number;
  readonly #status = new Map<string, ModelStatus>();
  readonly #unknown: string[] = [];

  constructor(store: Store, options: { maxModels: number }) {
    this.#store = store;
    this.#maxModels = options.maxModels;
  }

  /** Cached, so only the first event naming a ref waits for the store. */
  status(ref: string): ModelStatus | Promise<ModelStatus> {
    const cached = this.#status.get(ref);
    if (cached) return cached;
    if (this.#status.size >= this.#maxModels) return "over-limit";
    return this.#lookUp(ref);
  }

  async #lookUp(ref: string): Promise<ModelStatus> {
    const at = ref.indexOf("@");
    const name = ref.slice(0, at);
    let status: ModelStatus;
    try {
      const info = await this.#store.metadata(name, ref.slice(at + 1));
      status = info && isVersionOf(info, name, "model") ? "known" : "unknown";
    } catch (error) {
      if (!deniedOrMissing(error)) throw error;
      status = "unknown";
    }
    // Another event may have asked while this one waited: the first answer stands.
    const settled = this.#status.get(ref);
    if (settled) return settled;
    this.#status.set(ref, status);
    if (status === "unknown") this.#unknown.push(ref);
    return status;
  }

  /** Known refs, sorted (a stable parents list: same models, same metadata). */
  known(): string[] {
    return [...this.#status]
      .filter(([, s]) => s === "known")
      .map(([ref]) => ref)
      .sort();
  }

  /** Unknown refs in the order first met; at most `limit`. */
  unknown(limit: number): string[] {
    return this.#unknown.slice(0, limit);
  }

  get unknownCount(): number {
    return this.#unknown.length;
  }
}

/**
 * A registry refusing a repository the credentials cannot read (401, 403) or does not have (404)
 * says the model is not one of ours, not that the store is down; anything else (5xx after
 * retries, a refused token endpoint, a tampered store) stops the ingest.
 */
function deniedOrMissing(error: unknown): boolean {
  const status = (error as { status?: unknown }).status;
  return error instanceof ExternalError && (status === 401 || status === 403 || status === 404);
}
