import { createHash } from "node:crypto";
import { type BigIntStats, constants, createReadStream, createWriteStream } from "node:fs";
import { access, lstat, mkdir, open, readdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { InputError } from "@llmops/core";

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

function hashingTap(hash: ReturnType<typeof createHash>, onBytes?: (n: number) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      onBytes?.(chunk.length);
      done(null, chunk);
    },
  });
}

/** sha256 of a file, streamed once. */
export async function hashFile(path: string, onBytes?: (n: number) => void): Promise<{ digest: string; size: number }> {
  const hash = createHash("sha256");
  let size = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: READ_CHUNK })) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
    onBytes?.((chunk as Buffer).length);
  }
  return { digest: `sha256:${hash.digest("hex")}`, size };
}

/** Copies `source` to `target` (fsynced) while hashing it: one read of the bytes for both. */
export async function hashAndCopy(
  source: string,
  target: string,
  onBytes?: (n: number) => void,
): Promise<{ digest: string; size: number }> {
  const hash = createHash("sha256");
  let size = 0;
  await mkdir(dirname(target), { recursive: true });
  const handle = await open(target, "w");
  try {
    await pipeline(
      createReadStream(source, { highWaterMark: READ_CHUNK }),
      hashingTap(hash, (n) => {
        size += n;
        onBytes?.(n);
      }),
      createWriteStream("", { fd: handle.fd, autoClose: false }),
    );
    await handle.sync();
  } finally {
    await handle.close();
  }
  return { digest: `sha256:${hash.digest("hex")}`, size };
}

interface StatEntry {
  size: string;
  mtimeNs: string;
  ino: string;
  digest: string;
}

/**
 * path + size + mtime + inode → digest, so re-versioning unchanged files reads nothing. A changed
 * file changes mtime (or size/inode on replace), which misses the cache and rehashes.
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
      if (parsed.version === 1 && parsed.entries) this.#entries = new Map(Object.entries(parsed.entries));
    } catch {
      // A missing or corrupt cache only costs a rehash.
    }
    return this;
  }

  get(path: string, st: BigIntStats): string | undefined {
    const e = this.#entries.get(path);
    if (!e) return undefined;
    return e.size === String(st.size) && e.mtimeNs === String(st.mtimeNs) && e.ino === String(st.ino) ? e.digest : undefined;
  }

  set(path: string, st: BigIntStats, digest: string): void {
    this.#entries.set(path, { size: String(st.size), mtimeNs: String(st.mtimeNs), ino: String(st.ino), digest });
    this.#dirty = true;
  }

  async save(): Promise<void> {
    if (!this.#dirty) return;
    await mkdir(dirname(this.file), { recursive: true });
    const temp = `${this.file}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(temp, JSON.stringify({ version: 1, entries: Object.fromEntries(this.#entries) }));
    await rename(temp, this.file);
    this.#dirty = false;
  }
}

/** Re-stat right before trusting a cached digest, so a file changed since listing is caught. */
export async function freshStat(path: string): Promise<BigIntStats> {
  return stat(path, { bigint: true });
}
