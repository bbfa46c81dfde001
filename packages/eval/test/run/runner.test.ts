import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { silentLogger } from "@llmops/core";
import { afterEach, describe, expect, it } from "vitest";
import { ResponseCache } from "../../src/response-cache.ts";
import { runTasks } from "../../src/run/runner.ts";
import { createRng } from "../../src/stats/index.ts";
import { delay, equalsScorer, FakeProviderError, fakeProvider, tasks, virtualClock } from "./helpers.ts";

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

describe("runTasks", () => {
  it("returns results in case order whatever the completion order", async () => {
    const rng = createRng(7);
    const completion: number[] = [];
    const provider = fakeProvider(async (request) => {
      await delay(Math.floor(rng() * 15));
      completion.push(request.vars.n as number);
      return undefined;
    });
    const { results, complete } = await runTasks({ provider, tasks: tasks(60), scorers: [equalsScorer], concurrency: 12 });
    expect(complete).toBe(true);
    expect(results.map((r) => r.index)).toEqual(Array.from({ length: 60 }, (_, i) => i));
    // The random latencies really did reorder completions, so the ordering above is the runner's doing.
    expect(completion).not.toEqual([...completion].sort((a, b) => a - b));
    expect(results.every((r) => r.pass && r.output === `say ${r.index}`)).toBe(true);
  });

  it("keeps at most `concurrency` calls in flight and uses all of them", async () => {
    let inFlight = 0;
    let peak = 0;
    const provider = fakeProvider(async () => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await delay(5);
      inFlight--;
      return undefined;
    });
    await runTasks({ provider, tasks: tasks(40), scorers: [], concurrency: 6 });
    expect(peak).toBe(6);
  });

  it("times out a provider that never answers, records the error and goes on", async () => {
    const provider = fakeProvider((request) => (request.vars.n === 2 ? new Promise<string>(() => {}) : undefined));
    const { results } = await runTasks({
      provider,
      tasks: tasks(5),
      scorers: [equalsScorer],
      timeoutMs: 40,
      retry: { retries: 1, baseDelayMs: 1 },
    });
    expect(results).toHaveLength(5);
    expect(results[2]!.error).toBe("timed out after 40 ms");
    expect(results[2]!.output).toBeNull();
    expect(results[2]!.pass).toBe(false);
    expect(results[2]!.scores).toEqual([
      { name: "exact", type: "equals", score: 0, pass: false, weight: 1, reason: "no output (provider error)" },
    ]);
    // Timeouts are retried: the hung case was called twice (first attempt + one retry).
    expect(provider.calls.filter((c) => c.vars.n === 2)).toHaveLength(2);
    expect(results.filter((r) => r.error === null)).toHaveLength(4);
  });

  it("retries retryable errors with exponential backoff and full jitter", async () => {
    const clock = virtualClock();
    const provider = fakeProvider((_request, call) => {
      if (call < 3) throw new FakeProviderError("server error", { retryable: true, status: 500 });
      return "ok";
    });
    const { results } = await runTasks({
      provider,
      tasks: tasks(1),
      scorers: [],
      clock,
      random: () => 0.5,
      retry: { retries: 3, baseDelayMs: 100, maxDelayMs: 10_000 },
    });
    expect(results[0]!.output).toBe("ok");
    expect(provider.calls).toHaveLength(4);
    // Full jitter: random() × min(cap, base × 2^attempt) = 0.5 × 100, 200, 400.
    expect(clock.sleeps).toEqual([50, 100, 200]);
  });

  it("waits exactly what Retry-After asks on 429", async () => {
    const clock = virtualClock();
    const provider = fakeProvider((_request, call) => {
      if (call === 0) throw new FakeProviderError("rate limited", { retryable: true, status: 429, retryAfterMs: 1500 });
      return undefined;
    });
    const { results } = await runTasks({ provider, tasks: tasks(1), scorers: [], clock, random: () => 0.5 });
    expect(results[0]!.error).toBeNull();
    expect(clock.sleeps).toEqual([1500]);
  });

  it("does not retry a non-retryable error (bad request, garbage body) and records it", async () => {
    const clock = virtualClock();
    const provider = fakeProvider((request) => {
      if (request.vars.n === 1) throw new FakeProviderError("expected a JSON chat completion, got invalid JSON", { retryable: false });
      return undefined;
    });
    const { results } = await runTasks({ provider, tasks: tasks(3), scorers: [equalsScorer], clock });
    expect(results.map((r) => r.error)).toEqual([null, "expected a JSON chat completion, got invalid JSON", null]);
    expect(provider.calls).toHaveLength(3);
    expect(clock.sleeps).toEqual([]);
  });

  it("records the failure after retries run out, with the HTTP status", async () => {
    const clock = virtualClock();
    const provider = fakeProvider(() => {
      throw new FakeProviderError("service unavailable", { retryable: true, status: 503 });
    });
    const { results } = await runTasks({ provider, tasks: tasks(2), scorers: [], clock, retry: { retries: 2 }, concurrency: 1 });
    expect(results.map((r) => r.error)).toEqual(["HTTP 503: service unavailable", "HTTP 503: service unavailable"]);
    expect(provider.calls).toHaveLength(6);
    expect(clock.sleeps).toHaveLength(4);
  });

  it("stops scheduling on abort and returns the finished results, in order, as incomplete", async () => {
    const controller = new AbortController();
    let finished = 0;
    const provider = fakeProvider(async (_request, call) => {
      if (call >= 10) await new Promise<void>(() => {});
      await delay(1);
      return undefined;
    });
    const run = runTasks({
      provider,
      tasks: tasks(50),
      scorers: [],
      concurrency: 4,
      signal: controller.signal,
      onResult: () => {
        finished++;
        if (finished === 10) controller.abort(new Error("interrupted"));
      },
    });
    const { results, complete } = await run;
    expect(complete).toBe(false);
    expect(results).toHaveLength(10);
    expect(results.map((r) => r.index)).toEqual([...results.map((r) => r.index)].sort((a, b) => a - b));
    expect(provider.calls.length).toBeLessThan(50);
  });

  it("runs repeats as separate rows and passes the repeat index to the cache key", async () => {
    const provider = fakeProvider();
    const { results } = await runTasks({ provider, tasks: tasks(2, 3), scorers: [] });
    expect(results.map((r) => [r.index, r.repeat])).toEqual([
      [0, 0],
      [0, 1],
      [0, 2],
      [1, 0],
      [1, 1],
      [1, 2],
    ]);
  });

  it("serves a warm re-run from the cache with zero provider calls, and never caches errors", async () => {
    const dir = await mkdtemp(join(tmpdir(), "llmops-cache-"));
    dirs.push(dir);
    const cache = new ResponseCache(dir, silentLogger);
    const failing = fakeProvider((request) => {
      if (request.vars.n === 3) throw new FakeProviderError("bad request", { retryable: false, status: 400 });
      return undefined;
    });
    const cold = await runTasks({ provider: failing, tasks: tasks(5), scorers: [equalsScorer], cache });
    expect(cold.providerCalls).toBe(5);
    expect(cold.results.every((r) => !r.cached)).toBe(true);

    const warm = fakeProvider();
    const second = await runTasks({ provider: warm, tasks: tasks(5), scorers: [equalsScorer], cache });
    // Only the case that failed is called again.
    expect(warm.calls.map((c) => c.vars.n)).toEqual([3]);
    expect(second.results.map((r) => r.cached)).toEqual([true, true, true, false, true]);
    expect(second.results.map((r) => r.output)).toEqual(cold.results.map((r, i) => (i === 3 ? "say 3" : r.output)));
    expect(second.results[0]!.latencyMs).toBe(cold.results[0]!.latencyMs);

    const third = fakeProvider();
    await runTasks({ provider: third, tasks: tasks(5), scorers: [equalsScorer], cache });
    expect(third.calls).toHaveLength(0);
    const fanout = await readdir(dir);
    expect(fanout.every((name) => /^[0-9a-f]{2}$/.test(name))).toBe(true);
  });

  it("keys the cache on provider identity: another model is not served a cached answer", async () => {
    const dir = await mkdtemp(join(tmpdir(), "llmops-cache-"));
    dirs.push(dir);
    const cache = new ResponseCache(dir, silentLogger);
    await runTasks({ provider: fakeProvider(), tasks: tasks(2), scorers: [], cache });
    const other = { ...fakeProvider(), identity: { type: "fake", model: "other" } };
    const calls: unknown[] = [];
    other.call = async (request) => {
      calls.push(request);
      return { output: "x", tokens: null, cost: null };
    };
    await runTasks({ provider: other, tasks: tasks(2), scorers: [], cache });
    expect(calls).toHaveLength(2);
  });

  it("records a scorer that throws as that scorer failing, not the run", async () => {
    const provider = fakeProvider();
    const broken = { ...equalsScorer, name: "broken", scoreCase: async () => Promise.reject(new Error("boom")) };
    const { results } = await runTasks({ provider, tasks: tasks(1), scorers: [equalsScorer, broken] });
    expect(results[0]!.scores.map((s) => [s.name, s.pass, s.reason])).toEqual([
      ["exact", true, undefined],
      ["broken", false, "scorer failed: boom"],
    ]);
    expect(results[0]!.pass).toBe(false);
  });
});
