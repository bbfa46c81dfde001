import type { Clock } from "./types.ts";

export interface RetryPolicy {
  /** Retries after the first attempt. */
  retries: number;
  /** First backoff ceiling; doubles per attempt. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { retries: 3, baseDelayMs: 500, maxDelayMs: 30_000 };

/** What the runner needs to know about a failure; ProviderError carries these fields. */
interface RetryHints {
  retryable?: unknown;
  retryAfterMs?: unknown;
}

export function isRetryable(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as RetryHints).retryable === true;
}

/**
 * The wait before retry number `attempt` (0-based): the server's Retry-After when it gave one
 * (it knows when capacity returns; jitter on top would only add delay), otherwise exponential
 * backoff with full jitter (AWS architecture blog), which spreads synchronized clients apart.
 */
export function retryDelayMs(error: unknown, attempt: number, policy: RetryPolicy, random: () => number): number {
  const hinted = typeof error === "object" && error !== null ? (error as RetryHints).retryAfterMs : undefined;
  if (typeof hinted === "number" && Number.isFinite(hinted) && hinted >= 0) return Math.min(hinted, policy.maxDelayMs * 4);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return random() * ceiling;
}

/** Calls `attempt` until it succeeds, a non-retryable error occurs, retries run out or `signal` aborts. */
export async function withRetries<T>(
  attempt: (attemptNumber: number) => Promise<T>,
  options: {
    policy: RetryPolicy;
    clock: Clock;
    random: () => number;
    signal?: AbortSignal;
    onRetry?: (error: unknown, delayMs: number) => void;
  },
): Promise<{ value: T; attempts: number }> {
  for (let n = 0; ; n++) {
    try {
      return { value: await attempt(n), attempts: n + 1 };
    } catch (error) {
      if (options.signal?.aborted || n >= options.policy.retries || !isRetryable(error)) throw error;
      const delay = retryDelayMs(error, n, options.policy, options.random);
      options.onRetry?.(error, delay);
      await options.clock.sleep(delay, options.signal);
    }
  }
}
