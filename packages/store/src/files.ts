import { createHash } from "node:crypto";
import { accessSync, type BigIntStats, constants, lstatSync, readdirSync } from "node:fs";
import { access, type FileHandle, lstat, mkdir, open, readFile, rm, stat } from "node:fs/promises";
import { basename, dirname, join, relative, resolve } from "node:path";
import { InputError, writeFileAtomic } from "@llmops/core";
import { isDigest } from "./schema.ts";
import { digestMismatch, tooLarge } from "./verify.ts";

/**
 * The fields of a stat the store compares (size, times, inode) and the mode bits: what a listing
 * keeps per file. A full BigIntStats holds some 28 BigInts; for 100,000 files that was most of a
 * version's memory.
 */
export type FileStat = Pick<BigIntStats, "size" | "mtimeNs" | "ctimeNs" | "ino" | "mode">;

export function fileStat(st: BigIntStats): FileStat {
  return { size: st.size, mtimeNs: st.mtimeNs, ctimeNs: st.ctimeNs, ino: st.ino, mode: st.mode };
}

export interface SourceFile {
  /** Absolute path on disk. */
  path: string;
  /** Path relative to the artifact root, POSIX separators: the layer title. */
  title: string;
  size: number;
  stat: FileStat;
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
    files.push({ path: abs, title: basename(abs), size: Number(top.size), stat: fileStat(top) });
    return files;
  }
  if (!top.isDirectory()) throw new InputError(`path ${root}: expected a regular file or a directory`);
  // Synchronous calls: a tree of 100,000 small files costs one lstat each, and a thread-pool round
  // trip per lstat (async fs) takes several times the syscall itself; warm re-versions are this walk.
  const walk = (dir: string, prefix: string): void => {
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch (error) {
      throw new InputError(`path ${relOrAbs(root, abs, dir)}: directory cannot be read (${(error as NodeJS.ErrnoException).code})`);
    }
    for (const entry of entries) {
      const full = join(dir, entry);
      const st = lstatSync(full, { bigint: true });
      const shown = () => relOrAbs(root, abs, full);
      if (st.isDirectory()) walk(full, `${prefix}${entry}/`);
      else if (st.isFile()) {
        checkReadableSync(full, shown, st);
        files.push({ path: full, title: `${prefix}${entry}`, size: Number(st.size), stat: fileStat(st) });
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
function checkReadableSync(path: string, shown: () => string, st: BigIntStats): void {
  const uid = process.getuid?.();
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
export class StatCache {
  readonly file: string;
  #entries = new Map<string, string>();
  #dirty = false;

  constructor(file: string) {
    this.file = file;
  }

  async load(): Promise<this> {
    try {
      const text = await readFile(this.file, "utf8");
      if (text.startsWith(V3_HEADER)) {
        let at = V3_HEADER.length;
        while (at < text.length) {
          const nl = text.indexOf("\n", at);
          const end = nl < 0 ? text.length : nl;
          const tab = text.indexOf("\t", at);
          if (tab > at && tab < end) this.#entries.set(decodePath(text.slice(at, tab)), text.slice(tab + 1, end));
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

  get(path: string, st: FileStat): string | undefined {
    const line = this.#entries.get(path);
    // One prefix test for the four stat fields: on a warm re-version every file comes through here.
    const stat = `${st.size} ${st.mtimeNs} ${st.ctimeNs} ${st.ino} `;
    if (!line?.startsWith(stat)) return undefined;
    const rest = line.slice(stat.length);
    const space = rest.indexOf(" ");
    const digest = rest.slice(space + 1);
    // The cache file is ours but lives outside the store: a digest from it still becomes a blob path.
    if (space < 0 || !isDigest(digest)) return undefined;
    // Doubles are exact to well under a microsecond here, ample for a two-second window.
    const seen = Number(rest.slice(0, space));
    if (!Number.isFinite(seen) || seen - Number(st.mtimeNs) < Number(RACY_NS)) return undefined;
    return digest;
  }

  /**
   * Records that the file had `digest` when it had stat `st`. `seenAtMs` is when `st` was taken (or
   * any earlier moment): taking it after the stat could hide a write made right after it.
   */
  set(path: string, st: FileStat, digest: string, seenAtMs: number): void {
    const seenNs = BigInt(Math.floor(seenAtMs)) * 1_000_000n;
    this.#entries.set(path, `${st.size} ${st.mtimeNs} ${st.ctimeNs} ${st.ino} ${seenNs} ${digest}`);
    this.#dirty = true;
  }

  async save(): Promise<void> {
    if (!this.#dirty) return;
    const parts: string[] = [V3_HEADER];
    for (const [path, line] of this.#entries) parts.push(`${encodePath(path)}\t${line}\n`);
    await writeFileAtomic(this.file, parts.join(""));
    this.#dirty = false;
  }
}

/** Re-stat right before trusting a cached digest, so a file changed since listing is caught. */
export async function freshStat(path: string): Promise<BigIntStats> {
  return stat(path, { bigint: true });
}
