import { createHash } from "node:crypto";
import { open } from "node:fs/promises";
import type { Readable } from "node:stream";
import { LlmopsError, MAX_PACK_THRESHOLD } from "@llmops/core";
import { BlobIntegrityError } from "../integrity-errors.ts";
import { mapLimit } from "../limit.ts";
import type { Transport } from "../transport.ts";
import type { IndexEntry, IndexedPack } from "./file-index.ts";
import { readTar, TarFormatError } from "./tar.ts";

/** A file to take out of a pack; `offset` is set (IndexEntry.pack/offset). */
export interface WantedFile {
  entry: IndexEntry & { offset: number };
}

/** Chunks of a pack; a Readable is destroyed once read, a generator returned. */
export type PackStream = Readable | AsyncGenerator<Buffer>;

export interface PackSource {
  /** The whole pack from byte 0; undefined when the store lacks it. */
  open(): Promise<PackStream | undefined>;
  /**
   * Bytes [start, end) of the pack; `start` in the answer says where the stream really begins (0
   * when the server ignored Range and sent everything). Absent when the transport cannot seek.
   */
  openRange?(start: number, end: number): Promise<{ stream: Readable; start: number } | undefined>;
}

export interface ExtractOptions {
  /**
   * Every file the index places in this pack (wanted or not), in offset order: a whole-pack read
   * requires the pack's tar members to be exactly these, so `tar x` and fetch see one tree.
   */
  members: readonly IndexEntry[];
  /** Names a file in messages (`ref d:v1: file train/a.txt`). */
  what: (path: string) => string;
  /** Names the pack in messages. */
  packWhat: string;
  /** Receives each file's verified bytes, in offset order. */
  write: (file: WantedFile, data: Buffer) => void | Promise<void>;
  onBytes?: (n: number) => void;
  /** Read only the wanted byte ranges where the source can (partial fetch). */
  ranges: boolean;
}

export interface ExtractPacksInput {
  transport: Transport;
  repo: string;
  /** The version's ref, for messages (`ref d:v1: file train/a.txt`, `ref d:v1: pack sha256:…`). */
  ref: string;
  /** The manifest's pack layers, as the index names them. */
  packs: readonly IndexedPack[];
  /** Files wanted from each pack, by its position in `packs`. */
  wanted: Map<number, WantedFile[]>;
  /** Every file of each pack in `wanted`, in offset order (ExtractOptions.members). */
  members: Map<number, IndexEntry[]>;
  concurrency: number;
  /** Read only the wanted byte ranges of a pack where that is under half of it (partial fetch). */
  ranges: boolean;
  write: ExtractOptions["write"];
}

/**
 * Takes the wanted files out of their packs, `concurrency` packs at a time, each file verified
 * (extractFromPack): fetch and materialize both read packs through here. Returns the bytes read.
 */
export async function extractPacks(input: ExtractPacksInput): Promise<number> {
  const { transport, repo, ref } = input;
  let read = 0;
  await mapLimit([...input.wanted], input.concurrency, async ([k, wanted]) => {
    const pack = input.packs[k]!;
    wanted.sort((a, b) => a.entry.offset - b.entry.offset);
    const wantedBytes = wanted.reduce((s, f) => s + f.entry.size + 512, 0);
    read += await extractFromPack(
      pack,
      wanted,
      {
        // A layout's pack is read from its file into two reused buffers: a fresh megabyte per
        // chunk (what a read stream allocates) is external memory the GC frees late.
        open: async () => {
          const path = await transport.blobPath?.(repo, pack.digest);
          return path ? fileChunks(path) : transport.openBlob(repo, pack.digest);
        },
        openRange: transport.openBlobRange && ((start, end) => transport.openBlobRange!(repo, pack.digest, start, end)),
      },
      {
        what: (path) => `ref ${ref}: file ${path}`,
        packWhat: `ref ${ref}: pack ${pack.digest}`,
        members: input.members.get(k) ?? [],
        ranges: input.ranges && wantedBytes < pack.size / 2,
        write: input.write,
      },
    );
  });
  return read;
}

/** Wanted files closer than this are read in one range: one request costs more than this many bytes. */
const RANGE_GAP = 1 << 20;
const RANGE_ATTEMPTS = 3;

const EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/**
 * Takes `files` (sorted by offset) out of one pack, verifying each file's sha256 from the index
 * before it is handed to `write`. A whole-pack read also checks the pack's size and digest, and
 * parses it as tar: its members must be the index's entries for the pack (path, size, mode and
 * data offset), in order, nothing more, ending in the end-of-archive blocks. A range read cannot,
 * and relies on the per-file hashes and on the index's offsets (checked when it was read:
 * increasing, each leaving room for a tar header after the previous file's data). A wrong byte
 * fails naming the file; a short pack names the file it cut. A range cut off mid-way is asked
 * again from the first file not yet written, so each file is written once.
 */
export async function extractFromPack(
  pack: IndexedPack,
  files: WantedFile[],
  source: PackSource,
  options: ExtractOptions,
): Promise<number> {
  const pending = files.filter((f) => f.entry.size > 0);
  for (const f of files) {
    if (f.entry.size === 0) {
      if (f.entry.sha256 !== EMPTY_SHA256) throw mismatch(options.what(f.entry.path), f.entry.sha256);
      await options.write(f, Buffer.alloc(0));
    }
  }
  if (pending.length === 0) return 0;
  if (options.ranges && source.openRange) {
    let downloaded = 0;
    const written = new Set<WantedFile>();
    const tracked: ExtractOptions = {
      ...options,
      write: async (file, data) => {
        await options.write(file, data);
        written.add(file);
      },
    };
    const groups = rangesOf(pending);
    for (const [n, group] of groups.entries()) {
      let remaining = group;
      for (let attempt = 1; ; attempt++) {
        const start = remaining[0]!.entry.offset;
        const last = remaining.at(-1)!.entry;
        try {
          const got = await source.openRange(start, last.offset + last.size);
          if (!got) throw missing(options.packWhat, pack.digest);
          if (got.start === 0 && start !== 0) {
            // The server sent the whole pack: read every remaining file from it, and check the pack too.
            return downloaded + (await consumeWhole(got.stream, [...remaining, ...groups.slice(n + 1).flat()], pack, tracked));
          }
          downloaded += await consume(got.stream, got.start, remaining, pack, tracked);
          break;
        } catch (error) {
          // A dropped connection mid-range: ask again for what is not yet written. Integrity and
          // HTTP errors (LlmopsError) are final.
          if (error instanceof LlmopsError || attempt >= RANGE_ATTEMPTS) throw error;
          remaining = remaining.filter((f) => !written.has(f));
          if (remaining.length === 0) break;
        }
      }
    }
    return downloaded;
  }
  const stream = await source.open();
  if (!stream) throw missing(options.packWhat, pack.digest);
  return consumeWhole(stream, pending, pack, options);
}

const FILE_CHUNK = 1 << 20;

/**
 * The bytes of a file in chunks of two buffers used in turn: a chunk is valid until the next one
 * after it is asked for (consume copies out what it keeps before asking).
 */
async function* fileChunks(path: string): AsyncGenerator<Buffer> {
  const handle = await open(path, "r");
  try {
    const buffers = [Buffer.allocUnsafe(FILE_CHUNK), Buffer.allocUnsafe(FILE_CHUNK)];
    for (let turn = 0; ; turn++) {
      const buffer = buffers[turn & 1]!;
      const { bytesRead } = await handle.read(buffer, 0, FILE_CHUNK, null);
      if (bytesRead === 0) return;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}

function rangesOf(files: WantedFile[]): WantedFile[][] {
  const groups: WantedFile[][] = [];
  let current: WantedFile[] = [];
  let end = -1;
  for (const f of files) {
    if (current.length && f.entry.offset - end > RANGE_GAP) {
      groups.push(current);
      current = [];
    }
    current.push(f);
    end = f.entry.offset + f.entry.size;
  }
  if (current.length) groups.push(current);
  return groups;
}

function missing(packWhat: string, digest: string): BlobIntegrityError {
  return new BlobIntegrityError(packWhat, digest, `blob ${digest} is missing from the store`);
}

function mismatch(what: string, sha256: string): BlobIntegrityError {
  return new BlobIntegrityError(what, `sha256:${sha256}`, `content does not match its sha256 ${sha256} in the file index`);
}

/**
 * Reads a range `stream` (which begins at pack byte `from`), copying out `files`; returns the
 * bytes used (up to the last file's end: a server sending more than was asked is not counted).
 */
async function consume(stream: PackStream, from: number, files: WantedFile[], pack: IndexedPack, options: ExtractOptions): Promise<number> {
  let pos = from;
  let i = 0;
  let current: Buffer | undefined;
  let filled = 0;
  try {
    for await (const raw of stream as AsyncIterable<Buffer>) {
      const chunk = raw;
      const chunkStart = pos;
      pos += chunk.length;
      options.onBytes?.(chunk.length);
      while (i < files.length) {
        const e = files[i]!.entry;
        const need = e.offset + filled;
        if (need >= pos) break;
        if (need < chunkStart) throw new Error(`pack read skipped bytes ${need}-${chunkStart} of ${pack.digest}`);
        const take = Math.min(e.offset + e.size, pos) - need;
        if (filled === 0 && take === e.size) {
          // Wholly inside this chunk: no copy.
          const data = chunk.subarray(need - chunkStart, need - chunkStart + take);
          if (createHash("sha256").update(data).digest("hex") !== e.sha256) throw mismatch(options.what(e.path), e.sha256);
          await options.write(files[i]!, data);
          i++;
          continue;
        }
        current ??= Buffer.allocUnsafe(e.size);
        chunk.copy(current, filled, need - chunkStart, need - chunkStart + take);
        filled += take;
        if (filled < e.size) break;
        const data = current;
        current = undefined;
        filled = 0;
        if (createHash("sha256").update(data).digest("hex") !== e.sha256) throw mismatch(options.what(e.path), e.sha256);
        await options.write(files[i]!, data);
        i++;
      }
      if (i >= files.length) break;
    }
  } finally {
    if ("destroy" in stream) stream.destroy();
    else await stream.return(undefined);
  }
  if (i < files.length) {
    const e = files[i]!.entry;
    throw new BlobIntegrityError(
      options.what(e.path),
      pack.digest,
      `pack ${pack.digest} ends at byte ${pos}, before the file's bytes ${e.offset}-${e.offset + e.size} (truncated pack)`,
    );
  }
  const last = files.at(-1);
  return Math.min(pos, last ? last.entry.offset + last.entry.size : pos) - from;
}

/**
 * Reads a whole pack from byte 0 as tar (readTar, strict), requiring its members to be
 * `options.members` in order, and writes `files` (some of them, sorted by offset) as their
 * members come, each checked against its sha256; then checks the pack's size and digest.
 * Returns the bytes read.
 */
async function consumeWhole(stream: PackStream, files: WantedFile[], pack: IndexedPack, options: ExtractOptions): Promise<number> {
  const packHash = createHash("sha256");
  const members = options.members;
  let pos = 0;
  let ended = false;
  const bad = (detail: string) => new BlobIntegrityError(options.packWhat, pack.digest, detail);
  const counted = (async function* () {
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        pos += chunk.length;
        if (pos > pack.size) throw bad(`blob is larger than its recorded size ${pack.size}`);
        packHash.update(chunk);
        options.onBytes?.(chunk.length);
        yield chunk;
      }
      ended = true;
    } finally {
      if ("destroy" in stream) stream.destroy();
      else await stream.return(undefined);
    }
  })();
  let i = 0;
  let j = 0;
  try {
    for await (const member of readTar(counted, { strict: true, maxSize: MAX_PACK_THRESHOLD })) {
      const e = members[j];
      const seen = `tar member ${JSON.stringify(member.path)} (${member.size} bytes, mode ${member.mode.toString(8)}, data at byte ${member.offset})`;
      if (!e) throw bad(`${seen}: the file index lists ${members.length} files in this pack, and no more`);
      if (member.path !== e.path || member.size !== e.size || member.mode !== e.mode || member.offset !== e.offset)
        throw bad(
          `${seen}: the file index says ${JSON.stringify(e.path)} (${e.size} bytes, mode ${e.mode.toString(8)}, data at byte ${e.offset})`,
        );
      j++;
      const f = files[i];
      if (f && f.entry.offset === member.offset) {
        if (createHash("sha256").update(member.data).digest("hex") !== e.sha256) throw mismatch(options.what(e.path), e.sha256);
        await options.write(f, member.data);
        i++;
      }
    }
  } catch (error) {
    if (!(error instanceof TarFormatError)) throw error;
    if (ended && pos < pack.size) {
      const e = files[i]?.entry ?? members[j];
      if (e) {
        const at = e.offset ?? 0;
        throw new BlobIntegrityError(
          options.what(e.path),
          pack.digest,
          `pack ${pack.digest} ends at byte ${pos}, before the file's bytes ${at}-${at + e.size} (truncated pack)`,
        );
      }
    }
    throw bad(`not the tar the file index describes: ${error.message}`);
  } finally {
    await counted.return(undefined);
  }
  if (j < members.length) throw bad(`ends after ${j} tar members; the file index lists ${members.length} (next ${members[j]!.path})`);
  if (i < files.length) throw new Error(`pack read: ${files[i]!.entry.path} is not a member of ${pack.digest}`);
  const digest = `sha256:${packHash.digest("hex")}`;
  if (pos !== pack.size || digest !== pack.digest)
    throw bad(`content does not match its digest ${pack.digest} (got ${pos} bytes, expected ${pack.size})`);
  return pos;
}
