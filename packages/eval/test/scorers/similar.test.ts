import { readFileSync } from "node:fs";
import { InputError, scorerConfigSchema, silentLogger } from "@llmops/core";
import { describe, expect, it } from "vitest";
import { cosineSimilarity, createScorer, EmbeddingBatcher, type ScorerContext, type ScorerInput } from "../../src/scorers/index.ts";
import type { EmbeddingsClient } from "../../src/scorers/types.ts";

// Reference cosines from numpy (fixtures/similar/cosine_numpy.py; the command is in its header).
const fixture = JSON.parse(readFileSync(new URL("../fixtures/similar/cosine-numpy.json", import.meta.url), "utf8")) as {
  numpy: string;
  cases: { name: string; a: number[]; b: number[]; cosine: number | "nan" | "error" }[];
};

describe("cosineSimilarity against numpy", () => {
  for (const c of fixture.cases) {
    it(`${c.name}: ${c.cosine === "nan" ? "numpy gives nan: an error here" : c.cosine === "error" ? "numpy refuses: an error here" : c.cosine}`, () => {
      if (c.cosine === "nan") expect(() => cosineSimilarity(c.a, c.b)).toThrow("the cosine of a zero vector is undefined");
      else if (c.cosine === "error") expect(() => cosineSimilarity(c.a, c.b)).toThrow(/cannot compare embeddings of 3 and 2 dimensions/);
      else expect(Math.abs(cosineSimilarity(c.a, c.b) - c.cosine)).toBeLessThanOrEqual(1e-12);
    });
  }
  it("non-finite components and empty vectors are errors", () => {
    expect(() => cosineSimilarity([1, Number.NaN], [1, 2])).toThrow(/not a finite number/);
    expect(() => cosineSimilarity([1e200, 1], [1, 1])).toThrow(/not a finite number/);
    expect(() => cosineSimilarity([], [])).toThrow(/empty/);
  });
});

/** A fake embeddings client: fixed vectors by text, recording each request. */
function fakeClient(vectors: Record<string, number[]>): EmbeddingsClient & { requests: string[][] } {
  const requests: string[][] = [];
  return {
    id: "fake",
    identity: {},
    requests,
    async embed(texts) {
      requests.push(texts);
      return texts.map((text) => {
        const vector = vectors[text];
        if (!vector) throw new Error(`no vector for ${text}`);
        return vector;
      });
    },
  };
}

const embeddings = { type: "embeddings", model: "text-embedding-3-small", baseUrl: "http://127.0.0.1:1/v1", apiKeyEnv: null };
const make = (config: Record<string, unknown>) =>
  createScorer(scorerConfigSchema.parse({ type: "similar", embeddings, ...config }), { cwd: "." });
const input = (output: string, expected?: unknown): ScorerInput => ({ output, expected, vars: {}, latencyMs: 1, tokens: null, cost: null });
const contextWith = (client: EmbeddingsClient, seen: unknown[] = []): ScorerContext => ({
  signal: new AbortController().signal,
  logger: silentLogger,
  cwd: ".",
  embeddings: (config) => {
    seen.push(config);
    return client;
  },
});

// Vectors whose cosines are easy by hand: cos(a, b) = 0.8 (3-4-5), cos(a, c) = 0, cos(a, d) = -1.
const VECTORS = { a: [1, 0], b: [0.8, 0.6], c: [0, 1], d: [-1, 0], zero: [0, 0], long: [1, 0, 0] };

describe("similar", () => {
  it("scores the cosine of output and expected; passes at 0.8 by default, or at the threshold", async () => {
    const client = fakeClient(VECTORS);
    const seen: unknown[] = [];
    expect(await make({}).scoreCase(input("a", "b"), contextWith(client, seen))).toEqual({
      score: 0.8,
      pass: true,
      reason: "cosine similarity 0.8",
    });
    expect((await make({ threshold: 0.9 }).scoreCase(input("a", "b"), contextWith(client))).pass).toBe(false);
    // The scorer hands the validated config (defaults filled) to the runner's client factory.
    expect(seen[0]).toEqual({ ...embeddings, headers: {} });
  });
  it("takes the best of several references; a negative cosine scores 0", async () => {
    const client = fakeClient(VECTORS);
    expect(await make({}).scoreCase(input("a", ["c", "b", "d"]), contextWith(client))).toEqual({
      score: 0.8,
      pass: true,
      reason: "cosine similarity 0.8 (best of 3)",
    });
    expect(await make({ value: "d" }).scoreCase(input("a", "b"), contextWith(client))).toEqual({
      score: 0,
      pass: false,
      reason: "cosine similarity -1",
    });
  });
  it("a zero vector or different dimensions fail the case, and not does not flip them", async () => {
    const client = fakeClient(VECTORS);
    expect(await make({ not: true }).scoreCase(input("zero", "a"), contextWith(client))).toEqual({
      score: 0,
      pass: false,
      reason: "cannot compare embeddings: the cosine of a zero vector is undefined",
    });
    expect(await make({}).scoreCase(input("long", "a"), contextWith(client))).toEqual({
      score: 0,
      pass: false,
      reason: "cannot compare embeddings: cannot compare embeddings of 3 and 2 dimensions",
    });
  });
  it("embeds each distinct text once, in one batch per tick, across cases and scorers sharing a client", async () => {
    const client = fakeClient(VECTORS);
    const context = contextWith(client);
    const first = make({ name: "s1" });
    const second = make({ name: "s2", value: ["b", "c"] });
    const results = await Promise.all([
      first.scoreCase(input("a", "b"), context),
      first.scoreCase(input("c", "b"), context),
      second.scoreCase(input("a"), context),
    ]);
    expect(results.map((r) => r.score)).toEqual([0.8, 0.6, 0.8]);
    expect(client.requests).toEqual([["a", "b", "c"]]);
    await first.scoreCase(input("b", "a"), context);
    expect(client.requests).toHaveLength(1);
  });
  it("splits large batches and does not cache failures", async () => {
    let calls = 0;
    const client: EmbeddingsClient = {
      id: "flaky",
      identity: {},
      async embed(texts) {
        calls++;
        if (calls === 1) throw new Error("HTTP 503");
        return texts.map(() => [1, 1]);
      },
    };
    const batcher = new EmbeddingBatcher(client, new AbortController().signal);
    await expect(batcher.embed("x")).rejects.toThrow("HTTP 503");
    expect(await batcher.embed("x")).toEqual([1, 1]);
    const texts = Array.from({ length: 600 }, (_, i) => `t${i}`);
    await Promise.all(texts.map((t) => batcher.embed(t)));
    expect(batcher.requests).toBe(2 + 3); // 600 texts: 256 + 256 + 88
  });
  it("a client that answers with the wrong number of vectors, or non-numbers, is an error", async () => {
    const short: EmbeddingsClient = { id: "short", identity: {}, embed: async () => [[1]] };
    await expect(make({}).scoreCase(input("a", "b"), contextWith(short))).rejects.toThrow("embeddings short: asked for 2 vectors, got 1");
    const strings: EmbeddingsClient = { id: "bad", identity: {}, embed: async (texts) => texts.map(() => ["1"] as unknown as number[]) };
    await expect(make({}).scoreCase(input("a", "b"), contextWith(strings))).rejects.toThrow("vector 0 is not a list of finite numbers");
  });
  it("config and input problems: a bad embeddings config is an InputError; no client, no reference, or a huge output", async () => {
    expect(() => make({ embeddings: { type: "embeddings" } })).toThrow(InputError);
    expect(() => make({ embeddings: { type: "embeddings" } })).toThrow(/^scorer similar: embeddings\.model: /);
    const noClient: ScorerContext = { signal: new AbortController().signal, logger: silentLogger, cwd: "." };
    await expect(make({}).scoreCase(input("a", "b"), noClient)).rejects.toThrow(/needs an embeddings client/);
    await expect(make({}).scoreCase(input("a"), contextWith(fakeClient(VECTORS)))).rejects.toThrow(
      /needs `value` or the case's expected text/,
    );
    const client = fakeClient(VECTORS);
    expect(await make({}).scoreCase(input(" ", "a"), contextWith(client))).toEqual({
      score: 0,
      pass: false,
      reason: "the output is empty",
    });
    await expect(make({}).scoreCase(input("a", ["b", ""]), contextWith(client))).rejects.toThrow(/a reference text is empty/);
    expect(client.requests).toEqual([]);
    expect(await make({}).scoreCase(input("x".repeat(100_001), "a"), contextWith(fakeClient(VECTORS)))).toEqual({
      score: 0,
      pass: false,
      reason: "the output has 100001 characters, more than 100000 to embed",
    });
  });
});
