import { quantileSorted } from "@llmops/eval";

/**
 * The Population Stability Index, PSI = Σ (s_i − r_i) · ln(s_i / r_i) over bins, r_i the
 * reference's share of a bin and s_i the sample's (Siddiqi, "Credit Risk Scorecards", 2006). An
 * empty bin's share counts as PSI_FLOOR, so one empty bin gives a large but finite term rather
 * than infinity (the shares are not renormalised). Numeric bins are cut at the reference's
 * quantiles: reference values split as evenly as their ties allow.
 */

/** The share an empty bin counts as. */
export const PSI_FLOOR = 1e-4;

/** PSI of two share vectors over the same bins. */
export function psiOfShares(reference: readonly number[], sample: readonly number[]): number {
  if (reference.length !== sample.length) throw new RangeError("psiOfShares: the share vectors differ in length");
  let psi = 0;
  for (let i = 0; i < reference.length; i++) {
    const r = Math.max(reference[i]!, PSI_FLOOR);
    const s = Math.max(sample[i]!, PSI_FLOOR);
    psi += (s - r) * Math.log(s / r);
  }
  return psi;
}

/**
 * The inner bin edges for `bins` bins: the reference's quantiles at k/bins, k = 1 … bins − 1
 * (linear interpolation, numpy's default), without repeats. Bin i holds the values v with
 * edge[i−1] ≤ v < edge[i]; the first and last bins are open-ended.
 */
export function quantileEdges(sortedReference: ArrayLike<number>, bins: number): number[] {
  const edges: number[] = [];
  for (let k = 1; k < bins; k++) {
    const edge = quantileSorted(sortedReference, k / bins);
    if (edges.length === 0 || edge > edges[edges.length - 1]!) edges.push(edge);
  }
  return edges;
}

/** Shares of `values` in the bins the edges cut (numpy's searchsorted, side right). */
export function binShares(values: ArrayLike<number>, edges: readonly number[]): number[] {
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    let low = 0;
    let high = edges.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (edges[mid]! <= v) low = mid + 1;
      else high = mid;
    }
    counts[low]!++;
  }
  return counts.map((c) => c / values.length);
}

/** PSI of numeric values, binned at the reference's quantiles. */
export function numericPsi(
  reference: ArrayLike<number>,
  sample: ArrayLike<number>,
  bins: number,
): { psi: number; edges: number[]; reference: number[]; sample: number[] } {
  const sorted = Float64Array.from(reference).sort();
  const edges = quantileEdges(sorted, bins);
  const r = binShares(reference, edges);
  const s = binShares(sample, edges);
  return { psi: psiOfShares(r, s), edges, reference: r, sample: s };
}

/** PSI of category counts over the union of their categories. */
export function categoricalPsi(reference: ReadonlyMap<string, number>, sample: ReadonlyMap<string, number>): number {
  const categories = [...new Set([...reference.keys(), ...sample.keys()])];
  const total = (m: ReadonlyMap<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
  const rn = total(reference);
  const sn = total(sample);
  return psiOfShares(
    categories.map((c) => (reference.get(c) ?? 0) / rn),
    categories.map((c) => (sample.get(c) ?? 0) / sn),
  );
}
