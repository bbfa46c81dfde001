import type { Provider, ProviderCall } from "../../src/providers/types.ts";
import type { Clock, RunTask } from "../../src/run/types.ts";
import type { Scorer } from "../../src/scorers/types.ts";

/** A clock whose sleeps return at once and advance virtual time, recording each wait. */
export function virtualClock(): Clock & { sleeps: number[]; time: number } {
  const clock = {
    time: 0,
    sleeps: [] as number[],
    now: () => clock.time,
    async sleep(ms: number, signal?: AbortSignal) {
      if (signal?.aborted) throw signal.reason;
      clock.sleeps.push(ms);
      clock.time += ms;
    },
  };
  return clock;
}

export function tasks(n: number, repeats = 1): RunTask[] {
  const out: RunTask[] = [];
  for (let i = 0; i < n; i++) {
    for (let r = 0; r < repeats; r++) {
      out.push({
        index: i,
        id: `c${i}`,
        repeat: r,
        prompt: `say ${i}`,
        vars: { n: i },
        expected: `say ${i}`,
        tags: { parity: i % 2 ? "odd" : "even" },
      });
    }
  }
  return out;
}

/** A provider that echoes the prompt, with an optional behaviour per call. */
export function fakeProvider(
  behaviour?: (request: ProviderCall, call: number) => Promise<string | undefined> | string | undefined,
): Provider & { calls: ProviderCall[] } {
  const calls: ProviderCall[] = [];
  return {
    id: "fake",
    identity: { type: "fake", model: "echo" },
    calls,
    async call(request) {
      calls.push(request);
      const out = behaviour ? await behaviour(request, calls.length - 1) : undefined;
      const output = out ?? request.prompt;
      return { output, tokens: { prompt: 3, completion: 2, total: 5 }, cost: 0.001 };
    },
  };
}

export const equalsScorer: Scorer = {
  name: "exact",
  type: "equals",
  weight: 1,
  higherIsBetter: true,
  async scoreCase(input) {
    const pass = input.output === input.expected;
    return { score: pass ? 1 : 0, pass };
  },
};

/** Shaped like the providers' ProviderError: the runner reads only these fields. */
export class FakeProviderError extends Error {
  readonly retryable: boolean;
  readonly status?: number;
  readonly retryAfterMs?: number;
  constructor(message: string, options: { retryable: boolean; status?: number; retryAfterMs?: number }) {
    super(message);
    this.retryable = options.retryable;
    if (options.status !== undefined) this.status = options.status;
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
  }
}

export const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
