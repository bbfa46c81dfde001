import type { Clock } from "./types.ts";

export interface RateLimitOptions {
  requestsPerSecond?: number;
  tokensPerMinute?: number;
}

/**
 * Token buckets for requests/s and tokens/min. Request tokens are taken before a call; model
 * tokens are only known after it, so they are charged afterwards and the bucket may go negative,
 * which holds back later calls until it refills (the usual client-side approach).
 */
export class RateLimiter {
  readonly #clock: Clock;
  readonly #rps: number | undefined;
  readonly #tpm: number | undefined;
  #requestTokens: number;
  #modelTokens: number;
  #last: number;
  /** Serialises waiters so grants are first come, first served. */
  #queue: Promise<void> = Promise.resolve();

  constructor(options: RateLimitOptions, clock: Clock) {
    this.#clock = clock;
    this.#rps = options.requestsPerSecond && options.requestsPerSecond > 0 ? options.requestsPerSecond : undefined;
    this.#tpm = options.tokensPerMinute && options.tokensPerMinute > 0 ? options.tokensPerMinute : undefined;
    // A burst of one second's worth of requests (at least one) keeps the average exact.
    this.#requestTokens = this.#rps ? Math.max(1, this.#rps) : 0;
    this.#modelTokens = this.#tpm ?? 0;
    this.#last = clock.now();
  }

  get active(): boolean {
    return this.#rps !== undefined || this.#tpm !== undefined;
  }

  #refill(): void {
    const now = this.#clock.now();
    const elapsed = Math.max(0, now - this.#last);
    this.#last = now;
    if (this.#rps) this.#requestTokens = Math.min(Math.max(1, this.#rps), this.#requestTokens + (elapsed / 1000) * this.#rps);
    if (this.#tpm) this.#modelTokens = Math.min(this.#tpm, this.#modelTokens + (elapsed / 60_000) * this.#tpm);
  }

  /** Waits until a request may start. */
  acquire(signal?: AbortSignal): Promise<void> {
    if (!this.active) return Promise.resolve();
    const turn = this.#queue.then(() => this.#waitForCapacity(signal));
    // A rejected turn (aborted) must not block the ones after it.
    this.#queue = turn.catch(() => {});
    return turn;
  }

  async #waitForCapacity(signal?: AbortSignal): Promise<void> {
    for (;;) {
      this.#refill();
      let wait = 0;
      if (this.#rps && this.#requestTokens < 1) wait = Math.max(wait, ((1 - this.#requestTokens) / this.#rps) * 1000);
      if (this.#tpm && this.#modelTokens < 0) wait = Math.max(wait, (-this.#modelTokens / this.#tpm) * 60_000);
      if (wait <= 0) break;
      // The tolerance keeps float noise (30000.000000000004) from adding a whole millisecond.
      await this.#clock.sleep(Math.ceil(wait - 1e-6), signal);
    }
    if (this.#rps) this.#requestTokens -= 1;
  }

  /** Charges the model tokens a finished call used. */
  charge(tokens: number): void {
    if (!this.#tpm || !(tokens > 0)) return;
    this.#refill();
    this.#modelTokens -= tokens;
  }
}
