import { closeSync, openSync, readSync, writeSync } from "node:fs";
import { join } from "node:path";

/** Bytes of a case id kept for listings (longer ids are cut at a character boundary). */
const ID_BYTES = 60;
const HEADER_BYTES = 4 + 4 + 16 + 4 + ID_BYTES; // file, line, exact hash, id length, id

export interface CaseRecord {
  file: number;
  line: number;
  id: string;
}

/**
 * What the checks keep of each case, on disk in fixed-size records (file, line, a 128-bit hash of
 * its texts, its id cut to 60 bytes, its packed MinHash signature) rather than in memory: a run
 * holds a write buffer and reads back single records, so memory does not grow with the number of
 * cases. The file lives in the run's temporary directory.
 */
export class CaseTable {
  readonly recordBytes: number;
  readonly permutations: number;
  readonly #fd: number;
  readonly #buffer: Buffer;
  #buffered = 0;
  #flushedRecords = 0;
  #count = 0;
  readonly #read: Buffer;
  readonly #encoder = new TextEncoder();

  constructor(dir: string, name: string, permutations: number) {
    this.permutations = permutations;
    this.recordBytes = HEADER_BYTES + 2 * permutations;
    this.#fd = openSync(join(dir, `${name}.cases`), "w+");
    this.#buffer = Buffer.alloc(Math.max(1, Math.floor((1024 * 1024) / this.recordBytes)) * this.recordBytes);
    this.#read = Buffer.alloc(this.recordBytes);
  }

  get count(): number {
    return this.#count;
  }

  /** Appends a case; returns its index. `hash` is 4 × 32 bits; `signature` the packed 16-bit MinHash (or undefined: none). */
  append(file: number, line: number, id: string, hash: Uint32Array, signature: Uint16Array | undefined): number {
    if (this.#buffered + this.recordBytes > this.#buffer.length) this.flush();
    const at = this.#buffered;
    const b = this.#buffer;
    b.writeUInt32LE(file, at);
    b.writeUInt32LE(line, at + 4);
    for (let i = 0; i < 4; i++) b.writeUInt32LE(hash[i]! >>> 0, at + 8 + 4 * i);
    const { written } = this.#encoder.encodeInto(id, b.subarray(at + 28, at + 28 + ID_BYTES));
    b.writeUInt32LE(written, at + 24);
    const sig = at + HEADER_BYTES;
    if (signature) for (let i = 0; i < this.permutations; i++) b.writeUInt16LE(signature[i]!, sig + 2 * i);
    else b.fill(0, sig, sig + 2 * this.permutations);
    this.#buffered += this.recordBytes;
    return this.#count++;
  }

  flush(): void {
    let offset = 0;
    while (offset < this.#buffered) {
      offset += writeSync(this.#fd, this.#buffer, offset, this.#buffered - offset, this.#flushedRecords * this.recordBytes + offset);
    }
    this.#flushedRecords += this.#buffered / this.recordBytes;
    this.#buffered = 0;
  }

  #load(index: number): Buffer {
    if (index >= this.#flushedRecords) this.flush();
    const position = index * this.recordBytes;
    let done = 0;
    while (done < this.recordBytes) {
      const n = readSync(this.#fd, this.#read, done, this.recordBytes - done, position + done);
      if (n === 0) throw new Error(`case table: record ${index} is past the end`);
      done += n;
    }
    return this.#read;
  }

  record(index: number): CaseRecord {
    const b = this.#load(index);
    const length = b.readUInt32LE(24);
    return { file: b.readUInt32LE(0), line: b.readUInt32LE(4), id: b.toString("utf8", 28, 28 + length) };
  }

  /** The 128-bit text hash of a case into `out` (4 words). */
  hash(index: number, out: Uint32Array): void {
    const b = this.#load(index);
    for (let i = 0; i < 4; i++) out[i] = b.readUInt32LE(8 + 4 * i);
  }

  /** The packed signature of a case into `out` at `offset`. */
  signature(index: number, out: Uint16Array, offset = 0): void {
    const b = this.#load(index);
    for (let i = 0; i < this.permutations; i++) out[offset + i] = b.readUInt16LE(HEADER_BYTES + 2 * i);
  }

  close(): void {
    closeSync(this.#fd);
  }
}
