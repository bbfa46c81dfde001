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
