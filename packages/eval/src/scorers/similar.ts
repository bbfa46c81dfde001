import { type EmbeddingsProviderConfig, embeddingsProviderSchema, InputError, similarScorerSchema } from "@llmops/core";
import { defineScorer, type RawScore, round } from "./definition.ts";
import { referenceList } from "./helpers.ts";
import type { EmbeddingsClient, ScorerContext } from "./types.ts";

/** Texts longer than this are not sent to be embedded: the case fails with a reason. */
export const MAX_EMBED_CHARS = 100_000;
/** Texts per embeddings request (OpenAI accepts up to 2,048 inputs). */
export const EMBED_BATCH_SIZE = 256;
/** Vectors kept per client; the oldest are dropped first. */
export const EMBED_CACHE_ENTRIES = 10_000;

/**
 * Cosine similarity a·b / (|a| |b|). Vectors of different lengths, a zero vector (whose direction,
 * and so the cosine, is undefined: numpy gives nan) and non-finite components are errors.
 */
export function cosineSimilarity(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) throw new RangeError(`cannot compare embeddings of ${a.length} and ${b.length} dimensions`);
  if (a.length === 0) throw new RangeError("cannot compare empty embeddings");
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    dot += x * y;
    normA += x * x;
    normB += y * y;
  }
  if (!Number.isFinite(dot) || !Number.isFinite(normA) || !Number.isFinite(normB)) {
    throw new RangeError("an embedding has a component that is not a finite number");
  }
  if (normA === 0 || normB === 0) throw new RangeError("the cosine of a zero vector is undefined");
  // Rounding can take |cos| a hair past 1 for parallel vectors.
  return Math.max(-1, Math.min(1, dot / (Math.sqrt(normA) * Math.sqrt(normB))));
}

interface Pending {
  text: string;
  resolve(vector: number[]): void;
  reject(error: unknown): void;
}

/**
 * Embeds texts through a client in batches, each text once: requests made in the same tick are
 * sent together (up to EMBED_BATCH_SIZE texts a request), and vectors are cached by text.
 */
export class EmbeddingBatcher {
  private readonly cache = new Map<string, Promise<number[]>>();
  private queue: Pending[] = [];
  private scheduled = false;
  /** Texts sent to the client, for the tests and the logs. */
  sent = 0;
  requests = 0;

  private readonly client: EmbeddingsClient;
  private readonly signal: AbortSignal;

  constructor(client: EmbeddingsClient, signal: AbortSignal) {
    this.client = client;
    this.signal = signal;
  }

  embed(text: string): Promise<number[]> {
    const cached = this.cache.get(text);
    if (cached) return cached;
    const promise = new Promise<number[]>((resolve, reject) => {
      this.queue.push({ text, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
    // A failed request is not cached: the next case asks again.
    promise.catch(() => this.cache.delete(text));
    if (this.cache.size >= EMBED_CACHE_ENTRIES) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(text, promise);
    return promise;
  }

  private flush(): void {
    this.scheduled = false;
    const queue = this.queue;
    this.queue = [];
    for (let start = 0; start < queue.length; start += EMBED_BATCH_SIZE) void this.send(queue.slice(start, start + EMBED_BATCH_SIZE));
  }

  private async send(batch: Pending[]): Promise<void> {
    this.requests++;
    this.sent += batch.length;
    try {
      const vectors = await this.client.embed(
        batch.map((p) => p.text),
        this.signal,
      );
      if (!Array.isArray(vectors) || vectors.length !== batch.length) {
        throw new Error(
          `embeddings ${this.client.id}: asked for ${batch.length} vectors, got ${Array.isArray(vectors) ? vectors.length : "none"}`,
        );
      }
      batch.forEach((pending, i) => {
        const vector = vectors[i];
        if (!Array.isArray(vector) || !vector.every((x) => typeof x === "number" && Number.isFinite(x))) {
          pending.reject(new Error(`embeddings ${this.client.id}: vector ${i} is not a list of finite numbers`));
        } else pending.resolve(vector);
      });
    } catch (error) {
      for (const pending of batch) pending.reject(error);
    }
  }
}

/** One batcher per client (the runner hands out one client per embeddings config), so scorers sharing a config share the cache. */
const batchers = new WeakMap<EmbeddingsClient, EmbeddingBatcher>();
function batcherFor(client: EmbeddingsClient, signal: AbortSignal): EmbeddingBatcher {
  let batcher = batchers.get(client);
  if (!batcher) {
    batcher = new EmbeddingBatcher(client, signal);
    batchers.set(client, batcher);
  }
  return batcher;
}

export const similarScorer = defineScorer({
  schemas: { similar: similarScorerSchema },
  docs: {
    definition:
      "Cosine similarity between the embedding of the output and the embedding of the reference (`value`, else the " +
      "case's `expected`; with several, the best), embedded by the `embeddings` provider (an OpenAI-compatible " +
      "`/v1/embeddings`, `type: embeddings`). Negative similarities score 0. A case passes at 0.8 unless `threshold` " +
      "says otherwise. Each distinct text is embedded once per run, in batches. A zero vector (whose cosine is " +
      "undefined), embeddings of different lengths, or a text over 100,000 characters fail the case with a reason, " +
      "which `not` does not flip; an empty output scores 0 without a call.",
    params:
      "`embeddings` (required: `model`, `baseUrl`, `apiKeyEnv`, `dimensions?`, `headers`), `value?` (a string or a list); threshold 0.8",
    score: "max(0, cosine similarity), the best over the references",
    reference:
      "Cosine similarity of embeddings as in promptfoo's `similar` assertion; reference values from numpy on fixed vectors (fixtures/similar/cosine_numpy.py).",
  },
  create(config, { label }) {
    const parsed = embeddingsProviderSchema.safeParse(config.embeddings);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new InputError(`${label}: embeddings${issue.path.length ? `.${issue.path.join(".")}` : ""}: ${issue.message}`);
    }
    const embeddingsConfig: EmbeddingsProviderConfig = parsed.data;
    const configured = config.value === undefined ? undefined : typeof config.value === "string" ? [config.value] : config.value;
    return {
      defaultThreshold: 0.8,
      async score(output, input, context: ScorerContext): Promise<RawScore> {
        const references = configured ?? referenceList(input.expected);
        if (references.length === 0) throw new Error(`${label}: similar needs \`value\` or the case's expected text`);
        if (!context.embeddings) throw new Error(`${label}: similar needs an embeddings client, and none was supplied to score with`);
        // Embeddings APIs refuse empty inputs: an empty output (a reply of tool calls only) is simply not similar.
        if (output.trim() === "") return { score: 0, reason: "the output is empty" };
        if (references.some((reference) => reference.trim() === "")) throw new Error(`${label}: a reference text is empty`);
        const texts = [output, ...references];
        const long = texts.findIndex((text) => text.length > MAX_EMBED_CHARS);
        if (long !== -1) {
          return {
            score: 0,
            pass: false,
            invalid: true,
            reason: `the ${long === 0 ? "output" : "reference"} has ${texts[long]!.length} characters, more than ${MAX_EMBED_CHARS} to embed`,
          };
        }
        const batcher = batcherFor(context.embeddings(embeddingsConfig), context.signal);
        const [vector, ...referenceVectors] = await Promise.all(texts.map((text) => batcher.embed(text)));
        let best = -Infinity;
        try {
          for (const reference of referenceVectors) best = Math.max(best, cosineSimilarity(vector!, reference));
        } catch (error) {
          return { score: 0, pass: false, invalid: true, reason: `cannot compare embeddings: ${(error as Error).message}` };
        }
        const score = Math.max(0, best);
        return { score, reason: `cosine similarity ${round(best)}${references.length > 1 ? ` (best of ${references.length})` : ""}` };
      },
    };
  },
});
