import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { recordingLogger } from "@llmops/core";
import { afterEach, describe, expect, it } from "vitest";
import { ResponseCache, responseCacheKey } from "../../src/response-cache.ts";

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

describe("responseCacheKey", () => {
  const base = {
    identity: { type: "openai", model: "m", baseUrl: "http://x/v1", params: { temperature: 0 } },
    prompt: "hi",
    vars: { q: "a" },
    repeat: 0,
  };
  it("is the sha256 of the canonical JSON of identity, prompt, messages, vars, repeat, model and cacheKey", () => {
    // printf '%s' '{"cacheKey":null,"identity":{"baseUrl":"http://x/v1","model":"m","params":{"temperature":0},"type":"openai"},"messages":null,"model":null,"prompt":"hi","repeat":0,"vars":{"q":"a"}}' | sha256sum
    expect(responseCacheKey(base)).toBe("48f9fd7baf7bfe7b953c81b54c3b7b7682daf1766c5a205a0d859e5fc4d39170");
    // printf '%s' '{"cacheKey":"weights-2024-05","identity":{"baseUrl":"http://x/v1","model":"m","params":{"temperature":0},"type":"openai"},"messages":null,"model":"sha256:1111111111111111111111111111111111111111111111111111111111111111","prompt":"hi","repeat":0,"vars":{"q":"a"}}' | sha256sum
    expect(responseCacheKey({ ...base, model: `sha256:${"1".repeat(64)}`, cacheKey: "weights-2024-05" })).toBe(
      "ab1d7cc656b7a14c08eab0bab65ac8d42ca01975c80faea2f51f42d698d34488",
    );
  });
  it("changes with every part and not with key order", () => {
    const key = responseCacheKey(base);
    expect(
      responseCacheKey({ ...base, identity: { params: { temperature: 0 }, baseUrl: "http://x/v1", model: "m", type: "openai" } }),
    ).toBe(key);
    expect(responseCacheKey({ ...base, repeat: 1 })).not.toBe(key);
    expect(responseCacheKey({ ...base, prompt: "hi " })).not.toBe(key);
    expect(responseCacheKey({ ...base, identity: { ...base.identity, params: { temperature: 1 } } })).not.toBe(key);
    expect(responseCacheKey({ ...base, messages: [{ role: "user", content: "hi" }] })).not.toBe(key);
    // Module, command and HTTP providers see vars: same prompt, other vars is another response.
    expect(responseCacheKey({ ...base, vars: { q: "b" } })).not.toBe(key);
    // Another model version, or what the suite's cacheKey stands for, is another response.
    const v1 = responseCacheKey({ ...base, model: `sha256:${"1".repeat(64)}` });
    expect(v1).not.toBe(key);
    expect(responseCacheKey({ ...base, model: `sha256:${"2".repeat(64)}` })).not.toBe(v1);
    expect(responseCacheKey({ ...base, cacheKey: "weights-a" })).not.toBe(key);
    expect(responseCacheKey({ ...base, cacheKey: "weights-b" })).not.toBe(responseCacheKey({ ...base, cacheKey: "weights-a" }));
  });
});

describe("ResponseCache", () => {
  it("stores entries under a two-hex fan-out and reads them back", async () => {
    const dir = await mkdtemp(join(tmpdir(), "llmops-rc-"));
    dirs.push(dir);
    const cache = new ResponseCache(dir, recordingLogger());
    const key = "ab".repeat(32);
    expect(await cache.get(key)).toBeUndefined();
    await cache.set(key, { output: "x", tokens: { prompt: 1, completion: 2, total: 3 }, cost: 0.5, latencyMs: 12 });
    expect(await readdir(join(dir, "ab"))).toEqual([`${key}.json`]);
    expect(await cache.get(key)).toEqual({ key, output: "x", tokens: { prompt: 1, completion: 2, total: 3 }, cost: 0.5, latencyMs: 12 });
  });

  it("treats corrupt entries and entries under the wrong name as misses", async () => {
    const dir = await mkdtemp(join(tmpdir(), "llmops-rc-"));
    dirs.push(dir);
    const cache = new ResponseCache(dir, recordingLogger());
    const key = "cd".repeat(32);
    await cache.set(key, { output: "x", tokens: null, cost: null, latencyMs: 1 });
    const path = join(dir, "cd", `${key}.json`);
    const other = "ce".repeat(32);
    await cache.set(other, { output: "y", tokens: null, cost: null, latencyMs: 1 });
    await writeFile(join(dir, "ce", `${other}.json`), await readFile(path));
    expect(await cache.get(other)).toBeUndefined();
    await writeFile(path, "{not json");
    expect(await cache.get(key)).toBeUndefined();
  });
});
