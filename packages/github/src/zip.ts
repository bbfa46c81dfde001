import { createReadStream, createWriteStream } from "node:fs";
import { type FileHandle, mkdir, open, rename, rm } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { crc32, createInflateRaw } from "node:zlib";
import { isInside, LlmopsError } from "@llmops/core";
import { ArtifactTooLargeError, UnsafeArtifactError } from "./errors.ts";

/**
 * Extraction of artifact zips that a pull request's code (or anyone who can upload to a run)
 * may have written. The zip is read from disk entry by entry through the central directory and
 * each entry is inflated as a stream, so neither the archive nor a file is ever held in memory;
 * sizes are counted as bytes come out of the inflater, never taken from the headers, which a
 * zip bomb fills with small numbers.
 */

export interface ZipLimits {
  /** Most bytes any one entry may inflate to. */
  maxEntryBytes: number;
  /** Most bytes all extracted entries may inflate to together. */
  maxTotalBytes: number;
  /** Most entries the archive may list (extracted or not). */
  maxEntries: number;
}

const EOCD = 0x06054b50;
const EOCD64_LOCATOR = 0x07064b50;
const EOCD64 = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const MAX_COMMENT = 0xffff;
/** Room the central directory may take in memory: metadata only, far above any real artifact's. */
const MAX_CENTRAL_DIRECTORY = 64 * 1024 * 1024;

interface Entry {
  name: string;
  method: number;
  flags: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
  unixMode: number;
}

async function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await handle.read(buffer, 0, length, position);
  if (bytesRead !== length) throw new UnsafeArtifactError("artifact zip is truncated");
  return buffer;
}

function u64(buffer: Buffer, at: number): number {
  const value = buffer.readBigUInt64LE(at);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new UnsafeArtifactError("artifact zip declares an impossible size");
  return Number(value);
}

async function centralDirectory(handle: FileHandle, fileSize: number): Promise<{ offset: number; size: number; count: number }> {
  const tailLength = Math.min(fileSize, 22 + MAX_COMMENT);
  const tail = await readAt(handle, fileSize - tailLength, tailLength);
  let at = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD) {
      at = i;
      break;
    }
  }
  if (at < 0) throw new UnsafeArtifactError("artifact is not a zip archive (no end of central directory)");
  let count = tail.readUInt16LE(at + 10);
  let size = tail.readUInt32LE(at + 12);
  let offset = tail.readUInt32LE(at + 16);
  if (count === 0xffff || size === 0xffffffff || offset === 0xffffffff) {
    const locatorAt = fileSize - tailLength + at - 20;
    if (locatorAt < 0) throw new UnsafeArtifactError("artifact zip has a broken ZIP64 end record");
    const locator = await readAt(handle, locatorAt, 20);
    if (locator.readUInt32LE(0) !== EOCD64_LOCATOR) throw new UnsafeArtifactError("artifact zip has a broken ZIP64 end record");
    const record = await readAt(handle, u64(locator, 8), 56);
    if (record.readUInt32LE(0) !== EOCD64) throw new UnsafeArtifactError("artifact zip has a broken ZIP64 end record");
    count = u64(record, 32);
    size = u64(record, 40);
    offset = u64(record, 48);
  }
  if (offset + size > fileSize) throw new UnsafeArtifactError("artifact zip's central directory lies outside the file");
  return { offset, size, count };
}

function zip64Extra(extra: Buffer, entry: Entry, wantSize: boolean, wantCompressed: boolean, wantOffset: boolean): void {
  for (let at = 0; at + 4 <= extra.length; ) {
    const id = extra.readUInt16LE(at);
    const length = extra.readUInt16LE(at + 2);
    if (id === 0x0001) {
      let field = at + 4;
      const next = () => {
        if (field + 8 > at + 4 + length) throw new UnsafeArtifactError("artifact zip has a short ZIP64 field");
        const value = u64(extra, field);
        field += 8;
        return value;
      };
      if (wantSize) entry.size = next();
      if (wantCompressed) entry.compressedSize = next();
      if (wantOffset) entry.localOffset = next();
      return;
    }
    at += 4 + length;
  }
}

function parseEntries(directory: Buffer, count: number, limits: ZipLimits): Entry[] {
  if (count > limits.maxEntries)
    throw new ArtifactTooLargeError(`artifact zip lists ${count} entries; at most ${limits.maxEntries} are allowed`);
  const entries: Entry[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    if (at + 46 > directory.length || directory.readUInt32LE(at) !== CENTRAL)
      throw new UnsafeArtifactError("artifact zip's central directory is corrupt");
    const nameLength = directory.readUInt16LE(at + 28);
    const extraLength = directory.readUInt16LE(at + 30);
    const commentLength = directory.readUInt16LE(at + 32);
    const end = at + 46 + nameLength + extraLength + commentLength;
    if (end > directory.length) throw new UnsafeArtifactError("artifact zip's central directory is corrupt");
    const entry: Entry = {
      name: directory.toString("utf8", at + 46, at + 46 + nameLength),
      flags: directory.readUInt16LE(at + 8),
      method: directory.readUInt16LE(at + 10),
      crc: directory.readUInt32LE(at + 16),
      compressedSize: directory.readUInt32LE(at + 20),
      size: directory.readUInt32LE(at + 24),
      localOffset: directory.readUInt32LE(at + 42),
      // The high half of the external attributes is the Unix mode when the archive was made on Unix.
      unixMode: directory.readUInt8(at + 5) === 3 ? directory.readUInt32LE(at + 38) >>> 16 : 0,
    };
    zip64Extra(
      directory.subarray(at + 46 + nameLength, at + 46 + nameLength + extraLength),
      entry,
      entry.size === 0xffffffff,
      entry.compressedSize === 0xffffffff,
      entry.localOffset === 0xffffffff,
    );
    entries.push(entry);
    at = end;
  }
  return entries;
}

/** The entry's path relative to the extraction directory, or an error naming why it is refused. */
function safeEntryPath(name: string): string {
  const shown = JSON.stringify(name.slice(0, 200));
  if (name.includes("\0")) throw new UnsafeArtifactError(`artifact entry ${shown} has a NUL in its name`);
  // Windows tools write backslashes; a backslash is a separator to whoever extracts it there.
  const parts = name.replace(/\\/g, "/").split("/");
  if (parts[0] === "" || /^[A-Za-z]:/.test(parts[0] ?? "")) throw new UnsafeArtifactError(`artifact entry ${shown} is an absolute path`);
  const kept = parts.filter((p) => p !== "" && p !== ".");
  if (kept.includes("..")) throw new UnsafeArtifactError(`artifact entry ${shown} points outside the extraction directory`);
  return kept.join("/");
}

/** Counts inflated bytes against both limits and computes the CRC-32 on the way. */
class Meter extends Transform {
  bytes = 0;
  crc = 0;
  private readonly name: string;
  private readonly limits: ZipLimits;
  private readonly total: { bytes: number };
  constructor(name: string, limits: ZipLimits, total: { bytes: number }) {
    super();
    this.name = name;
    this.limits = limits;
    this.total = total;
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null, data?: Buffer) => void): void {
    this.bytes += chunk.length;
    this.total.bytes += chunk.length;
    if (this.bytes > this.limits.maxEntryBytes) {
      callback(new ArtifactTooLargeError(`artifact entry ${JSON.stringify(this.name)} inflates past ${this.limits.maxEntryBytes} bytes`));
      return;
    }
    if (this.total.bytes > this.limits.maxTotalBytes) {
      callback(new ArtifactTooLargeError(`artifact inflates past ${this.limits.maxTotalBytes} bytes in all`));
      return;
    }
    this.crc = crc32(chunk, this.crc);
    callback(null, chunk);
  }
}

/**
 * Extracts the zip at `zipPath` into `dest` (replaced whole, via a temporary directory beside it)
 * and returns the extracted paths, sorted. Entries `include` refuses are not extracted (their
 * names are still checked). Only stored and deflated regular files are extracted; absolute
 * paths, `..`, links and encrypted entries are refused.
 */
export async function extractZipFile(
  zipPath: string,
  dest: string,
  limits: ZipLimits,
  include: (path: string) => boolean = () => true,
): Promise<string[]> {
  const handle = await open(zipPath, "r");
  const temp = `${resolve(dest)}.tmp-${process.pid}-${Date.now()}`;
  const written: string[] = [];
  try {
    const { size: fileSize } = await handle.stat();
    const cd = await centralDirectory(handle, fileSize);
    if (cd.size > MAX_CENTRAL_DIRECTORY)
      throw new ArtifactTooLargeError(`artifact zip's central directory is over ${MAX_CENTRAL_DIRECTORY} bytes`);
    const entries = parseEntries(await readAt(handle, cd.offset, cd.size), cd.count, limits);
    await rm(temp, { recursive: true, force: true });
    await mkdir(temp, { recursive: true });
    const seen = new Set<string>();
    const total = { bytes: 0 };
    for (const entry of entries) {
      const path = safeEntryPath(entry.name);
      const shown = JSON.stringify(entry.name.slice(0, 200));
      const isDirectory = entry.name.endsWith("/") || entry.name.endsWith("\\");
      if ((entry.unixMode & 0o170000) === 0o120000) throw new UnsafeArtifactError(`artifact entry ${shown} is a symbolic link`);
      if (entry.flags & 0x1) throw new UnsafeArtifactError(`artifact entry ${shown} is encrypted`);
      if (path === "" || isDirectory || !include(path)) continue;
      if (entry.method !== 0 && entry.method !== 8)
        throw new UnsafeArtifactError(`artifact entry ${shown} uses compression method ${entry.method}; only stored and deflate are read`);
      if (seen.has(path)) throw new UnsafeArtifactError(`artifact entry ${shown} appears twice`);
      seen.add(path);
      if (entry.size > limits.maxEntryBytes)
        throw new ArtifactTooLargeError(`artifact entry ${shown} is ${entry.size} bytes; at most ${limits.maxEntryBytes} are allowed`);
      const local = await readAt(handle, entry.localOffset, 30);
      if (local.readUInt32LE(0) !== LOCAL) throw new UnsafeArtifactError(`artifact entry ${shown} has no local header`);
      const start = entry.localOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
      if (start + entry.compressedSize > cd.offset) throw new UnsafeArtifactError(`artifact entry ${shown} lies outside the archive`);
      const target = join(temp, ...path.split("/"));
      if (!isInside(target, temp)) throw new UnsafeArtifactError(`artifact entry ${shown} points outside the extraction directory`);
      const meter = new Meter(path, limits, total);
      try {
        await mkdir(dirname(target), { recursive: true });
        const source =
          entry.compressedSize === 0
            ? [Buffer.alloc(0)]
            : createReadStream(zipPath, { start, end: start + entry.compressedSize - 1, highWaterMark: 64 * 1024 });
        const output = createWriteStream(target, { flags: "wx" });
        if (entry.method === 8) await pipeline(source, createInflateRaw(), meter, output);
        else await pipeline(source, meter, output);
      } catch (error) {
        if (error instanceof LlmopsError) throw error;
        // A file where another entry needs a directory, or data the inflater refuses.
        const why = (error as NodeJS.ErrnoException).code?.startsWith("Z_") ? "is not valid deflate data" : "cannot be written";
        throw new UnsafeArtifactError(`artifact entry ${shown} ${why} (${(error as Error).message})`, { cause: error });
      }
      if (meter.bytes !== entry.size || meter.crc !== entry.crc)
        throw new UnsafeArtifactError(`artifact entry ${shown} does not match its recorded size and checksum`);
      written.push(path);
    }
    await rm(dest, { recursive: true, force: true });
    await mkdir(dirname(resolve(dest)), { recursive: true });
    await rename(temp, dest);
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  } finally {
    await handle.close();
  }
  return written.sort();
}
