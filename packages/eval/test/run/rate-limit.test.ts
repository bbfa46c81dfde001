import { describe, expect, it } from "vitest";
import { RateLimiter } from "../../src/run/rate-limit.ts";
import { runTasks } from "../../src/run/runner.ts";
import { fakeProvider, tasks, virtualClock } from "./helpers.ts";

describe("RateLimiter", () => {
  it("spaces requests at requestsPerSecond after a one-second burst", async () => {
    const clock = virtualClock();
    const limiter = new RateLimiter({ requestsPerSecond: 2 }, clock);
    const starts: number[] = [];
    for (let i = 0; i < 6; i++) {
      await limiter.acquire();
      starts.push(clock.now());
    }
    expect(starts).toEqual([0, 0, 500, 1000, 1500, 2000]);
  });

  it("holds calls back once tokensPerMinute are spent, until the bucket refills", async () => {
    const clock = virtualClock();
    const limiter = new RateLimiter({ tokensPerMinute: 600 }, clock);
    await limiter.acquire();
    limiter.charge(900); // 300 over budget: refilling 300 tokens at 10/s takes 30 s
    await limiter.acquire();
    expect(clock.now()).toBe(30_000);
  });

  it("is used by the runner for every provider call", async () => {
    const clock = virtualClock();
    const provider = fakeProvider();
    const starts: number[] = [];
    const original = provider.call.bind(provider);
    provider.call = (request) => {
      starts.push(clock.now());
      return original(request);
    };
    await runTasks({ provider, tasks: tasks(4), scorers: [], clock, rateLimit: { requestsPerSecond: 1 }, concurrency: 4 });
    expect(starts.sort((a, b) => a - b)).toEqual([0, 1000, 2000, 3000]);
  });

  it("does nothing without limits", async () => {
    const clock = virtualClock();
    const limiter = new RateLimiter({}, clock);
    for (let i = 0; i < 100; i++) await limiter.acquire();
    expect(clock.sleeps).toEqual([]);
  });
});
