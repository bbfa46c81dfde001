import { normalQuantile } from "./normal.ts";

/**
 * Wilson score interval for a binomial proportion (as statsmodels' `proportion_confint(method="wilson")`).
 * With no trials the proportion is unknown, so the interval is the whole of [0, 1].
 */
export function wilsonInterval(successes: number, n: number, level = 0.95): { low: number; high: number } {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`wilsonInterval: n must be a non-negative integer, got ${n}`);
  if (!(successes >= 0 && successes <= n)) throw new RangeError(`wilsonInterval: successes must be in [0, ${n}], got ${successes}`);
  if (!(level > 0 && level < 1)) throw new RangeError(`wilsonInterval: level must be in (0, 1), got ${level}`);
  if (n === 0) return { low: 0, high: 1 };
  const z = normalQuantile(1 - (1 - level) / 2);
  const z2 = z * z;
  const p = successes / n;
  const denominator = 1 + z2 / n;
  const center = (p + z2 / (2 * n)) / denominator;
  const half = (z / denominator) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // Clamp rounding noise at the ends (k = 0 or k = n give exactly 0 or 1 analytically).
  return { low: Math.max(0, center - half), high: Math.min(1, center + half) };
}
