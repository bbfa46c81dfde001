/**
 * A set of 64-bit hashes (each given as two 32-bit halves), optionally with a 32-bit value each,
 * in typed arrays: no object per key, nothing for the garbage collector to walk, so tens of
 * millions of n-grams (check) or a million feedback ids (ingest) fit where a `Set<string>` would
 * not. Open addressing with linear probing over a power-of-two table. Each slot's tag (its value
 * + 1, or 1 in a set without values; 0 when empty) lives in an array of its own, so a lookup that
 * misses, the contamination check's usual case, mostly reads that one dense array. `maxLoad`
 * trades memory for speed: at 0.5 (the default) a miss probes about 2.5 slots; at 0.75 about 8.5,
 * for a third less memory. With values, the first value stored for a key is kept.
 */
export class HashSet64 {
  readonly #maxLoad: number;
  readonly #values: boolean;
  // Int32: V8 reads int32 elements as small integers, where a Uint32 ≥ 2^31 would be a boxed double.
  #hi: Int32Array;
  #lo: Int32Array;
  #tags: Uint32Array | Uint8Array;
  #size = 0;

  constructor(initialCapacity = 4096, options: { values?: boolean; maxLoad?: number } = {}) {
    this.#values = options.values ?? false;
    this.#maxLoad = options.maxLoad ?? 0.5;
    if (!(this.#maxLoad > 0 && this.#maxLoad <= 0.9)) throw new RangeError(`maxLoad ${this.#maxLoad}: expected 0 < maxLoad ≤ 0.9`);
    let capacity = 16;
    while (capacity * this.#maxLoad < initialCapacity) capacity *= 2;
    this.#hi = new Int32Array(capacity);
    this.#lo = new Int32Array(capacity);
    this.#tags = this.#values ? new Uint32Array(capacity) : new Uint8Array(capacity);
  }

  get size(): number {
    return this.#size;
  }

  /** Bytes held by the table (for logs and benchmarks). */
  get bytes(): number {
    return this.#hi.byteLength + this.#lo.byteLength + this.#tags.byteLength;
  }

  has(hi: number, lo: number): boolean {
    return this.get(hi, lo) >= 0;
  }

  /** Adds the key (with `value`, 0 ≤ value < 2^32 − 1, when the set holds values) unless present; true when it was added. */
  add(hi: number, lo: number, value = 0): boolean {
    // value + 1 is the slot's tag: 2^32 − 1 would wrap to 0, "empty".
    if (this.#values && !(Number.isInteger(value) && value >= 0 && value < 0xffffffff))
      throw new RangeError(`value ${value}: expected an integer 0 ≤ value < 2^32 − 1`);
    if (this.#size + 1 > this.#tags.length * this.#maxLoad) this.#grow();
    const h = hi | 0;
    const l = lo | 0;
    const mask = this.#tags.length - 1;
    for (let slot = home(h, l, mask); ; slot = (slot + 1) & mask) {
      if (this.#tags[slot] === 0) {
        this.#hi[slot] = h;
        this.#lo[slot] = l;
        this.#tags[slot] = this.#values ? value + 1 : 1;
        this.#size++;
        return true;
      }
      if (this.#hi[slot] === h && this.#lo[slot] === l) return false;
    }
  }

  /** The value stored with the key (0 in a set without values), or -1 when it is absent. */
  get(hi: number, lo: number): number {
    const h = hi | 0;
    const l = lo | 0;
    const tags = this.#tags;
    const mask = tags.length - 1;
    for (let slot = home(h, l, mask); ; slot = (slot + 1) & mask) {
      const tag = tags[slot]!;
      if (tag === 0) return -1;
      if (this.#hi[slot] === h && this.#lo[slot] === l) return tag - 1;
    }
  }

  #grow(): void {
    const hi = this.#hi;
    const lo = this.#lo;
    const tags = this.#tags;
    const capacity = 2 * tags.length;
    this.#hi = new Int32Array(capacity);
    this.#lo = new Int32Array(capacity);
    this.#tags = this.#values ? new Uint32Array(capacity) : new Uint8Array(capacity);
    const mask = capacity - 1;
    for (let i = 0; i < tags.length; i++) {
      const tag = tags[i]!;
      if (tag === 0) continue;
      let slot = home(hi[i]!, lo[i]!, mask);
      while (this.#tags[slot] !== 0) slot = (slot + 1) & mask;
      this.#hi[slot] = hi[i]!;
      this.#lo[slot] = lo[i]!;
      this.#tags[slot] = tag;
    }
  }
}

/** A key's first slot: both halves mixed (keys that share a half still spread), masked to the table. */
function home(hi: number, lo: number, mask: number): number {
  return (hi ^ Math.imul(lo, 0x9e3779b1)) & mask;
}
