/**
 * The tar dialect of packs: POSIX ustar headers (pax `x` records only where ustar cannot say it),
 * regular files only, every field that could differ between machines fixed (mtime 0, uid/gid 0,
 * empty uname/gname, mode 0644 or 0755). Equal trees therefore give byte-identical packs, and any
 * POSIX tar (GNU tar, bsdtar, Go's archive/tar in containers/image) reads them.
 */

export const BLOCK = 512;
/** Two zero blocks end an archive (POSIX pax, "ustar Interchange Format"). */
export const TAR_END = Buffer.alloc(2 * BLOCK);
export type FileMode = 0o644 | 0o755;

/** A malformed tar stream (bad checksum, truncated header, unsupported entry type). */
export class TarFormatError extends Error {}

const USTAR_NAME = 100;
const USTAR_PREFIX = 155;
/** The largest size 11 octal digits hold; larger files need a pax `size` record. */
const USTAR_MAX_SIZE = 0o77777777777;

function padded(n: number): number {
  return Math.ceil(n / BLOCK) * BLOCK;
}

/** Bytes of data plus padding to the next block. */
export function paddedSize(size: number): number {
  return padded(size);
}

function isPortable(path: string): boolean {
  // Printable ASCII only: other bytes are legal in ustar but their charset is unspecified, so
  // pax `path` (UTF-8 by definition) says them unambiguously.
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

/** Where ustar's prefix/name split of `path` falls, or undefined when it needs a pax path record. */
function ustarSplit(path: string): { prefix: string; name: string } | undefined {
  if (!isPortable(path)) return undefined;
  if (path.length <= USTAR_NAME) return { prefix: "", name: path };
  // The split must be at a slash, with the name part 1..100 bytes and the prefix ≤ 155.
  for (let i = path.indexOf("/"); i >= 0; i = path.indexOf("/", i + 1)) {
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (prefix.length <= USTAR_PREFIX && name.length > 0 && name.length <= USTAR_NAME) return { prefix, name };
  }
  return undefined;
}

function paxRecord(key: string, value: string): string {
  // "%d %s=%s\n" where %d counts the whole record, itself included.
  const body = ` ${key}=${value}\n`;
  const bodyLen = Buffer.byteLength(body);
  let len = bodyLen + 1;
  while (String(len).length + bodyLen !== len) len = String(len).length + bodyLen;
  return `${len}${body}`;
}

function paxRecords(path: string, size: number): string {
  let out = "";
  if (!ustarSplit(path)) out += paxRecord("path", path);
  if (size > USTAR_MAX_SIZE) out += paxRecord("size", String(size));
  return out;
}

/** Bytes of the header blocks (pax extension included) that precede a file's data. */
export function headerSize(path: string, size: number): number {
  const pax = paxRecords(path, size);
  return pax ? BLOCK + padded(Buffer.byteLength(pax)) + BLOCK : BLOCK;
}

function octal(block: Buffer, offset: number, width: number, value: number): void {
  // Digits right to left, zero-padded to width - 1, then NUL: no strings per field.
  let v = value;
  for (let i = offset + width - 2; i >= offset; i--) {
    block[i] = 0x30 + (v % 8);
    v = Math.floor(v / 8);
  }
  block[offset + width - 1] = 0;
}

/** The fields every header of ours shares (uid, gid, mtime, magic, version, device numbers). */
const TEMPLATE = (() => {
  const block = Buffer.alloc(BLOCK);
  octal(block, 108, 8, 0);
  octal(block, 116, 8, 0);
  octal(block, 136, 12, 0);
  block.write("ustar\0", 257, 6, "ascii");
  block.write("00", 263, 2, "ascii");
  octal(block, 329, 8, 0);
  octal(block, 337, 8, 0);
  return block;
})();

function writeUstar(block: Buffer, at: number, name: string, prefix: string, size: number, mode: number, type: string): void {
  TEMPLATE.copy(block, at);
  block.write(name, at, USTAR_NAME, "utf8");
  octal(block, at + 100, 8, mode);
  octal(block, at + 124, 12, size > USTAR_MAX_SIZE ? 0 : size);
  block[at + 156] = type.charCodeAt(0);
  if (prefix) block.write(prefix, at + 345, USTAR_PREFIX, "utf8");
  // The checksum is computed with its own field read as eight spaces.
  block.fill(0x20, at + 148, at + 156);
  let sum = 0;
  for (let i = at; i < at + BLOCK; i++) sum += block[i]!;
  octal(block, at + 148, 7, sum);
  block[at + 155] = 0x20;
}

function ustarBlock(name: string, prefix: string, size: number, mode: number, type: string): Buffer {
  const block = Buffer.allocUnsafe(BLOCK);
  writeUstar(block, 0, name, prefix, size, mode, type);
  return block;
}

/**
 * Writes the header blocks of one regular file into `target` at `at` (which must have room for
 * headerSize bytes); returns how many it wrote. The allocation-free path for packs.
 */
export function writeTarHeader(target: Buffer, at: number, path: string, size: number, mode: FileMode): number {
  const split = ustarSplit(path);
  if (split && size <= USTAR_MAX_SIZE) {
    writeUstar(target, at, split.name, split.prefix, size, mode, "0");
    return BLOCK;
  }
  const header = tarHeader(path, size, mode);
  header.copy(target, at);
  return header.length;
}

/** The header blocks of one regular file: a pax extension when needed, then the ustar header. */
export function tarHeader(path: string, size: number, mode: FileMode): Buffer {
  const pax = paxRecords(path, size);
  const split = ustarSplit(path);
  // With a pax path the ustar name is only a fallback for readers that ignore pax: keep it short and ASCII.
  const fallback = split ?? { prefix: "", name: asciiFallback(path) };
  const header = ustarBlock(fallback.name, fallback.prefix, size, mode, "0");
  if (!pax) return header;
  const paxBytes = Buffer.from(pax, "utf8");
  const data = Buffer.alloc(padded(paxBytes.length));
  paxBytes.copy(data);
  // A fixed name: GNU tar's default (%d/PaxHeaders.%p/%f) holds a process id, which would break determinism.
  return Buffer.concat([ustarBlock("PaxHeader", "", paxBytes.length, 0o644, "x"), data, header]);
}

function asciiFallback(path: string): string {
  const base = path.slice(path.lastIndexOf("/") + 1).replace(/[^\x20-\x7e]/g, "_");
  return base.slice(-USTAR_NAME) || "file";
}

export interface TarEntry {
  path: string;
  size: number;
  mode: number;
  /** Byte offset of the file's data in the archive. */
  offset: number;
}

function readOctal(block: Buffer, offset: number, width: number, what: string): number {
  const text = block
    .subarray(offset, offset + width)
    .toString("ascii")
    .replace(/[\0 ]+$/, "")
    .replace(/^ +/, "");
  if (text === "") return 0;
  if (!/^[0-7]+$/.test(text)) throw new TarFormatError(`tar header field ${what}: expected octal digits, got ${JSON.stringify(text)}`);
  return Number.parseInt(text, 8);
}

function cString(block: Buffer, offset: number, width: number): string {
  const slice = block.subarray(offset, offset + width);
  const end = slice.indexOf(0);
  return slice.subarray(0, end < 0 ? width : end).toString("utf8");
}

function parsePax(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    if (space < 0) break;
    const len = Number(data.subarray(at, space).toString("ascii"));
    if (!Number.isSafeInteger(len) || len <= 0 || at + len > data.length) throw new TarFormatError("tar pax record: bad length");
    const record = data.subarray(space + 1, at + len - 1).toString("utf8");
    const eq = record.indexOf("=");
    if (eq > 0) out[record.slice(0, eq)] = record.slice(eq + 1);
    at += len;
  }
  return out;
}

export interface ReadTarOptions {
  /**
   * Accept only what a pack of ours can hold, so that every tar reader sees the entries this one
   * yields: ustar magic and version (without them GNU tar ignores the prefix field, and a GNU
   * header gives it another meaning), regular files (type `0`) and pax `x` records of `path` and
   * `size` only, zero padding, and the archive ending in exactly two zero blocks with nothing
   * after them.
   */
  strict?: boolean;
  /** The largest entry size accepted (checked before its data is read, so nothing larger is ever held). */
  maxSize?: number;
}

/** The largest pax extension we accept: a path record, a size record. */
const MAX_PAX = 1 << 20;

/**
 * The entries of a tar stream with their data, in order. Accepts what packs contain and what
 * `tar --format=posix|ustar` writes for regular files and directories; other entry types are
 * refused. Each file's data is held in memory while it is yielded: for packs and tests, whose
 * files are small (`maxSize` bounds it). The chunks of `source` are copied as they come: a
 * source may reuse its buffers.
 */
export async function* readTar(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: ReadTarOptions = {},
): AsyncGenerator<TarEntry & { type: "file" | "directory"; data: Buffer }> {
  const strict = options.strict === true;
  const maxSize = options.maxSize ?? Number.MAX_SAFE_INTEGER;
  let buffered: Buffer[] = [];
  let length = 0;
  let consumed = 0;
  const iterator = (async function* () {
    yield* source;
  })();
  const take = async (n: number): Promise<Buffer | undefined> => {
    while (length < n) {
      const next = await iterator.next();
      if (next.done) return undefined;
      const chunk = Buffer.from(next.value);
      buffered.push(chunk);
      length += chunk.length;
    }
    const all = buffered.length === 1 ? buffered[0]! : Buffer.concat(buffered, length);
    const out = all.subarray(0, n);
    const rest = all.subarray(n);
    buffered = rest.length ? [rest] : [];
    length = rest.length;
    consumed += n;
    return Buffer.from(out);
  };
  let pax: Record<string, string> = {};
  for (;;) {
    const at = consumed;
    const block = await take(BLOCK);
    if (!block) throw new TarFormatError(`tar: archive ends at byte ${at} without its end-of-archive blocks`);
    if (block.every((b) => b === 0)) {
      if (!strict) return;
      if (Object.keys(pax).length) throw new TarFormatError(`tar: pax extension at the end of the archive, for no entry`);
      const second = await take(BLOCK);
      if (!second?.every((b) => b === 0)) throw new TarFormatError(`tar: end-of-archive at byte ${at}: expected a second zero block`);
      if (length > 0 || !(await iterator.next()).done)
        throw new TarFormatError(`tar: bytes after the end-of-archive blocks at byte ${at + 2 * BLOCK}`);
      return;
    }
    const stored = readOctal(block, 148, 8, "chksum");
    block.fill(0x20, 148, 156);
    let sum = 0;
    for (const byte of block) sum += byte;
    if (sum !== stored) throw new TarFormatError(`tar: header at byte ${at}: checksum ${stored} does not match ${sum}`);
    const type = String.fromCharCode(block[156]!) || "0";
    if (strict) {
      if (block.toString("latin1", 257, 265) !== "ustar\x0000")
        throw new TarFormatError(`tar: header at byte ${at}: expected ustar magic and version 00`);
      if (type !== "0" && type !== "x")
        throw new TarFormatError(`tar: header at byte ${at}: type ${JSON.stringify(type)} is not a regular file`);
      if (pax.size !== undefined && !/^[0-9]+$/.test(pax.size))
        throw new TarFormatError(`tar: header at byte ${at}: pax size is not a number`);
    }
    const size = pax.size !== undefined ? Number(pax.size) : readOctal(block, 124, 12, "size");
    if (!Number.isSafeInteger(size) || size > (type === "x" ? MAX_PAX : maxSize))
      throw new TarFormatError(`tar: header at byte ${at}: size ${size} is larger than ${type === "x" ? MAX_PAX : maxSize} bytes`);
    const data = await take(padded(size));
    if (!data) throw new TarFormatError(`tar: entry at byte ${at}: data ends before its ${size} bytes`);
    if (strict && !data.subarray(size).every((b) => b === 0))
      throw new TarFormatError(`tar: entry at byte ${at}: padding after its data is not zero`);
    if (type === "x") {
      const records = parsePax(data.subarray(0, size));
      if (strict) {
        const other = Object.keys(records).find((k) => k !== "path" && k !== "size");
        if (other !== undefined)
          throw new TarFormatError(`tar: pax extension at byte ${at}: record ${JSON.stringify(other)} is not path or size`);
      }
      pax = { ...pax, ...records };
      continue;
    }
    if (type === "g") continue;
    const prefix = cString(block, 345, USTAR_PREFIX);
    const name = cString(block, 0, USTAR_NAME);
    const path = pax.path ?? (prefix ? `${prefix}/${name}` : name);
    const mode = readOctal(block, 100, 8, "mode");
    pax = {};
    if (type === "0" || type === "\0") yield { path, size, mode, offset: at + BLOCK, type: "file", data: data.subarray(0, size) };
    else if (type === "5") yield { path, size: 0, mode, offset: at + BLOCK, type: "directory", data: Buffer.alloc(0) };
    else throw new TarFormatError(`tar: entry ${path}: type ${JSON.stringify(type)} is not a regular file or directory`);
  }
}
