import { createHash, randomBytes } from "node:crypto";
import {
  accessSync,
  type BigIntStats,
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  openSync,
  readdirSync,
  readSync,
  type Stats,
  writeSync,
} from "node:fs";
import { access, type FileHandle, lstat, mkdir, open, rename, rm, stat } from "node:fs/promises";
import { basename, dirname, join, relative, resolve } from "node:path";
import { InputError } from "@llmops/core";
import type { FileMode } from "./packs/tar.ts";
import { digestMismatch, tooLarge } from "./verify.ts";

/**
 * What the store compares of a file's stat, as one flat string: `size mtimeNs ctimeNs ino`
 * (decimal). A listing keeps this per file, the stat cache stores it as the start of its line, and
 * a file is unchanged while its stat gives the same key. An object of BigInts per file (a full
 * BigIntStats holds some 28) was most of a version's memory at 100,000 files.
 */
export type FileStat = string;

type StatFields = Pick<BigIntStats, "size" | "mtimeNs" | "ctimeNs" | "ino">;

/** The FileStat of a stat. Array join makes a flat string (template literals build a tree of pieces). */
export function fileStat(st: StatFields): FileStat {
  return [st.size, st.mtimeNs, st.ctimeNs, st.ino].join(" ");
}

/** The mtime (ns since the epoch) a FileStat records. */
function mtimeNsOf(stat: FileStat): number {
  const a = stat.indexOf(" ");
  return Number(stat.slice(a + 1, stat.indexOf(" ", a + 1)));
}

export interface SourceFile {
  /** Absolute path on disk. */
  path: string;
  /** Path relative to the artifact root, POSIX separators: the layer title. */
  title: string;
  size: number;
  stat: FileStat;
  /** 0755 when any execute bit is set, else 0644: the mode a pack records. */
  mode: FileMode;
}

/** The mode a version records for a file: executable or not. */
export function modeOf(stat: Pick<BigIntStats, "mode">): FileMode {
  return (stat.mode & 0o111n) !== 0n ? 0o755 : 0o644;
}

const READ_CHUNK = 1024 * 1024;

/** Every regular file under `root` (or `root` itself), sorted by title; refuses anything else by name. */
export async function listFiles(root: string, cwd = process.cwd()): Promise<SourceFile[]> {
  const abs = resolve(cwd, root);
  let top: BigIntStats;
  try {
    top = await lstat(abs, { bigint: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(`path ${root}: ${code === "ENOENT" ? "not found" : `cannot be read (${code})`}`);
  }
  const files: SourceFile[] = [];
  if (top.isFile()) {
    await checkReadable(abs, root);
    files.push({ path: abs, title: basename(abs), size: Number(top.size), stat: fileStat(top), mode: modeOf(top) });
    return files;
  }
  if (!top.isDirectory()) throw new InputError(`path ${root}: expected a regular file or a directory`);
  // Synchronous calls: a tree of 100,000 small files costs one lstat each, and a thread-pool round
  // trip per lstat (async fs) takes several times the syscall itself; warm re-versions are this walk.
  const uid = process.getuid?.();
  const walk = (dir: string, prefix: string): void => {
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch (error) {
      throw new InputError(`path ${relOrAbs(root, abs, dir)}: directory cannot be read (${(error as NodeJS.ErrnoException).code})`);
    }
    // Flat strings (Array join): a concatenation is a tree of pieces, flattened into a second copy
    // the first time it is compared or hashed as a Map key. `dir` is absolute and normalized.
    const sep = dir.endsWith("/") ? "" : "/";
    for (const entry of entries) {
      const full = [dir, entry].join(sep);
      const st = lstatSync(full, { bigint: true });
      const shown = () => relOrAbs(root, abs, full);
      if (st.isDirectory()) walk(full, `${prefix}${entry}/`);
      else if (st.isFile()) {
        checkReadableSync(full, shown, st, uid);
        files.push({ path: full, title: [prefix, entry].join(""), size: Number(st.size), stat: fileStat(st), mode: modeOf(st) });
      } else if (st.isSymbolicLink()) {
        throw new InputError(`path ${shown()}: is a symbolic link; versions hold regular files only`);
      } else {
        throw new InputError(`path ${shown()}: is a special file (socket, FIFO or device); versions hold regular files only`);
      }
    }
  };
  walk(abs, "");
  if (files.length === 0) throw new InputError(`path ${root}: empty directory, nothing to version`);
  return files.sort((a, b) => (a.title < b.title ? -1 : a.title > b.title ? 1 : 0));
}

function relOrAbs(root: string, abs: string, full: string): string {
  return join(root, relative(abs, full));
}

/** As checkReadable, without a syscall when the mode bits already grant us read (the common case). */
function checkReadableSync(path: string, shown: () => string, st: BigIntStats, uid: number | undefined): void {
  if (uid !== undefined && (uid === 0 || (BigInt(uid) === st.uid && (st.mode & 0o400n) !== 0n) || (st.mode & 0o004n) !== 0n)) return;
  try {
    accessSync(path, constants.R_OK);
  } catch {
    throw new InputError(`path ${shown()}: file is not readable`);
  }
}

async function checkReadable(path: string, shown: string): Promise<void> {
  try {
    await access(path, constants.R_OK);
  } catch {
    throw new InputError(`path ${shown}: file is not readable`);
  }
}

/**
 * Reads a file chunk by chunk into two buffers reused for the whole file: a fresh buffer per
 * chunk (what fs streams allocate) costs a page fault per 4 KiB and makes hashing several times
 * slower than the hash itself. `onChunk` may return a promise (a write) that must settle before
 * its buffer is read into again; the other buffer is read meanwhile.
 */
async function forEachChunk(path: string, onChunk: (chunk: Buffer) => Promise<void> | undefined): Promise<number> {
  const buffers = [Buffer.allocUnsafe(READ_CHUNK), Buffer.allocUnsafe(READ_CHUNK)] as const;
  const input = await open(path, "r");
  let size = 0;
  let pending: Promise<void> | undefined;
  try {
    for (let turn = 0; ; turn++) {
      const buffer = buffers[turn & 1]!;
      const { bytesRead } = await input.read(buffer, 0, READ_CHUNK, null);
      if (bytesRead === 0) break;
      size += bytesRead;
      await pending;
      pending = onChunk(buffer.subarray(0, bytesRead));
    }
    await pending;
  } finally {
    await input.close();
  }
  return size;
}

async function writeFully(handle: FileHandle, chunk: Buffer): Promise<void> {
  let offset = 0;
  while (offset < chunk.length) {
    const { bytesWritten } = await handle.write(chunk, offset, chunk.length - offset);
    offset += bytesWritten;
  }
}

/** sha256 of a file, read once. */
export async function hashFile(path: string, onBytes?: (n: number) => void): Promise<{ digest: string; size: number }> {
  const hash = createHash("sha256");
  const size = await forEachChunk(path, (chunk) => {
    hash.update(chunk);
    onBytes?.(chunk.length);
    return undefined;
  });
  return { digest: `sha256:${hash.digest("hex")}`, size };
}

/** Copies `source` to `target` (fsynced) while hashing it: one read of the bytes for both. */
export async function hashAndCopy(
  source: string,
  target: string,
  onBytes?: (n: number) => void,
): Promise<{ digest: string; size: number }> {
  const hash = createHash("sha256");
  await mkdir(dirname(target), { recursive: true });
  const handle = await open(target, "w");
  let size: number;
  try {
    size = await forEachChunk(source, (chunk) => {
      hash.update(chunk);
      onBytes?.(chunk.length);
      return writeFully(handle, chunk);
    });
    await handle.sync();
  } finally {
    await handle.close();
  }
  return { digest: `sha256:${hash.digest("hex")}`, size };
}

/**
 * Copies a local blob file to `target` (fsynced) while hashing it, with writeVerified's check: more
 * than `size` bytes, or another digest, removes `target` and throws the BlobIntegrityError a fetch
 * throws, naming `what`. One read of the bytes, in forEachChunk's two reused buffers.
 */
export async function copyVerified(
  source: string,
  target: string,
  expected: { digest: string; size: number },
  what: string,
  onBytes?: (n: number) => void,
): Promise<void> {
  const hash = createHash("sha256");
  const handle = await open(target, "wx");
  let size = 0;
  try {
    await forEachChunk(source, (chunk) => {
      size += chunk.length;
      if (size > expected.size) throw tooLarge(what, expected.digest, expected.size);
      hash.update(chunk);
      onBytes?.(chunk.length);
      return writeFully(handle, chunk);
    });
    if (size !== expected.size || `sha256:${hash.digest("hex")}` !== expected.digest) {
      throw digestMismatch(what, expected.digest, size, expected.size);
    }
    await handle.sync();
  } catch (error) {
    await handle.close().catch(() => {});
    await rm(target, { force: true });
    throw error;
  }
  await handle.close();
}

interface StatEntry {
  size: string;
  mtimeNs: string;
  ctimeNs: string;
  ino: string;
  /** When the stat this entry was made from was taken (ns since the epoch). */
  seenNs: string;
  digest: string;
}

/**
 * A file whose mtime is this close to the moment it was stat'ed may still be written to within the
 * same timestamp tick (coarse filesystems tick in seconds; FAT in two): git's "racy git" rule.
 */
const RACY_NS = 2_000_000_000n;

/** First line of the version 3 file: one line per entry after it. */
const V3_HEADER = "llmops-stat-cache 3\n";

function encodePath(path: string): string {
  return /[\\\t\n]/.test(path) ? path.replace(/[\\\t\n]/g, (c) => (c === "\\" ? "\\\\" : c === "\t" ? "\\t" : "\\n")) : path;
}

function decodePath(text: string): string {
  return text.includes("\\") ? text.replace(/\\(.)/g, (_, c: string) => (c === "t" ? "\t" : c === "n" ? "\n" : c)) : text;
}

/**
 * path + size + mtime + ctime + inode → digest, so re-versioning unchanged files reads nothing. A
 * write changes mtime; a write that puts mtime back (utimes, touch -r) still changes ctime, which
 * no user call can set; a replace changes the inode. An entry made less than 2 s after the file's
 * mtime is never trusted (https://git-scm.com/docs/racy-git): the file could have changed again in
 * the same tick without any of these moving.
 *
 * Stored as text, one `path<TAB>size mtime ctime ino seen digest` line per entry, and held as
 * those strings until asked: a dataset of 100,000 files makes a cache of 100,000 entries, and a
 * JSON object per entry cost seconds to parse and to write on every version and fetch. Version 2
 * (JSON) files are still read.
 */
/**
 * Whether a cache file may be believed. The stat and pack caches are trusted whole: a digest in
 * them stands for a file's bytes without reading them again (a pack rebuilt from cached digests
 * is checked only against the cached pack digest). So a cache another user could have written,
 * one not owned by this user or writable by group or others, is not read: it only costs a rehash.
 * The caches themselves are written 0600.
 */
export function trustedCacheFile(st: Pick<Stats, "uid" | "mode">): boolean {
  const uid = process.getuid?.();
  return (uid === undefined || st.uid === uid) && (st.mode & 0o022) === 0;
}

/** A cache file's text, or undefined when it is missing, unreadable or not trusted (trustedCacheFile). */
export async function readCacheFile(file: string): Promise<string | undefined> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(file, "r");
    if (!trustedCacheFile(await handle.stat())) return undefined;
    return await handle.readFile("utf8");
  } catch {
    return undefined;
  } finally {
    await handle?.close();
  }
}

export class StatCache {
  readonly file: string;
  /**
   * Loaded entries stay the text of their line (a slice of the file); entries set in this run are
   * objects pointing at strings the caller holds anyway (the listing's FileStat, the result's
   * digest), so a cold version of 100,000 files adds no second copy of either.
   */
  #entries = new Map<string, string | SetEntry>();
  #dirty = false;

  constructor(file: string) {
    this.file = file;
  }

  /**
   * Reads the cache file. With `prefix`, only entries whose path starts with it are held (the tree
   * being versioned or fetched into): `save` keeps the others by copying them from the file. Not
   * loading at all is fine for a cache that is only written to (a fetch into a new directory).
   */
  async load(prefix?: string): Promise<this> {
    try {
      const text = await readCacheFile(this.file);
      if (text === undefined) return this;
      if (text.startsWith(V3_HEADER)) {
        const encodedPrefix = prefix === undefined ? undefined : encodePath(prefix);
        let at = V3_HEADER.length;
        while (at < text.length) {
          const nl = text.indexOf("\n", at);
          const end = nl < 0 ? text.length : nl;
          const tab = text.indexOf("\t", at);
          if (tab > at && tab < end && (encodedPrefix === undefined || text.startsWith(encodedPrefix, at)))
            this.#entries.set(decodePath(text.slice(at, tab)), text.slice(tab + 1, end));
          at = end + 1;
        }
        return this;
      }
      const parsed = JSON.parse(text) as { version?: number; entries?: Record<string, StatEntry> };
      // Version 1 entries lack ctime and the racy-git timestamp: dropping them costs one rehash.
      if (parsed.version === 2 && parsed.entries) {
        for (const [path, e] of Object.entries(parsed.entries)) {
          if (e && typeof e === "object") this.#entries.set(path, [e.size, e.mtimeNs, e.ctimeNs, e.ino, e.seenNs, e.digest].join(" "));
        }
      }
    } catch {
      // A missing or corrupt cache only costs a rehash.
    }
    return this;
  }

  get(path: string, st: FileStat | StatFields): string | undefined {
    const found = this.#entries.get(path);
    if (found === undefined) return undefined;
    const line = typeof found === "string" ? found : lineOf(found);
    // One prefix test for the four stat fields: on a warm re-version every file comes through here.
    const stat = typeof st === "string" ? st : fileStat(st);
    if (line.charCodeAt(stat.length) !== 32 || !line.startsWith(stat)) return undefined;
    const space = line.indexOf(" ", stat.length + 1);
    const digest = line.slice(space + 1);
    // The cache file is ours but lives outside the store: a digest from it still becomes a blob path.
    if (space < 0 || !isSha256Digest(digest)) return undefined;
    // Doubles are exact to well under a microsecond here, ample for a two-second window.
    const seen = Number(line.slice(stat.length + 1, space));
    if (!Number.isFinite(seen) || seen - mtimeNsOf(stat) < Number(RACY_NS)) return undefined;
    return digest;
  }

  /**
   * Records that the file had `digest` when it had stat `st`. `seenAtMs` is when `st` was taken (or
   * any earlier moment): taking it after the stat could hide a write made right after it.
   */
  set(path: string, st: FileStat | StatFields, digest: string, seenAtMs: number): void {
    this.#entries.set(path, { stat: typeof st === "string" ? st : fileStat(st), seenMs: Math.floor(seenAtMs), digest });
    this.#dirty = true;
  }

  /**
   * Writes the cache: the entries of the file as it is now whose paths this cache does not hold
   * (other trees, other processes' work), copied line by line, then this cache's entries. Written
   * to a temp file beside it a megabyte at a time and renamed into place: neither the file nor the
   * lines of 100,000 entries are ever held whole.
   */
  async save(): Promise<void> {
    if (!this.#dirty) return;
    await mkdir(dirname(this.file), { recursive: true });
    const temp = `${this.file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
    try {
      const fd = openSync(temp, "w", 0o600);
      try {
        const out = new ChunkWriter(fd);
        out.text(V3_HEADER);
        this.#copyOthers(out);
        for (const [path, entry] of this.#entries) out.text(`${encodePath(path)}\t${typeof entry === "string" ? entry : lineOf(entry)}\n`);
        out.flush();
      } finally {
        closeSync(fd);
      }
      await rename(temp, this.file);
    } catch (error) {
      await rm(temp, { force: true }).catch(() => {});
      throw error;
    }
    this.#dirty = false;
  }

  /** Copies the lines of the current file (version 3 only) whose paths this cache does not hold. */
  #copyOthers(out: ChunkWriter): void {
    let fd: number;
    try {
      fd = openSync(this.file, "r");
    } catch {
      return;
    }
    // Lines of a file that is not to be believed are not carried into one that is.
    if (!trustedCacheFile(fstatSync(fd))) {
      closeSync(fd);
      return;
    }
    try {
      const chunk = Buffer.allocUnsafe(1 << 20);
      let rest: Buffer | undefined;
      let first = true;
      for (;;) {
        const n = readSync(fd, chunk, 0, chunk.length, null);
        if (n === 0) return;
        const data = rest ? Buffer.concat([rest, chunk.subarray(0, n)]) : chunk.subarray(0, n);
        let at = 0;
        for (let nl = data.indexOf(10, at); nl >= 0; nl = data.indexOf(10, at)) {
          if (first) {
            // Only a version 3 file is merged line by line; an older one was loaded whole, or is dropped.
            if (data.toString("utf8", 0, nl + 1) !== V3_HEADER) return;
            first = false;
          } else {
            const tab = data.indexOf(9, at);
            if (tab > at && tab < nl && !this.#entries.has(decodePath(data.toString("utf8", at, tab))))
              out.bytes(data.subarray(at, nl + 1));
          }
          at = nl + 1;
        }
        rest = at < data.length ? Buffer.from(data.subarray(at)) : undefined;
      }
    } finally {
      closeSync(fd);
    }
  }
}

interface SetEntry {
  stat: FileStat;
  seenMs: number;
  digest: string;
}

/** The text of an entry's line after the path: `size mtime ctime ino seenNs digest`. */
function lineOf(e: SetEntry): string {
  return `${e.stat} ${BigInt(e.seenMs) * 1_000_000n} ${e.digest}`;
}

/** Buffered synchronous writes to a file descriptor, a megabyte at a time. */
class ChunkWriter {
  readonly #fd: number;
  readonly #buffer = Buffer.allocUnsafe(1 << 20);
  #used = 0;

  constructor(fd: number) {
    this.#fd = fd;
  }

  text(s: string): void {
    // A line is at most a few KiB: encode straight into the buffer when it fits (utf8 ≤ 3 bytes per unit).
    if (this.#used + s.length * 3 > this.#buffer.length) this.flush();
    if (s.length * 3 > this.#buffer.length) this.#write(Buffer.from(s, "utf8"));
    else this.#used += this.#buffer.write(s, this.#used, "utf8");
  }

  bytes(b: Uint8Array): void {
    if (this.#used + b.length > this.#buffer.length) this.flush();
    if (b.length > this.#buffer.length) this.#write(b);
    else {
      this.#buffer.set(b, this.#used);
      this.#used += b.length;
    }
  }

  flush(): void {
    this.#write(this.#buffer.subarray(0, this.#used));
    this.#used = 0;
  }

  #write(b: Uint8Array): void {
    let at = 0;
    while (at < b.length) at += writeSync(this.#fd, b, at, b.length - at);
  }
}

/** `sha256:` and 64 lowercase hex digits (schema.ts isDigest), without a regular expression: every cached file is checked. */
function isSha256Digest(digest: string): boolean {
  if (digest.length !== 71 || !digest.startsWith("sha256:")) return false;
  for (let i = 7; i < 71; i++) {
    const c = digest.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

/** Re-stat right before trusting a cached digest, so a file changed since listing is caught. */
export async function freshStat(path: string): Promise<BigIntStats> {
  return stat(path, { bigint: true });
}
