/**
 * A set of 64-bit hashes (each given as two 32-bit halves), optionally with a 32-bit value each,
 * in one typed array: no object per key, nothing for the garbage collector to walk, so tens of
 * millions of n-grams (check) or a million feedback ids (ingest) fit where a `Set<string>` would
 * not. Open addressing with linear probing; slots hold hi, lo (and value) side by side so one
 * probe touches one cache line; at most 75% full, grown by half. The key (0, 0) marks an empty
 * slot, so it is stored as (0, 1): with 64 bits of a hash that merge is as likely as any other
 * collision. With values, the first value stored for a key is kept.
 */
export class HashSet64 {
  readonly #stride: 2 | 3;
  #slots: Uint32Array;
  #capacity: number;
  #size = 0;

  constructor(initialCapacity = 4096, options: { values?: boolean } = {}) {
    this.#stride = options.values ? 3 : 2;
    this.#capacity = Math.max(16, Math.ceil(initialCapacity / 0.75));
    this.#slots = new Uint32Array(this.#stride * this.#capacity);
  }

  get size(): number {
    return this.#size;
  }

  /** Bytes held by the table (for logs and benchmarks). */
  get bytes(): number {
    return this.#slots.byteLength;
  }

  has(hi: number, lo: number): boolean {
    return this.#find(hi >>> 0, loOf(hi, lo)) < 0;
  }

  /** Adds the key (with `value`, 0 ≤ value < 2^32, when the set holds values) unless present; true when it was added. */
  add(hi: number, lo: number, value = 0): boolean {
    const h = hi >>> 0;
    const l = loOf(hi, lo);
    const at = this.#find(h, l);
    if (at < 0) return false;
    this.#slots[at] = h;
    this.#slots[at + 1] = l;
    if (this.#stride === 3) this.#slots[at + 2] = value;
    this.#size++;
    if (this.#size * 4 > this.#capacity * 3) this.#grow();
    return true;
  }

  /** The value stored with the key, or -1 when it is absent (a set made with `values`). */
  get(hi: number, lo: number): number {
    const h = hi >>> 0;
    const l = loOf(hi, lo);
    const slots = this.#slots;
    const stride = this.#stride;
    const capacity = this.#capacity;
    for (let slot = h % capacity; ; slot = slot + 1 === capacity ? 0 : slot + 1) {
      const at = stride * slot;
      const storedLo = slots[at + 1]!;
      if (storedLo === 0 && slots[at] === 0) return -1;
      if (storedLo === l && slots[at] === h) return stride === 3 ? slots[at + 2]! : 0;
    }
  }

  /** The offset of the key's empty slot, or -1 when the key is present. */
  #find(hi: number, lo: number): number {
    const slots = this.#slots;
    const stride = this.#stride;
    const capacity = this.#capacity;
    // The high half is uniform (a hash), so a remainder spreads keys over any capacity.
    for (let slot = hi % capacity; ; slot = slot + 1 === capacity ? 0 : slot + 1) {
      const at = stride * slot;
      const storedLo = slots[at + 1]!;
      if (storedLo === 0 && slots[at] === 0) return at;
      if (storedLo === lo && slots[at] === hi) return -1;
    }
  }

  #grow(): void {
    const old = this.#slots;
    const stride = this.#stride;
    this.#capacity = Math.ceil(this.#capacity * 1.5);
    this.#slots = new Uint32Array(stride * this.#capacity);
    for (let at = 0; at < old.length; at += stride) {
      const hi = old[at]!;
      const lo = old[at + 1]!;
      if (hi === 0 && lo === 0) continue;
      const free = this.#find(hi, lo);
      this.#slots[free] = hi;
      this.#slots[free + 1] = lo;
      if (stride === 3) this.#slots[free + 2] = old[at + 2]!;
    }
  }
}

/** The low half as stored: unsigned, and (0, 0) moved to (0, 1) because it marks an empty slot. */
function loOf(hi: number, lo: number): number {
  return lo === 0 && hi === 0 ? 1 : lo >>> 0;
}
