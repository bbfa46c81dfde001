import { mix32, seeds32 } from "./hash.ts";

/** Fixed, so signatures (and so the verdicts) are the same on every run and machine. */
const PERMUTATION_SEED = 0x6c6c6d6f;

/**
 * MinHash (Broder 1997) over 32-bit shingle hashes: permutation i maps x to mix32(x ^ seed_i), a
 * bijection of the 32-bit values, and the signature keeps each permutation's minimum. For two
 * sets, the chance that a position agrees is their Jaccard similarity.
 */
export class MinHasher {
  readonly permutations: number;
  readonly #seeds: Uint32Array;
  /** The signature being built (unsigned 32-bit minima). */
  readonly signature: Uint32Array;
  #empty = true;

  constructor(permutations: number) {
    this.permutations = permutations;
    this.#seeds = seeds32(permutations, PERMUTATION_SEED);
    this.signature = new Uint32Array(permutations);
    this.reset();
  }

  reset(): void {
    this.signature.fill(0xffffffff);
    this.#empty = true;
  }

  /** True until a shingle is added. */
  get empty(): boolean {
    return this.#empty;
  }

  add(shingle: number): void {
    this.#empty = false;
    const seeds = this.#seeds;
    const signature = this.signature;
    for (let i = 0; i < seeds.length; i++) {
      const value = mix32(shingle ^ seeds[i]!) >>> 0;
      if (value < signature[i]!) signature[i] = value;
    }
  }
}

/**
 * Signatures are kept as b-bit minwise hashes (Li & König 2010) with b = 16: the low 16 bits of
 * each minimum, half the bytes. Two different minima agree there by chance with probability
 * 2^-16, which `similarity` corrects for.
 */
export const SIGNATURE_BITS = 16;
const CHANCE = 2 ** -SIGNATURE_BITS;

/** Copies the low 16 bits of `signature` into `out` at `offset`. */
export function packSignature(signature: Uint32Array, out: Uint16Array, offset = 0): void {
  for (let i = 0; i < signature.length; i++) out[offset + i] = signature[i]! & 0xffff;
}

/**
 * The Jaccard similarity two packed signatures estimate: the share of positions that agree,
 * corrected for chance agreement of 16-bit values, (E - c) / (1 - c), clipped to [0, 1].
 */
export function similarity(a: Uint16Array, aOffset: number, b: Uint16Array, bOffset: number, length: number): number {
  let equal = 0;
  for (let i = 0; i < length; i++) if (a[aOffset + i] === b[bOffset + i]) equal++;
  const estimate = (equal / length - CHANCE) / (1 - CHANCE);
  return Math.min(1, Math.max(0, estimate));
}
