import { binomialCdfHalf } from "./binomial.ts";

/**
 * McNemar's exact test: a two-sided binomial test on the discordant pairs, b (pass -> fail) and
 * c (fail -> pass): p = min(1, 2 P(X <= min(b, c))), X ~ Bin(b + c, 1/2). With no discordant
 * pairs there is no evidence of a difference: p = 1.
 */
export function mcnemarExact(b: number, c: number): number {
  if (!Number.isInteger(b) || !Number.isInteger(c) || b < 0 || c < 0) {
    throw new RangeError(`mcnemarExact: counts must be non-negative integers, got b=${b}, c=${c}`);
  }
  const n = b + c;
  if (n === 0) return 1;
  return Math.min(1, 2 * binomialCdfHalf(Math.min(b, c), n));
}
