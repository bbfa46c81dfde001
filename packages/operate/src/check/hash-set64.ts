/**
 * A set of 64-bit hashes (each given as two 32-bit halves), each with a 32-bit value, in typed
 * arrays with open addressing: 12 bytes a slot and no object per entry, so tens of millions of
 * n-grams fit where a `Set<string>` of them would not. The first value stored for a key is kept.
 */
export class HashSet64 {
  #hi: Int32Array;
  #lo: Int32Array;
  /** value + 1; 0 marks an empty slot. */
  #values: Uint32Array;
  #size = 0;

  constructor(initialCapacity = 1024) {
    let capacity = 16;
    while (capacity < 2 * initialCapacity) capacity *= 2;
    this.#hi = new Int32Array(capacity);
    this.#lo = new Int32Array(capacity);
    this.#values = new Uint32Array(capacity);
  }

  get size(): number {
    return this.#size;
  }

  /** Bytes held by the table (for logs and benchmarks). */
  get bytes(): number {
    return this.#hi.byteLength + this.#lo.byteLength + this.#values.byteLength;
  }

  /** Adds the key with `value` (0 ≤ value < 2^32 - 1) unless present; true when it was added. */
  add(hi: number, lo: number, value: number): boolean {
    if (2 * (this.#size + 1) > this.#values.length) this.#grow();
    const mask = this.#values.length - 1;
    for (let slot = (hi ^ Math.imul(lo, 0x9e3779b1)) & mask; ; slot = (slot + 1) & mask) {
      const stored = this.#values[slot]!;
      if (stored === 0) {
        this.#hi[slot] = hi;
        this.#lo[slot] = lo;
        this.#values[slot] = value + 1;
        this.#size++;
        return true;
      }
      if (this.#hi[slot] === (hi | 0) && this.#lo[slot] === (lo | 0)) return false;
    }
  }

  /** The value stored with the key, or -1. */
  get(hi: number, lo: number): number {
    const mask = this.#values.length - 1;
    for (let slot = (hi ^ Math.imul(lo, 0x9e3779b1)) & mask; ; slot = (slot + 1) & mask) {
      const stored = this.#values[slot]!;
      if (stored === 0) return -1;
      if (this.#hi[slot] === (hi | 0) && this.#lo[slot] === (lo | 0)) return stored - 1;
    }
  }

  #grow(): void {
    const hi = this.#hi;
    const lo = this.#lo;
    const values = this.#values;
    const capacity = 2 * values.length;
    this.#hi = new Int32Array(capacity);
    this.#lo = new Int32Array(capacity);
    this.#values = new Uint32Array(capacity);
    const mask = capacity - 1;
    for (let i = 0; i < values.length; i++) {
      const value = values[i]!;
      if (value === 0) continue;
      let slot = (hi[i]! ^ Math.imul(lo[i]!, 0x9e3779b1)) & mask;
      while (this.#values[slot] !== 0) slot = (slot + 1) & mask;
      this.#hi[slot] = hi[i]!;
      this.#lo[slot] = lo[i]!;
      this.#values[slot] = value;
    }
  }
}

/** One bit per case, growing as cases come. */
export class Bitset {
  #words = new Uint32Array(1024);

  set(index: number): void {
    const word = index >>> 5;
    if (word >= this.#words.length) {
      const words = new Uint32Array(Math.max(2 * this.#words.length, word + 1));
      words.set(this.#words);
      this.#words = words;
    }
    this.#words[word]! |= 1 << (index & 31);
  }

  has(index: number): boolean {
    const word = index >>> 5;
    return word < this.#words.length && (this.#words[word]! & (1 << (index & 31))) !== 0;
  }

  count(): number {
    let total = 0;
    for (let word of this.#words) {
      // Hamming weight of a 32-bit word.
      word -= (word >>> 1) & 0x55555555;
      word = (word & 0x33333333) + ((word >>> 2) & 0x33333333);
      total += (Math.imul((word + (word >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) >>> 0;
    }
    return total;
  }
}
