/**
 * Small non-cryptographic hashes for the checks' compact structures (MinHash, LSH bands, n-gram
 * sets). Int32 arithmetic throughout (`Math.imul`, `| 0`), which V8 keeps unboxed; callers read
 * values as unsigned with `>>> 0` where order matters.
 */

/** MurmurHash3's 32-bit finaliser: every input bit affects every output bit. */
export function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** Folds `value` into a running hash (MurmurHash3's block step). */
export function combine32(hash: number, value: number): number {
  let k = Math.imul(value, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  hash ^= k;
  hash = (hash << 13) | (hash >>> 19);
  return (Math.imul(hash, 5) + 0xe6546b64) | 0;
}

/**
 * Two independent 32-bit hashes of `text` from one pass over its UTF-16 code units, written to
 * `out[0]` and `out[1]`: together a 64-bit hash, so sets of millions of n-grams have a collision
 * probability near 2^-64 per pair.
 */
export function hashString64(text: string, out: Int32Array | Uint32Array, start = 0, end = text.length): void {
  let a = 0x9747b28c ^ (end - start);
  let b = 0x1b873593 ^ Math.imul(end - start, 0x27d4eb2f);
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    a = combine32(a, c);
    b = (Math.imul(b ^ c, 0x01000193) + (b >>> 7)) | 0;
  }
  out[0] = mix32(a);
  out[1] = mix32(b ^ 0x5bd1e995);
}

/** SplitMix32-style generator of well-spread 32-bit seeds: the same `seed` gives the same sequence. */
export function seeds32(count: number, seed: number): Uint32Array {
  const out = new Uint32Array(count);
  let state = seed | 0;
  for (let i = 0; i < count; i++) {
    state = (state + 0x9e3779b9) | 0;
    out[i] = mix32(state) >>> 0;
  }
  return out;
}

/**
 * A 128-bit hash built incrementally from strings and numbers, with no allocation: four
 * independently seeded MurmurHash3-style lanes. It tells exact duplicates apart (two different
 * texts collide with probability about 2^-128 per pair); it is not cryptographic, so a crafted
 * pair could be made to collide, which would only report two cases as duplicates.
 */
export class Hash128 {
  readonly #lanes = new Int32Array(4);
  #length = 0;

  reset(): void {
    this.#lanes[0] = 0x243f6a88;
    this.#lanes[1] = 0x85a308d3 | 0;
    this.#lanes[2] = 0x13198a2e;
    this.#lanes[3] = 0x03707344;
    this.#length = 0;
  }

  constructor() {
    this.reset();
  }

  /** Adds a number (a length, a separator) as one 32-bit block. */
  number(value: number): this {
    const lanes = this.#lanes;
    lanes[0] = combine32(lanes[0]!, value);
    lanes[1] = combine32(lanes[1]!, value ^ 0x5bd1e995);
    lanes[2] = combine32(lanes[2]!, Math.imul(value, 0x27d4eb2f));
    lanes[3] = combine32(lanes[3]!, value ^ 0x165667b1);
    this.#length++;
    return this;
  }

  /** Adds a string's UTF-16 code units, two per block, after its length (so boundaries cannot be forged). */
  string(text: string): this {
    this.number(text.length);
    const lanes = this.#lanes;
    let a = lanes[0]!;
    let b = lanes[1]!;
    let c = lanes[2]!;
    let d = lanes[3]!;
    for (let i = 0; i < text.length; i += 2) {
      const block = text.charCodeAt(i) | ((i + 1 < text.length ? text.charCodeAt(i + 1) : 0) << 16);
      a = combine32(a, block);
      b = combine32(b, block ^ 0x5bd1e995);
      c = combine32(c, Math.imul(block, 0x27d4eb2f));
      d = combine32(d, block ^ 0x165667b1);
    }
    lanes[0] = a;
    lanes[1] = b;
    lanes[2] = c;
    lanes[3] = d;
    this.#length += text.length;
    return this;
  }

  /** The 128 bits into `out` (4 words), each lane finalised with the others mixed in. */
  digest(out: Uint32Array): void {
    const [a, b, c, d] = this.#lanes as unknown as [number, number, number, number];
    const n = this.#length;
    out[0] = mix32(a ^ n ^ mix32(b)) >>> 0;
    out[1] = mix32(b ^ n ^ mix32(c)) >>> 0;
    out[2] = mix32(c ^ n ^ mix32(d)) >>> 0;
    out[3] = mix32(d ^ n ^ mix32(a)) >>> 0;
  }
}
