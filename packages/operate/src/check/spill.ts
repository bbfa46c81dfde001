import { closeSync, openSync, readSync, writeSync } from "node:fs";
import { endianness } from "node:os";
import { join } from "node:path";

/** Pairs buffered per partition before a write: 4096 pairs, 32 KiB. */
const BUFFERED_PAIRS = 4096;

/**
 * (key, case) pairs spilled to disk in `partitions` files by the key's top bits, so grouping equal
 * keys later needs one partition in memory at a time: external hashing instead of a table of every
 * case. A pair is stored as one little-endian 64-bit word `key << 32 | case`, so sorting a
 * partition's words (BigUint64Array, natively) groups equal keys with their cases ascending.
 */
export class PartitionedSpill {
  readonly partitions: number;
  readonly #shift: number;
  readonly #fds: number[];
  readonly #buffers: Uint32Array[];
  readonly #fill: Uint32Array;
  readonly #written: number[];
  #scratch = new ArrayBuffer(0);

  constructor(dir: string, name: string, partitionBits: number) {
    // The pairs are sorted as 64-bit words whose high half is the key: that needs little-endian memory.
    if (endianness() !== "LE") throw new Error("dataset checks need a little-endian machine");
    this.partitions = 1 << partitionBits;
    this.#shift = 32 - partitionBits;
    this.#fds = [];
    this.#buffers = [];
    for (let p = 0; p < this.partitions; p++) {
      this.#fds.push(openSync(join(dir, `${name}.${p}`), "w+"));
      this.#buffers.push(new Uint32Array(2 * BUFFERED_PAIRS));
    }
    this.#fill = new Uint32Array(this.partitions);
    this.#written = new Array(this.partitions).fill(0);
  }

  add(key: number, value: number): void {
    const p = this.partitions === 1 ? 0 : (key >>> this.#shift) & (this.partitions - 1);
    const buffer = this.#buffers[p]!;
    const at = this.#fill[p]!;
    buffer[at] = value;
    buffer[at + 1] = key;
    this.#fill[p] = at + 2;
    if (at + 2 === buffer.length) this.#flush(p);
  }

  #flush(p: number): void {
    const words = this.#fill[p]!;
    if (words === 0) return;
    const bytes = Buffer.from(this.#buffers[p]!.buffer, 0, words * 4);
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(this.#fds[p]!, bytes, offset, bytes.length - offset, this.#written[p]! + offset);
    this.#written[p]! += bytes.length;
    this.#fill[p] = 0;
  }

  /**
   * The partition's pairs, sorted by key then case: element = key · 2^32 + case. The array is a
   * view of one buffer the spill reuses (grown to the largest partition), so reading every
   * partition allocates once: it is valid until the next call.
   */
  sorted(p: number): BigUint64Array {
    this.#flush(p);
    const bytes = this.#written[p]!;
    if (this.#scratch.byteLength < bytes) this.#scratch = new ArrayBuffer(Math.max(bytes, 2 * this.#scratch.byteLength));
    const words = new BigUint64Array(this.#scratch, 0, bytes / 8);
    const view = Buffer.from(this.#scratch, 0, bytes);
    let done = 0;
    while (done < bytes) done += readSync(this.#fds[p]!, view, done, bytes - done, done);
    return words.sort();
  }

  close(): void {
    for (const fd of this.#fds) closeSync(fd);
  }
}
