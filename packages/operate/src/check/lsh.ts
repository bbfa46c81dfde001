import { combine32, mix32 } from "./hash.ts";

/** LSH banding: `bands` bands of `rows` signature positions each (bands × rows ≤ permutations). */
export interface Banding {
  bands: number;
  rows: number;
}

/**
 * Weights of missed pairs and of spurious candidates when choosing the banding. Candidates are
 * verified on their signatures before they count, so a spurious one costs a comparison while a
 * missed near duplicate is a wrong answer: misses weigh nine times more.
 */
export const FALSE_POSITIVE_WEIGHT = 0.1;
export const FALSE_NEGATIVE_WEIGHT = 0.9;

/** Chance that a pair of similarity s shares at least one band: 1 - (1 - s^r)^b. */
export function candidateProbability(s: number, banding: Banding): number {
  return 1 - (1 - s ** banding.rows) ** banding.bands;
}

/** Composite Simpson's rule over [a, b] with `n` (even) intervals. */
function integrate(f: (x: number) => number, a: number, b: number, n = 200): number {
  if (b <= a) return 0;
  const h = (b - a) / n;
  let sum = f(a) + f(b);
  for (let i = 1; i < n; i++) sum += (i % 2 === 1 ? 4 : 2) * f(a + i * h);
  return (sum * h) / 3;
}

/**
 * The banding that minimises the weighted areas of spurious candidates below the threshold and of
 * missed pairs above it, searched over every (b, r) with b·r ≤ permutations — the rule of
 * datasketch's MinHashLSH (`_optimal_param`), with this module's weights.
 */
export function optimalBanding(threshold: number, permutations: number): Banding {
  let best: Banding = { bands: 1, rows: permutations };
  let bestError = Number.POSITIVE_INFINITY;
  for (let bands = 1; bands <= permutations; bands++) {
    for (let rows = 1; rows * bands <= permutations; rows++) {
      const banding = { bands, rows };
      const falsePositive = integrate((s) => candidateProbability(s, banding), 0, threshold);
      const falseNegative = integrate((s) => 1 - candidateProbability(s, banding), threshold, 1);
      const error = FALSE_POSITIVE_WEIGHT * falsePositive + FALSE_NEGATIVE_WEIGHT * falseNegative;
      if (error < bestError - 1e-12) {
        bestError = error;
        best = banding;
      }
    }
  }
  return best;
}

/**
 * The key of each band of a signature: its `rows` minima hashed together with the band's number,
 * so equal keys in different bands do not meet. Written to `out` (length ≥ bands).
 */
export function bandKeys(signature: Uint32Array, banding: Banding, out: Int32Array): void {
  for (let band = 0; band < banding.bands; band++) {
    let hash = mix32(band + 0x2545f491);
    const start = band * banding.rows;
    for (let i = start; i < start + banding.rows; i++) hash = combine32(hash, signature[i]! | 0);
    out[band] = mix32(hash ^ banding.rows);
  }
}
