import { randomBytes } from "node:crypto";
import { chmod, link, lstat, mkdir, rename, rm } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { InputError } from "@llmops/core";
import { copyVerified, hashFile } from "./files.ts";
import { BLOB_MODE } from "./layout.ts";
import { mapLimit } from "./limit.ts";
import type { Descriptor } from "./media.ts";
import type { BlobCache, ProgressEvent } from "./store.ts";
import { syncDir } from "./tree.ts";
import { digestMismatch } from "./verify.ts";

export interface MaterializeOptions {
  /**
   * Hard-link the blobs of a layout store into the directory (default true): no byte is copied.
   * Where a link is refused (another filesystem, links not allowed, too many links) the file is
   * copied and verified instead. False copies and verifies every file.
   */
  link?: boolean;
  /**
   * Re-hash linked blobs too. Without it a linked blob is trusted as verified when it was stored
   * (the layout is local and was hashed at ingest; only its size is checked): what is copied or
   * downloaded is always verified.
   */
  verify?: boolean;
  /** Registry stores: a read-through blob cache, as fetch uses it. */
  blobCache?: BlobCache;
  onProgress?: (event: ProgressEvent) => void;
  signal?: AbortSignal;
}

export interface MaterializedFile {
  title: string;
  digest: string;
  size: number;
  /** A hard link to the layout's blob (its inode), rather than a copy. */
  linked: boolean;
}

export interface MaterializeResult {
  name: string;
  digest: string;
  version?: string;
  path: string;
  files: MaterializedFile[];
  linkedBytes: number;
  copiedBytes: number;
}

/** One file of a version: its layer and its checked title (store.ts versionFiles). */
export interface VersionFile {
  layer: Descriptor;
  title: string;
  parts: string[];
}

/** Where the bytes of a version come from. */
export interface BlobSource {
  /** The blob's file when the store is a local layout (Transport.blobPath); undefined otherwise. */
  blobPath?: (digest: string) => Promise<string | undefined>;
  /** Writes the blob to `target` verified: fetch's download path, blob cache included. */
  download: (file: VersionFile, target: string, onBytes: (n: number) => void) => Promise<void>;
  /** Names a file in messages, as fetch does: `ref m:v1: file weights.bin`. */
  what: (title: string) => string;
}

/** link(2) errors that mean "copy instead": another filesystem, links not allowed here, too many links. */
const COPY_INSTEAD = new Set(["EXDEV", "EPERM", "EMLINK", "ENOTSUP", "EOPNOTSUPP"]);

/**
 * Writes `files` into `dest`, a directory that must not exist yet. The tree is built in a sibling
 * `<dest>.llmops-stage-<random>` and renamed into place once complete; on any failure (a digest
 * mismatch, an abort) the stage is removed and `dest` is never created.
 *
 * Hard links are safe here because layout blobs are immutable: content-addressed, written once to
 * a temp file and renamed into place, never opened for writing afterwards, and read-only
 * (layout.ts BLOB_MODE). A linked file is the blob's inode, so it stays read-only too; a blob left
 * writable by an older layout is made read-only before it is handed out, or copied when it cannot
 * be. Every file of the result is read-only (0444), linked or copied, so a materialized version
 * looks the same whichever path each file took; its directories stay writable, so it can be removed.
 *
 * Copies (links refused, `link: false`, registry stores) are streamed and verified while they are
 * written, one file at a time per worker: memory stays flat in model size. `copyFile` with
 * COPYFILE_FICLONE is not used: a reflink is only possible on the filesystem where the hard link
 * was just refused, ext4 silently turns it into a full copy, and either way the copy would have to
 * be read back to be verified; a verified streamed copy reads the blob once and writes it once.
 */
export async function materializeTree(
  dest: string,
  files: VersionFile[],
  source: BlobSource,
  options: MaterializeOptions & { concurrency: number },
): Promise<{ files: MaterializedFile[]; linkedBytes: number; copiedBytes: number }> {
  const total = files.reduce((s, f) => s + f.layer.size, 0);
  const progress = progressOf(total, options);
  const inFlight = filesInFlight(source, options.concurrency);
  const written = await inStage(dest, options.signal, (stage) =>
    mapLimit(files, inFlight, async (file): Promise<MaterializedFile> => {
      options.signal?.throwIfAborted();
      const staged = join(stage, ...file.parts);
      await mkdir(dirname(staged), { recursive: true });
      const linked = await placeFile(file, staged, source, options, progress);
      return { title: file.title, digest: file.layer.digest, size: file.layer.size, linked };
    }),
  );
  const linkedBytes = written.filter((f) => f.linked).reduce((s, f) => s + f.size, 0);
  return { files: written, linkedBytes, copiedBytes: total - linkedBytes };
}

/** Progress events of a materialize of `total` bytes; each one checks the abort signal first. */
export function progressOf(total: number, options: MaterializeOptions): (n: number) => void {
  let done = 0;
  return (n) => {
    options.signal?.throwIfAborted();
    done += n;
    options.onProgress?.({ phase: "materialize", done, total });
  };
}

/**
 * Files handled at once. From a layout every file is local: a copy is bound by hashing on this
 * thread and by the copy's reads and writes on libuv's, so more files in flight than cores only
 * contend (measured: 8 in flight on 2 cores is ~1.4x slower than 2). A registry's downloads keep
 * the store's concurrency.
 */
export function filesInFlight(source: BlobSource, concurrency: number): number {
  return source.blobPath ? Math.max(1, Math.min(concurrency, availableParallelism())) : concurrency;
}

/**
 * Builds a new directory `dest` (which must not exist) in a sibling `<dest>.llmops-stage-<random>`
 * filled by `fill`, then renamed into place; on any failure (a digest mismatch, an abort) the stage
 * is removed and `dest` is never created.
 */
export async function inStage<T>(dest: string, signal: AbortSignal | undefined, fill: (stage: string) => Promise<T>): Promise<T> {
  await refuseExisting(dest);
  signal?.throwIfAborted();
  await mkdir(dirname(dest), { recursive: true });
  const stage = `${dest}.llmops-stage-${randomBytes(6).toString("hex")}`;
  await mkdir(stage);
  let result: T;
  try {
    result = await fill(stage);
    signal?.throwIfAborted();
    // rename(2) would replace an empty directory created since the first check; look once more.
    await refuseExisting(dest);
    await rename(stage, dest);
  } catch (error) {
    await rm(stage, { recursive: true, force: true });
    throw error;
  }
  await syncDir(dirname(dest));
  return result;
}

/**
 * Puts one file of its own layer at `staged` (its directory exists): a hard link to the layout's
 * blob when allowed (true is returned), else a verified copy of the blob, else a verified
 * download. Copies are made read-only: 0444, or 0555 for `executable` files, which are never
 * linked (the blob's own mode is 0444 and is not ours to change).
 */
export async function placeFile(
  file: VersionFile,
  staged: string,
  source: BlobSource,
  options: MaterializeOptions,
  progress: (n: number) => void,
  executable = false,
): Promise<boolean> {
  const { layer, title } = file;
  const what = source.what(title);
  const blob = await source.blobPath?.(layer.digest);
  let linked = false;
  if (blob && options.link !== false && !executable && (await linkBlob(blob, staged, layer, what))) {
    linked = true;
    if (options.verify) {
      const got = await hashFile(staged, progress);
      if (got.digest !== layer.digest || got.size !== layer.size) throw digestMismatch(what, layer.digest, got.size, layer.size);
    } else progress(layer.size);
  } else if (blob) {
    await copyVerified(blob, staged, layer, what, progress);
  } else {
    await source.download(file, staged, progress);
  }
  if (!linked) await chmod(staged, executable ? EXECUTABLE_MODE : BLOB_MODE);
  return linked;
}

/** A materialized file that the version marks executable: read-only, and still executable. */
export const EXECUTABLE_MODE = 0o555;

async function refuseExisting(dest: string): Promise<void> {
  try {
    await lstat(dest);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw new InputError(`destination ${dest}: cannot be read (${(error as NodeJS.ErrnoException).code})`);
  }
  throw new InputError(`destination ${dest}: already exists; materialize writes a new directory, expected a path that does not exist`);
}

/**
 * Hard-links the blob to `staged`: true when `staged` is now the blob's read-only inode, false
 * when the caller should copy instead (link refused; the blob is not a regular file; it is
 * writable and we may not change that). A size other than the recorded one is a tampered store.
 */
async function linkBlob(blob: string, staged: string, layer: Descriptor, what: string): Promise<boolean> {
  try {
    await link(blob, staged);
  } catch (error) {
    if (COPY_INSTEAD.has((error as NodeJS.ErrnoException).code ?? "")) return false;
    throw error;
  }
  // link(2) does not follow a symbolic link: a blob that is one would be handed out as one.
  const st = await lstat(staged);
  if (!st.isFile()) {
    await rm(staged, { force: true });
    return false;
  }
  if (st.size !== layer.size) throw digestMismatch(what, layer.digest, st.size, layer.size);
  if ((st.mode & 0o222) !== 0) {
    try {
      await chmod(staged, BLOB_MODE);
    } catch {
      await rm(staged, { force: true });
      return false;
    }
  }
  return true;
}
