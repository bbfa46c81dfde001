import { createHash } from "node:crypto";
import { type BigIntStats, constants } from "node:fs";
import { access, type FileHandle, lstat, mkdir, open, readdir, readFile, rm, stat } from "node:fs/promises";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { InputError, writeFileAtomic } from "@llmops/core";
import { isDigest } from "./schema.ts";
import { digestMismatch, tooLarge } from "./verify.ts";

export interface SourceFile {
  /** Absolute path on disk. */
  path: string;
  /** Path relative to the artifact root, POSIX separators: the layer title. */
  title: string;
  size: number;
  stat: BigIntStats;
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
    files.push({ path: abs, title: basename(abs), size: Number(top.size), stat: top });
    return files;
  }
  if (!top.isDirectory()) throw new InputError(`path ${root}: expected a regular file or a directory`);
  const walk = async (dir: string): Promise<void> => {
    let entries: string[];
    try {
      entries = await readdir(dir);
    } catch (error) {
      throw new InputError(`path ${relOrAbs(root, abs, dir)}: directory cannot be read (${(error as NodeJS.ErrnoException).code})`);
    }
    for (const entry of entries) {
      const full = join(dir, entry);
      const st = await lstat(full, { bigint: true });
      const shown = relOrAbs(root, abs, full);
      if (st.isDirectory()) await walk(full);
      else if (st.isFile()) {
        await checkReadable(full, shown);
        files.push({ path: full, title: relative(abs, full).split(sep).join("/"), size: Number(st.size), stat: st });
      } else if (st.isSymbolicLink()) {
        throw new InputError(`path ${shown}: is a symbolic link; versions hold regular files only`);
      } else {
        throw new InputError(`path ${shown}: is a special file (socket, FIFO or device); versions hold regular files only`);
      }
    }
  };
  await walk(abs);
  if (files.length === 0) throw new InputError(`path ${root}: empty directory, nothing to version`);
  return files.sort((a, b) => (a.title < b.title ? -1 : a.title > b.title ? 1 : 0));
}

function relOrAbs(root: string, abs: string, full: string): string {
  return join(root, relative(abs, full));
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

/**
 * path + size + mtime + ctime + inode → digest, so re-versioning unchanged files reads nothing. A
 * write changes mtime; a write that puts mtime back (utimes, touch -r) still changes ctime, which
 * no user call can set; a replace changes the inode. An entry made less than 2 s after the file's
 * mtime is never trusted (https://git-scm.com/docs/racy-git): the file could have changed again in
 * the same tick without any of these moving.
 */
export class StatCache {
  readonly file: string;
  #entries = new Map<string, StatEntry>();
  #dirty = false;

  constructor(file: string) {
    this.file = file;
  }

  async load(): Promise<this> {
    try {
      const parsed = JSON.parse(await readFile(this.file, "utf8")) as { version?: number; entries?: Record<string, StatEntry> };
      // Version 1 entries lack ctime and the racy-git timestamp: dropping them costs one rehash.
      if (parsed.version === 2 && parsed.entries) this.#entries = new Map(Object.entries(parsed.entries));
    } catch {
      // A missing or corrupt cache only costs a rehash.
    }
    return this;
  }

  get(path: string, st: BigIntStats): string | undefined {
    const e = this.#entries.get(path);
    // The cache file is ours but lives outside the store: a digest from it still becomes a blob path.
    if (!e || !isDigest(e.digest)) return undefined;
    try {
      if (BigInt(e.seenNs) - BigInt(e.mtimeNs) < RACY_NS) return undefined;
    } catch {
      return undefined;
    }
    return e.size === String(st.size) && e.mtimeNs === String(st.mtimeNs) && e.ctimeNs === String(st.ctimeNs) && e.ino === String(st.ino)
      ? e.digest
      : undefined;
  }

  /**
   * Records that the file had `digest` when it had stat `st`. `seenAtMs` is when `st` was taken (or
   * any earlier moment): taking it after the stat could hide a write made right after it.
   */
  set(path: string, st: BigIntStats, digest: string, seenAtMs: number): void {
    this.#entries.set(path, {
      size: String(st.size),
      mtimeNs: String(st.mtimeNs),
      ctimeNs: String(st.ctimeNs),
      ino: String(st.ino),
      seenNs: String(BigInt(Math.floor(seenAtMs)) * 1_000_000n),
      digest,
    });
    this.#dirty = true;
  }

  async save(): Promise<void> {
    if (!this.#dirty) return;
    await writeFileAtomic(this.file, JSON.stringify({ version: 2, entries: Object.fromEntries(this.#entries) }));
    this.#dirty = false;
  }
}

/** Re-stat right before trusting a cached digest, so a file changed since listing is caught. */
export async function freshStat(path: string): Promise<BigIntStats> {
  return stat(path, { bigint: true });
}
