import { Bitset } from "./bitset.ts";
import type { CaseTable } from "./case-table.ts";
import { similarity } from "./minhash.ts";
import type { PartitionedSpill } from "./spill.ts";

/** A later case that repeats an earlier one: case indices into the run's case table. */
export interface DuplicatePair {
  first: number;
  second: number;
  /** 1 for an exact duplicate; the estimated Jaccard similarity for a near one. */
  similarity: number;
  exact: boolean;
}

/**
 * Each case of a crowded LSH bucket is compared with at most this many earlier members. Pairs in
 * a bucket are quadratic; a case that is a near duplicate of anything there almost always is of
 * one of the first few, and exact copies never reach this far (they are settled first).
 */
export const MAX_BUCKET_COMPARISONS = 16;

/** Keeps the `limit` pairs whose second case comes first, in case order, without holding every pair. */
export class PairCollector {
  readonly #limit: number;
  #pairs: DuplicatePair[] = [];

  constructor(limit: number) {
    this.#limit = limit;
  }

  add(pair: DuplicatePair): void {
    if (this.#limit === 0) return;
    this.#pairs.push(pair);
    if (this.#pairs.length >= 4 * this.#limit) this.#trim();
  }

  #trim(): void {
    this.#pairs.sort((a, b) => a.second - b.second || a.first - b.first);
    this.#pairs.length = Math.min(this.#pairs.length, this.#limit);
  }

  pairs(): DuplicatePair[] {
    this.#trim();
    return this.#pairs;
  }
}

export interface DuplicateCounts {
  exact: number;
  near: number;
  /** Candidate pairs compared on their signatures (the cost LSH kept sub-quadratic). */
  comparisons: number;
  pairs: DuplicatePair[];
}

/**
 * Exact duplicates first: pairs (case, 32 bits of its text hash) spilled by the other bits are
 * grouped a partition at a time, and cases of a group whose full 128-bit hashes agree with an
 * earlier one's are exact duplicates. Then near duplicates: (case, band key) pairs are grouped the
 * same way, and in each LSH bucket a case not already settled is compared, on its signature, with
 * earlier members until one reaches `threshold`. Memory: one partition and a bit per case.
 */
export function findDuplicates(options: {
  table: CaseTable;
  exactSpill: PartitionedSpill;
  bandSpill: PartitionedSpill | undefined;
  threshold: number;
  listed: number;
  signal?: AbortSignal;
}): DuplicateCounts {
  const { table } = options;
  const exact = new Bitset();
  const near = new Bitset();
  const collector = new PairCollector(options.listed);
  const b = new Uint32Array(4);

  for (let p = 0; p < options.exactSpill.partitions; p++) {
    options.signal?.throwIfAborted();
    const words = pairsOf(options.exactSpill.sorted(p));
    forEachGroup(words, (start, end) => {
      // Distinct texts in the group (all share 32 hash bits): each one's first case and full hash.
      const firsts: number[] = [];
      const hashes: number[] = [];
      for (let i = start; i < end; i++) {
        const member = words[2 * i]!;
        table.hash(member, b);
        let original = -1;
        for (let f = 0; f < firsts.length; f++) {
          if (hashes[4 * f] === b[0] && hashes[4 * f + 1] === b[1] && hashes[4 * f + 2] === b[2] && hashes[4 * f + 3] === b[3]) {
            original = firsts[f]!;
            break;
          }
        }
        if (original < 0) {
          firsts.push(member);
          hashes.push(b[0]!, b[1]!, b[2]!, b[3]!);
        } else {
          exact.set(member);
          collector.add({ first: original, second: member, similarity: 1, exact: true });
        }
      }
    });
  }

  let comparisons = 0;
  if (options.bandSpill) {
    const k = table.permutations;
    const earlier = new Uint16Array(MAX_BUCKET_COMPARISONS * k);
    const current = new Uint16Array(k);
    for (let p = 0; p < options.bandSpill.partitions; p++) {
      options.signal?.throwIfAborted();
      const words = pairsOf(options.bandSpill.sorted(p));
      forEachGroup(words, (start, end) => {
        const members: number[] = [];
        for (let i = start; i < end; i++) {
          const member = words[2 * i]!;
          if (!exact.has(member)) members.push(member);
        }
        if (members.length < 2) return;
        let loaded = 0;
        for (let m = 1; m < members.length; m++) {
          const candidate = members[m]!;
          if (near.has(candidate)) continue;
          table.signature(candidate, current);
          const compare = Math.min(m, MAX_BUCKET_COMPARISONS);
          for (let e = 0; e < compare; e++) {
            if (e >= loaded) {
              table.signature(members[e]!, earlier, e * k);
              loaded = e + 1;
            }
            comparisons++;
            const s = similarity(earlier, e * k, current, 0, k);
            if (s >= options.threshold) {
              near.set(candidate);
              collector.add({ first: members[e]!, second: candidate, similarity: s, exact: false });
              break;
            }
          }
        }
      });
    }
  }
  return { exact: exact.count(), near: near.count(), comparisons, pairs: collector.pairs() };
}

/** The sorted 64-bit words as 32-bit halves: pair i is case `[2i]`, key `[2i + 1]` (little-endian). */
function pairsOf(sorted: BigUint64Array): Uint32Array {
  return new Uint32Array(sorted.buffer, sorted.byteOffset, sorted.length * 2);
}

/** Calls `group(start, end)` for each run of ≥ 2 pairs with the same key. */
function forEachGroup(words: Uint32Array, group: (start: number, end: number) => void): void {
  const pairs = words.length / 2;
  let start = 0;
  while (start < pairs) {
    const key = words[2 * start + 1];
    let end = start + 1;
    while (end < pairs && words[2 * end + 1] === key) end++;
    if (end - start >= 2) group(start, end);
    start = end;
  }
}
