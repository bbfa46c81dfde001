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
