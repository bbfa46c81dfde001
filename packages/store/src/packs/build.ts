import { createHash } from "node:crypto";
import { closeSync, fstatSync, openSync, readSync, writeSync } from "node:fs";
import { setImmediate as yieldToLoop } from "node:timers/promises";
import { InputError, writeFileAtomic } from "@llmops/core";
import { type FileStat, fileStat, readCacheFile } from "../files.ts";
import { isDigest } from "../schema.ts";
import { packHasher } from "./hash-worker.ts";
import type { PackPlan } from "./plan.ts";
import { type FileMode, headerSize, paddedSize, TAR_END, writeTarHeader } from "./tar.ts";

export const PACK_MEDIA_TYPE = "application/vnd.oci.image.layer.v1.tar";

export interface PackSourceFile {
  /** Absolute path on disk. */
  path: string;
  title: string;
  size: number;
  mode: FileMode;
  /** The stat the listing took: the file must still match it once read. */
  stat: FileStat;
}

export interface BuiltPack {
  digest: string;
  size: number;
  /** Hex sha256 of each member's bytes, in plan order. */
  sha256: string[];
}

const OUT_BUFFER = 1 << 20;
const ZEROS = Buffer.alloc(512);
/** Bytes read between two turns of the event loop, so uploads of finished packs keep moving. */
const YIELD_EVERY = 4 << 20;

/**
 * Writes the pack `plan` describes into `target` (a new file) in one pass over the bytes: each
 * file is hashed here as it is read, and the pack, from the output buffer as it is written, on a
 * worker thread (hash-worker.ts), so the second hash of every byte runs beside the first. Reads are synchronous: for files of a few KiB the thread-pool round trips of
 * async fs calls cost more than the reads (the same reason `tar` is fast), and the loop is yielded
 * every few MiB. A file whose size, mtime, ctime or inode moved since the listing is refused:
 * the version would not be the tree that was listed.
 *
 * `known` (hex sha256 per member, in plan order) skips hashing each file: for a pack rebuilt from
 * stat-cache digests whose pack digest the pack cache knows (a push of a tree versioned before).
 * The caller must compare the pack digest with the expected one: equal, the pack's bytes are the
 * bytes those digests were taken of, so they hold for every member; different, it rebuilds
 * without `known`.
 */
export async function buildPack(
  plan: PackPlan<PackSourceFile>,
  target: string,
  onBytes?: (n: number) => void,
  known?: readonly string[],
): Promise<BuiltPack> {
  const out = openSync(target, "wx", 0o644);
  const packHash = packHasher();
  const buffer = Buffer.allocUnsafe(OUT_BUFFER);
  let used = 0;
  let total = 0;
  let sinceYield = 0;
  const flush = () => {
    let at = 0;
    while (at < used) at += writeSync(out, buffer, at, used - at);
    packHash.update(buffer.subarray(0, used));
    total += used;
    used = 0;
  };
  const put = (bytes: Buffer) => {
    if (used + bytes.length > OUT_BUFFER) flush();
    if (bytes.length > OUT_BUFFER) {
      packHash.update(bytes);
      let at = 0;
      while (at < bytes.length) at += writeSync(out, bytes, at, bytes.length - at);
      total += bytes.length;
      return;
    }
    bytes.copy(buffer, used);
    used += bytes.length;
  };
  const sha256: string[] = known ? [...known] : [];
  // One read buffer for the whole pack: a fresh one per file is garbage the GC must chase, and
  // the bytes are copied into the output buffer right away.
  const largest = plan.members.reduce((m, { file }) => Math.max(m, file.size), 0);
  const scratch = Buffer.allocUnsafe(largest + 1);
  try {
    for (const { file, offset } of plan.members) {
      const header = headerSize(file.title, file.size);
      if (used + header > OUT_BUFFER) flush();
      used += writeTarHeader(buffer, used, file.title, file.size, file.mode);
      if (total + used !== offset) throw new Error(`pack plan: ${file.title} planned at ${offset}, written at ${total + used}`);
      const data = readWhole(file, scratch);
      if (!known) sha256.push(createHash("sha256").update(data).digest("hex"));
      put(data);
      const pad = paddedSize(file.size) - file.size;
      if (pad) put(ZEROS.subarray(0, pad));
      onBytes?.(file.size);
      sinceYield += file.size + 512;
      if (sinceYield >= YIELD_EVERY) {
        sinceYield = 0;
        await yieldToLoop();
      }
    }
    put(TAR_END);
    flush();
  } catch (error) {
    closeSync(out);
    // The hash of a failed pack is finished and dropped too: the worker is held while one is open.
    await packHash.digest().catch(() => {});
    throw error;
  }
  closeSync(out);
  const hex = await packHash.digest();
  if (total !== plan.size) throw new Error(`pack plan: ${plan.size} bytes planned, ${total} written`);
  return { digest: `sha256:${hex}`, size: total, sha256 };
}

function changed(file: PackSourceFile): InputError {
  return new InputError(`path ${file.path}: file changed while being versioned`);
}

function readWhole(file: PackSourceFile, data: Buffer): Buffer {
  let fd: number;
  try {
    fd = openSync(file.path, "r");
  } catch (error) {
    throw new InputError(`path ${file.path}: cannot be read (${(error as NodeJS.ErrnoException).code})`);
  }
  try {
    // One byte more than listed: a file that grew is caught by the read itself. Once the listed
    // size is in, no read to see the end: the fstat below (size, mtime, ctime) catches a file
    // that changed since the listing, and saves a syscall per file.
    let got = 0;
    while (got < file.size + 1) {
      const n = readSync(fd, data, got, file.size + 1 - got, null);
      if (n === 0) break;
      got += n;
      if (got > file.size) throw changed(file);
      if (got === file.size) break;
    }
    if (got !== file.size) throw changed(file);
    if (fileStat(fstatSync(fd, { bigint: true })) !== file.stat) throw changed(file);
    return data.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}

/** What decides a pack's bytes: its members' titles, sizes, modes and digests, hashed. */
export function packKey(members: { title: string; size: number; mode: FileMode; digest: string }[]): string {
  return packKeyOf(
    members,
    (m) => m,
    (m) => m.digest,
  );
}

/**
 * packKey of `items` without an object per member: `member` gives an item's title, size and mode,
 * `digest` its `sha256:` digest. The lines are hashed a few hundred at a time (one hash update per
 * line cost more than the lookups of a warm re-version); the bytes hashed, and so the key, are
 * the same.
 */
export function packKeyOf<T>(
  items: readonly T[],
  member: (item: T) => { title: string; size: number; mode: FileMode },
  digest: (item: T, index: number) => string,
): string {
  const hash = createHash("sha256");
  const lines: string[] = [];
  for (let i = 0; i < items.length; i++) {
    const m = member(items[i]!);
    lines.push(m.title, "\0", String(m.size), "\0", String(m.mode), "\0", digest(items[i]!, i), "\n");
    if (lines.length >= 4096) {
      hash.update(lines.join(""));
      lines.length = 0;
    }
  }
  if (lines.length) hash.update(lines.join(""));
  return hash.digest("hex");
}

interface PackCacheEntry {
  digest: string;
  size: number;
}

/** Entries kept: enough for many versions of many datasets; older ones are dropped (a rebuild, not an error). */
const PACK_CACHE_ENTRIES = 50_000;

/**
 * packKey → pack digest, so a re-version whose files all hit the stat cache neither reads a file
 * nor builds a pack: the tar is a function of what packKey hashes, so the digest can be reused as
 * long as the store still holds the blob.
 */
export class PackCache {
  readonly file: string;
  #entries = new Map<string, PackCacheEntry>();
  #dirty = false;

  constructor(file: string) {
    this.file = file;
  }

  async load(): Promise<this> {
    try {
      const text = await readCacheFile(this.file);
      if (text === undefined) return this;
      const parsed = JSON.parse(text) as { version?: number; entries?: Record<string, PackCacheEntry> };
      if (parsed.version === 1 && parsed.entries) this.#entries = new Map(Object.entries(parsed.entries));
    } catch {
      // A missing or corrupt cache only costs a rebuild.
    }
    return this;
  }

  get(key: string): PackCacheEntry | undefined {
    const e = this.#entries.get(key);
    return e && isDigest(e.digest) && Number.isSafeInteger(e.size) ? e : undefined;
  }

  set(key: string, entry: PackCacheEntry): void {
    // The same entry again (every pack of a warm re-version) leaves the file as it is: no rewrite.
    // Its place in the eviction order is not refreshed then; an evicted entry costs one rebuild.
    const held = this.#entries.get(key);
    if (held && held.digest === entry.digest && held.size === entry.size) return;
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    this.#dirty = true;
  }

  async save(): Promise<void> {
    if (!this.#dirty) return;
    const entries = [...this.#entries].slice(-PACK_CACHE_ENTRIES);
    await writeFileAtomic(this.file, JSON.stringify({ version: 1, entries: Object.fromEntries(entries) }), { mode: 0o600 });
    this.#dirty = false;
  }
}
