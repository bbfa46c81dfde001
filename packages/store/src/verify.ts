import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { open, rm } from "node:fs/promises";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { BlobIntegrityError } from "./integrity-errors.ts";

export function sha256Hex(data: Uint8Array | string): string {
  return createHash("sha256").update(data).digest("hex");
}

export function digestOf(data: Uint8Array | string): string {
  return `sha256:${sha256Hex(data)}`;
}

/** Reads a stream into memory, checking size and digest: for small blobs (manifests, configs, evidence). */
export async function readVerified(stream: Readable, digest: string, size: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    total += (chunk as Buffer).length;
    if (total > size) break;
    chunks.push(chunk as Buffer);
  }
  stream.destroy();
  const bytes = Buffer.concat(chunks);
  if (total !== size || digestOf(bytes) !== digest) {
    throw new BlobIntegrityError(
      what,
      digest,
      `content does not match its digest ${digest} (size ${total}${total > size ? "+" : ""}, expected ${size})`,
    );
  }
  return bytes;
}

/** Streams a blob to `target` (fsynced), verifying size and digest; removes `target` on mismatch. */
export async function writeVerified(
  stream: Readable,
  target: string,
  digest: string,
  size: number,
  what: string,
  onBytes?: (n: number) => void,
): Promise<void> {
  const hash = createHash("sha256");
  let total = 0;
  const handle = await open(target, "w");
  try {
    await pipeline(
      stream,
      async function* (source: AsyncIterable<Buffer>) {
        for await (const chunk of source) {
          total += chunk.length;
          if (total > size) throw tooLarge(what, digest, size);
          hash.update(chunk);
          onBytes?.(chunk.length);
          yield chunk;
        }
      },
      createWriteStream("", { fd: handle.fd, autoClose: false }),
    );
    if (total !== size || `sha256:${hash.digest("hex")}` !== digest) {
      throw digestMismatch(what, digest, total, size);
    }
    await handle.sync();
  } catch (error) {
    await handle.close().catch(() => {});
    await rm(target, { force: true });
    throw error;
  }
  await handle.close();
}

/** The error writeVerified and copyVerified (files.ts) raise when a blob holds more bytes than recorded. */
export function tooLarge(what: string, digest: string, size: number): BlobIntegrityError {
  return new BlobIntegrityError(what, digest, `blob is larger than its recorded size ${size}`);
}

/** The error writeVerified and copyVerified (files.ts) raise when a blob's bytes hash to another digest. */
export function digestMismatch(what: string, digest: string, got: number, size: number): BlobIntegrityError {
  return new BlobIntegrityError(what, digest, `content does not match its digest ${digest} (got ${got} bytes, expected ${size})`);
}
