/**
 * P(X <= k) for X ~ Binomial(n, 1/2), computed in log space from the largest term downwards so it
 * neither underflows (2^-n for n > 1074) nor loses the small tail to cancellation.
 */
export function binomialCdfHalf(k: number, n: number): number {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`binomialCdfHalf: n must be a non-negative integer, got ${n}`);
  if (!Number.isInteger(k)) throw new RangeError(`binomialCdfHalf: k must be an integer, got ${k}`);
  if (k < 0) return 0;
  if (k >= n) return 1;
  // The distribution is symmetric; sum the shorter, decreasing side for accuracy.
  if (2 * k >= n) return 1 - binomialCdfHalf(n - k - 1, n);
  // log C(n, k) - n log 2; term k is the largest of terms 0..k because k < n/2.
  let logTerm = -n * Math.LN2;
  for (let i = 1; i <= k; i++) logTerm += Math.log((n - k + i) / i);
  let sum = 1;
  let ratio = 1;
  for (let i = k; i >= 1; i--) {
    ratio *= i / (n - i + 1);
    sum += ratio;
    if (ratio < 1e-18 * sum) break;
  }
  return Math.min(1, Math.exp(logTerm) * sum);
}
