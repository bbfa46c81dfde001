import type { Clock } from "./types.ts";

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first (so stopping is prompt). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Real time; `sleep` resolves early (rejecting) when the signal aborts so stopping is prompt. */
export const systemClock: Clock = {
  now: () => performance.now(),
  sleep,
};
