import { createHash } from "node:crypto";
import { closeSync, createReadStream, openSync, readSync, writeSync } from "node:fs";
import { open, rm } from "node:fs/promises";
import { InputError, MAX_PACK_THRESHOLD } from "@llmops/core";
import { isSafeTitle } from "../schema.ts";
import { compareUtf8 } from "./plan.ts";
import { BLOCK, type FileMode, paddedSize, TAR_END } from "./tar.ts";

/**
 * The file index of a packed version: JSON Lines, uncompressed. A header line (format, version,
 * file count: a few dozen bytes, whatever the number of packs), then one line per file sorted by
 * path (UTF-8 byte order). A packed file names its pack by position among the manifest's pack
 * layers (`pack: <n>`, the n-th layer of media type PACK_MEDIA_TYPE, in manifest order): the
 * pack list lives once, in the manifest, so no line grows with the number of packs (version 1
 * held it in the header line, which outgrew the reader's line limit from ~690 packs). Uncompressed on purpose: the index digest is part of the
 * version's identity, and deflate output is not stable across zlib builds (Node's bundled zlib
 * picks its hash function by CPU), so a gzip'd index could give two machines two digests for the
 * same tree. Registries and HTTP may still compress it in transit.
 */
export const FILE_INDEX_MEDIA_TYPE = "application/vnd.llmops.file-index.v1+jsonl";
export const FILE_INDEX_FORMAT = "llmops.file-index";

export interface IndexedPack {
  digest: string;
  size: number;
}

export const FILE_INDEX_VERSION = 2;

export interface IndexHeader {
  format: typeof FILE_INDEX_FORMAT;
  version: typeof FILE_INDEX_VERSION;
  files: number;
}

export interface IndexEntry {
  path: string;
  size: number;
  /** Hex sha256 of the file's bytes. */
  sha256: string;
  mode: FileMode;
  /** Position among the manifest's pack layers; absent when the file is its own layer (digest sha256:<sha256>). */
  pack?: number;
  /** Offset of the file's data in its pack. */
  offset?: number;
}

/** The index does not match its format: named by blob and line. An InputError (exit 2): the store is input. */
export class FileIndexError extends InputError {}

/**
 * The largest line the reader accepts: a path is at most a few KiB, so anything longer is not an
 * index. Every line the writer writes is far below it (the header is fixed-size, an entry is a
 * path plus ~150 bytes), so whatever the writer writes the reader reads.
 */
const MAX_LINE = 64 * 1024;
const HEX64 = /^[a-f0-9]{64}$/;

export function entryLine(e: IndexEntry): string {
  const where = e.pack === undefined ? "" : `,"pack":${e.pack},"offset":${e.offset}`;
  return `{"path":${JSON.stringify(e.path)},"size":${e.size},"sha256":"${e.sha256}","mode":"${e.mode.toString(8)}"${where}}\n`;
}

/**
 * Writes an index without holding its entries: they go to `<target>.entries` as they come, and
 * `finish` writes the header (which needs the file count) followed by them into `target`,
 * hashing as it goes.
 */
export class FileIndexWriter {
  readonly target: string;
  #entries: number | undefined;
  #pending: string[] = [];
  #pendingLength = 0;
  #count = 0;
  #last: string | undefined;

  private constructor(target: string) {
    this.target = target;
  }

  static async create(target: string): Promise<FileIndexWriter> {
    const writer = new FileIndexWriter(target);
    writer.#entries = openSync(`${target}.entries`, "w+");
    return writer;
  }

  get count(): number {
    return this.#count;
  }

  /** Synchronous: a line is tens of bytes, and a promise per line would cost more than the line. */
  add(entry: IndexEntry): void {
    if (this.#last !== undefined && compareUtf8(this.#last, entry.path) >= 0) {
      throw new Error(`file index: ${entry.path} added after ${this.#last}; entries must be sorted and distinct`);
    }
    this.#last = entry.path;
    const line = entryLine(entry);
    this.#pending.push(line);
    this.#pendingLength += line.length;
    this.#count++;
    if (this.#pendingLength >= 1 << 20) this.#flush();
  }

  #flush(): void {
    if (this.#pending.length === 0) return;
    const bytes = Buffer.from(this.#pending.join(""), "utf8");
    this.#pending = [];
    this.#pendingLength = 0;
    let at = 0;
    while (at < bytes.length) at += writeSync(this.#entries!, bytes, at, bytes.length - at);
  }

  async finish(): Promise<{ digest: string; size: number }> {
    this.#flush();
    const header: IndexHeader = { format: FILE_INDEX_FORMAT, version: FILE_INDEX_VERSION, files: this.#count };
    const headerBytes = Buffer.from(`${JSON.stringify(header)}\n`, "utf8");
    const hash = createHash("sha256").update(headerBytes);
    const out = await open(this.target, "w");
    const entries = this.#entries!;
    let size = headerBytes.length;
    try {
      await out.write(headerBytes);
      const buffer = Buffer.allocUnsafe(1 << 20);
      for (let position = 0; ; ) {
        const bytesRead = readSync(entries, buffer, 0, buffer.length, position);
        if (bytesRead === 0) break;
        position += bytesRead;
        const chunk = buffer.subarray(0, bytesRead);
        hash.update(chunk);
        await out.write(chunk);
        size += bytesRead;
      }
      await out.sync();
    } finally {
      await out.close();
      await this.discard();
    }
    return { digest: `sha256:${hash.digest("hex")}`, size };
  }

  async discard(): Promise<void> {
    if (this.#entries !== undefined) closeSync(this.#entries);
    this.#entries = undefined;
    await rm(`${this.target}.entries`, { force: true });
  }
}

function fail(what: string, line: number, detail: string): never {
  throw new FileIndexError(`${what}: line ${line}: ${detail}`);
}

function parseHeader(text: string, what: string): IndexHeader {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    fail(what, 1, "expected a JSON header line");
  }
  const h = json as Partial<IndexHeader>;
  if (h?.format !== FILE_INDEX_FORMAT || h.version !== FILE_INDEX_VERSION)
    fail(what, 1, `expected format "${FILE_INDEX_FORMAT}" version ${FILE_INDEX_VERSION}`);
  if (!Number.isSafeInteger(h.files) || (h.files as number) < 0) fail(what, 1, "files: expected a non-negative integer");
  return { format: FILE_INDEX_FORMAT, version: FILE_INDEX_VERSION, files: h.files as number };
}

/**
 * What an entry is checked against besides its own line: the lines before it. Bounded: the
 * previous path, the chain of earlier file paths that are string prefixes of it (at most one per
 * character of the path), and the current pack's position and end.
 */
class EntryChecker {
  previous: string | undefined;
  /** Earlier file paths that are prefixes of the last path: any later path under one of them is a file below a file. */
  #prefixes: string[] = [];
  #pack = -1;
  #end = 0;
  readonly #packs: readonly IndexedPack[];
  readonly #what: string;

  constructor(packs: readonly IndexedPack[], what: string) {
    this.#packs = packs;
    this.#what = what;
  }

  /**
   * A safe relative path after the previous one in byte order (so no path twice), not below an
   * earlier file (`a` and `a/b`: sorted, every path starting with `a` follows `a` contiguously,
   * so the prefixes still open are the only candidates), a hex sha256, 644 or 755, and for a
   * packed file: under the pack threshold, in the next pack or the current one, after the
   * previous file's data and room for a header (tar's layout: header blocks, then data padded to
   * a block), and ending before the pack's end-of-archive blocks.
   */
  check(text: string, line: number): IndexEntry {
    const what = this.#what;
    let e: Record<string, unknown>;
    try {
      e = JSON.parse(text) as Record<string, unknown>;
    } catch {
      fail(what, line, "expected a JSON object");
    }
    if (e === null || typeof e !== "object") fail(what, line, "expected a JSON object");
    const { path, size, sha256, mode, pack, offset } = e;
    if (!isSafeTitle(path)) fail(what, line, `path ${JSON.stringify(path)}: expected a relative POSIX path inside the version`);
    const previous = this.previous;
    if (previous !== undefined && compareUtf8(previous, path) >= 0)
      fail(what, line, `path ${path}: expected paths sorted and distinct (after ${previous})`);
    const prefixes = this.#prefixes;
    while (prefixes.length && !path.startsWith(prefixes.at(-1)!)) prefixes.pop();
    for (const p of prefixes) {
      if (path.charCodeAt(p.length) === 0x2f) fail(what, line, `path ${path}: ${p} is a file and also a directory`);
    }
    prefixes.push(path);
    this.previous = path;
    if (!Number.isSafeInteger(size) || (size as number) < 0) fail(what, line, `file ${path}: size: expected a non-negative integer`);
    if (typeof sha256 !== "string" || !HEX64.test(sha256)) fail(what, line, `file ${path}: sha256: expected 64 lowercase hex`);
    if (mode !== "644" && mode !== "755") fail(what, line, `file ${path}: mode: expected "644" or "755"`);
    const entry: IndexEntry = { path, size: size as number, sha256, mode: mode === "755" ? 0o755 : 0o644 };
    if (pack !== undefined || offset !== undefined) {
      const packs = this.#packs;
      if (entry.size >= MAX_PACK_THRESHOLD)
        fail(what, line, `file ${path}: size ${entry.size}: expected a packed file below ${MAX_PACK_THRESHOLD} bytes`);
      if (!Number.isSafeInteger(pack) || (pack as number) < 0 || (pack as number) >= packs.length)
        fail(what, line, `file ${path}: pack: expected a position among the manifest's ${packs.length} pack layers`);
      const k = pack as number;
      if (k !== this.#pack && k !== this.#pack + 1)
        fail(
          what,
          line,
          `file ${path}: pack ${k}: expected pack ${this.#pack === -1 ? 0 : `${this.#pack} or ${this.#pack + 1}`} (packs in order, none skipped)`,
        );
      if (k !== this.#pack) {
        this.#pack = k;
        this.#end = 0;
      }
      const packSize = packs[k]!.size;
      const min = paddedSize(this.#end) + BLOCK;
      if (!Number.isSafeInteger(offset) || (offset as number) < min)
        fail(what, line, `file ${path}: offset: expected at least ${min} (after the previous file's data and a tar header)`);
      const end = (offset as number) + entry.size;
      if (paddedSize(end) + TAR_END.length > packSize)
        fail(what, line, `file ${path}: offset: expected the file's bytes inside its pack (${packSize} bytes, end blocks included)`);
      this.#end = end;
      entry.pack = k;
      entry.offset = offset as number;
    }
    return entry;
  }

  /** After the last entry: every pack layer holds files (an unlisted pack would be unpacked by `tar x` and not by fetch). */
  finish(line: number): void {
    if (this.#pack !== this.#packs.length - 1)
      fail(this.#what, line, `expected files in each of the manifest's ${this.#packs.length} pack layers, the last in pack ${this.#pack}`);
  }
}

export interface FileIndexReader {
  header: IndexHeader;
  /** The manifest's pack layers, which entries name by position. */
  packs: readonly IndexedPack[];
  /** The entries in batches of a chunk's worth of lines; the whole index is never held. */
  batches(): AsyncGenerator<IndexEntry[]>;
  /** The entries one at a time (a promise per entry: batches() for hot loops). */
  entries(): AsyncGenerator<IndexEntry>;
  close(): void;
}

/** Lines of a file, split by hand: readline's per-line events cost more than parsing the line. */
async function* lineBatches(stream: AsyncIterable<Buffer>, what: string): AsyncGenerator<string[]> {
  let rest: Buffer | undefined;
  let line = 0;
  for await (const chunk of stream) {
    const data: Buffer = rest ? Buffer.concat([rest, chunk]) : chunk;
    const out: string[] = [];
    let start = 0;
    for (let nl = data.indexOf(10, start); nl >= 0; nl = data.indexOf(10, start)) {
      line++;
      if (nl - start > MAX_LINE) fail(what, line, `longer than ${MAX_LINE} bytes`);
      out.push(data.toString("utf8", start, nl));
      start = nl + 1;
    }
    rest = start < data.length ? data.subarray(start) : undefined;
    if (rest && rest.length > MAX_LINE) fail(what, line + 1, `longer than ${MAX_LINE} bytes`);
    if (out.length) yield out;
  }
  if (rest) fail(what, line + 1, "expected the index to end with a newline");
}

/**
 * Opens a verified index file (the caller checked its digest) for streaming. Every line is
 * checked as it is read (FileIndexError naming `what` and the line) against the lines before it
 * and `packs`, the manifest's pack layers in order; the count must match the header.
 */
export async function openFileIndex(path: string, what: string, packs: readonly IndexedPack[]): Promise<FileIndexReader> {
  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  const lines = lineBatches(stream as AsyncIterable<Buffer>, what);
  let first: IteratorResult<string[]>;
  try {
    first = await lines.next();
  } catch (error) {
    stream.destroy();
    throw error;
  }
  if (first.done || first.value.length === 0) {
    stream.destroy();
    fail(what, 1, "expected a header line, got an empty index");
  }
  const header = parseHeader(first.value[0]!, what);
  const batches = async function* (): AsyncGenerator<IndexEntry[]> {
    let line = 1;
    const checker = new EntryChecker(packs, what);
    const parse = (texts: string[]) => {
      const out: IndexEntry[] = new Array(texts.length);
      for (let i = 0; i < texts.length; i++) {
        line++;
        out[i] = checker.check(texts[i]!, line);
      }
      return out;
    };
    try {
      const firstRest = first.value.slice(1);
      if (firstRest.length) yield parse(firstRest);
      for (;;) {
        const next = await lines.next();
        if (next.done) break;
        yield parse(next.value);
      }
      if (line - 1 !== header.files) fail(what, line, `expected ${header.files} files as the header says, got ${line - 1}`);
      checker.finish(line);
    } finally {
      stream.destroy();
    }
  };
  return {
    header,
    packs,
    batches,
    async *entries() {
      for await (const batch of batches()) yield* batch;
    },
    close: () => stream.destroy(),
  };
}
