/**
 * A set of 64-bit keys in one typed array (off the JS heap: no object per key, nothing for the
 * garbage collector to walk), open addressing with linear probing. Eight bytes per slot, at most
 * 75% full, grown by half: a million keys take 11-16 MB, where a Set of strings would take
 * ten times that. The key (0, 0) marks an empty slot, so it is stored as (0, 1); with 64 bits of
 * SHA-256 that merge is as likely as any other collision.
 */
export class Hash64Set {
  /** hi, lo of each slot, interleaved so one probe touches one cache line. */
  #slots: Uint32Array;
  #capacity: number;
  #size = 0;

  constructor(initialCapacity = 4096) {
    this.#capacity = Math.max(16, Math.ceil(initialCapacity));
    this.#slots = new Uint32Array(2 * this.#capacity);
  }

  get size(): number {
    return this.#size;
  }

  /** Memory held by the table, in bytes. */
  get bytes(): number {
    return this.#slots.byteLength;
  }

  has(hi: number, lo: number): boolean {
    return this.#find(hi >>> 0, lo === 0 && hi === 0 ? 1 : lo >>> 0) < 0;
  }

  /** Adds the key; true when it was not there yet. */
  add(hi: number, lo: number): boolean {
    const h = hi >>> 0;
    const l = lo === 0 && hi === 0 ? 1 : lo >>> 0;
    const at = this.#find(h, l);
    if (at < 0) return false;
    this.#slots[at] = h;
    this.#slots[at + 1] = l;
    this.#size++;
    if (this.#size * 4 > this.#capacity * 3) this.#grow();
    return true;
  }

  /** The index of the key's empty slot, or -1 when the key is present. */
  #find(hi: number, lo: number): number {
    const slots = this.#slots;
    const capacity = this.#capacity;
    // The high half is uniform (a hash), so a remainder spreads keys over any capacity.
    for (let slot = hi % capacity; ; slot = slot + 1 === capacity ? 0 : slot + 1) {
      const at = 2 * slot;
      const storedLo = slots[at + 1]!;
      if (storedLo === 0 && slots[at] === 0) return at;
      if (storedLo === lo && slots[at] === hi) return -1;
    }
  }

  #grow(): void {
    const old = this.#slots;
    this.#capacity = Math.ceil(this.#capacity * 1.5);
    this.#slots = new Uint32Array(2 * this.#capacity);
    for (let at = 0; at < old.length; at += 2) {
      const hi = old[at]!;
      const lo = old[at + 1]!;
      if (hi === 0 && lo === 0) continue;
      const free = this.#find(hi, lo);
      this.#slots[free] = hi;
      this.#slots[free + 1] = lo;
    }
  }
}
