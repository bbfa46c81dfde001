/**
 * LSH buckets of the version checked against, in memory: band key → the cases with that key, as
 * an open-addressing table of keys with linked lists in typed arrays (8 bytes an entry, no object
 * per case). Sized by that version, which is the one structure allowed to grow with a dataset.
 */
export class BandIndex {
  #keys = new Int32Array(1024);
  /** Head entry + 1 per slot; 0 = empty slot. */
  #heads = new Int32Array(1024);
  #next = new Int32Array(1024);
  #cases = new Uint32Array(1024);
  #entries = 0;
  #slots = 0;

  add(key: number, caseIndex: number): void {
    if (2 * (this.#slots + 1) > this.#heads.length) this.#grow();
    if (this.#entries === this.#next.length) {
      const next = new Int32Array(2 * this.#next.length);
      next.set(this.#next);
      this.#next = next;
      const cases = new Uint32Array(2 * this.#cases.length);
      cases.set(this.#cases);
      this.#cases = cases;
    }
    const entry = this.#entries++;
    this.#cases[entry] = caseIndex;
    const mask = this.#heads.length - 1;
    for (let slot = key & mask; ; slot = (slot + 1) & mask) {
      const head = this.#heads[slot]!;
      if (head === 0) {
        this.#keys[slot] = key;
        this.#heads[slot] = entry + 1;
        this.#next[entry] = -1;
        this.#slots++;
        return;
      }
      if (this.#keys[slot] === (key | 0)) {
        this.#next[entry] = head - 1;
        this.#heads[slot] = entry + 1;
        return;
      }
    }
  }

  /** Calls `visit` with each case filed under `key` (most recent first) until it returns false. */
  forEach(key: number, visit: (caseIndex: number) => boolean): void {
    const mask = this.#heads.length - 1;
    for (let slot = key & mask; ; slot = (slot + 1) & mask) {
      const head = this.#heads[slot]!;
      if (head === 0) return;
      if (this.#keys[slot] === (key | 0)) {
        for (let entry = head - 1; entry >= 0; entry = this.#next[entry]!) if (!visit(this.#cases[entry]!)) return;
        return;
      }
    }
  }

  #grow(): void {
    const keys = this.#keys;
    const heads = this.#heads;
    this.#keys = new Int32Array(2 * keys.length);
    this.#heads = new Int32Array(2 * heads.length);
    const mask = this.#heads.length - 1;
    for (let i = 0; i < heads.length; i++) {
      if (heads[i] === 0) continue;
      let slot = keys[i]! & mask;
      while (this.#heads[slot] !== 0) slot = (slot + 1) & mask;
      this.#keys[slot] = keys[i]!;
      this.#heads[slot] = heads[i]!;
    }
  }
}
