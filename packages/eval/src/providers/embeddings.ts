import { DEFAULT_OPENAI_BASE_URL, type EmbeddingsProviderConfig } from "@llmops/core";
import { jsonHeaders, parseJsonBody, readKey, redact, request, snippet } from "./fetch.ts";
import { configIdentity } from "./identity.ts";
import { type ProviderContext, ProviderError } from "./types.ts";

/** Inputs per request: well under OpenAI's 2,048, and a batch of 3,072-dimension vectors stays far below the body limit. */
export const EMBEDDINGS_BATCH_SIZE = 64;

export interface EmbeddingsClient {
  /** Label for messages: `embeddings:<model>`. */
  id: string;
  /** What a cache of embeddings keys on: the config less credential values. */
  identity: Record<string, unknown>;
  /** One vector per text, in the texts' order; all of one length. */
  embed(texts: string[], signal: AbortSignal): Promise<number[][]>;
}

/**
 * OpenAI-compatible `/embeddings` (OpenAI, Azure-style proxies, vLLM, Ollama, TEI): texts go in
 * batches, vectors come back ordered by their `index` and checked (finite numbers, one length,
 * `dimensions` when configured). A duplicate text is embedded once. Failures are ProviderErrors,
 * retryable as for chat (429, 5xx, network); retrying is the caller's.
 */
export function createEmbeddingsClient(config: EmbeddingsProviderConfig, context: ProviderContext): EmbeddingsClient {
  const base = config.baseUrl.replace(/\/+$/, "");
  const url = `${base}/embeddings`;
  const keyEnv = config.apiKeyEnv === null ? undefined : (config.apiKeyEnv ?? "OPENAI_API_KEY");
  const keyRequired = config.apiKeyEnv != null || base === DEFAULT_OPENAI_BASE_URL;
  const id = `embeddings:${config.model}`;
  if (keyEnv && keyRequired) readKey(context.env, keyEnv, id);

  return {
    id,
    identity: configIdentity(config),
    async embed(texts: string[], signal: AbortSignal): Promise<number[][]> {
      const key = keyEnv ? (keyRequired ? readKey(context.env, keyEnv, id) : context.env[keyEnv] || undefined) : undefined;
      const headers = { ...jsonHeaders(config.headers), ...(key ? { authorization: `Bearer ${key}` } : {}) };
      const unique = [...new Set(texts)];
      const vectors = new Map<string, number[]>();
      let width = config.dimensions;
      for (let start = 0; start < unique.length; start += EMBEDDINGS_BATCH_SIZE) {
        const batch = unique.slice(start, start + EMBEDDINGS_BATCH_SIZE);
        const body = {
          model: config.model,
          input: batch,
          encoding_format: "float",
          ...(config.dimensions !== undefined ? { dimensions: config.dimensions } : {}),
        };
        const response = await request(url, { method: "POST", headers, body: JSON.stringify(body), signal }, [key]);
        const fail = (what: string) =>
          new ProviderError(redact(`expected ${what} in the embeddings response, got: ${snippet(response.text)}`, [key]), {
            status: response.status,
            retryable: false,
          });
        const json = parseJsonBody(response, "an embeddings response", url, [key]) as { data?: unknown } | null;
        const data = json?.data;
        if (!Array.isArray(data) || data.length !== batch.length) throw fail(`data to hold ${batch.length} embeddings`);
        const ordered: (number[] | undefined)[] = new Array(batch.length);
        data.forEach((item: unknown, position) => {
          const { index, embedding } = (item ?? {}) as { index?: unknown; embedding?: unknown };
          // Without an index (some servers) the order is the position.
          const at = index === undefined ? position : index;
          if (typeof at !== "number" || !Number.isInteger(at) || at < 0 || at >= batch.length || ordered[at] !== undefined)
            throw fail(`data[${position}].index to be a distinct position below ${batch.length}`);
          if (!Array.isArray(embedding) || embedding.length === 0 || !embedding.every((x) => typeof x === "number" && Number.isFinite(x)))
            throw fail(`data[${position}].embedding to be a non-empty array of finite numbers`);
          width ??= embedding.length;
          if (embedding.length !== width)
            throw fail(`every embedding to have ${width} dimensions (data[${position}] has ${embedding.length})`);
          ordered[at] = embedding as number[];
        });
        batch.forEach((text, i) => {
          vectors.set(text, ordered[i]!);
        });
      }
      return texts.map((text) => vectors.get(text)!.slice());
    },
  };
}
