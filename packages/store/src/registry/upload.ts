import { type FileHandle, open } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { RegistryHttpError } from "../errors.ts";
import { isTransient, locationOf, type RegistryHttp, withDigest } from "./http.ts";

export interface UploadOptions {
  chunkSize: number;
  onBytes?: ((n: number) => void) | undefined;
  /** Whether the registry already has the blob: a lost answer to the final PUT may hide a finished upload. */
  exists: () => Promise<boolean>;
}

/** What to upload: its digest and size, and any byte range of it as a fresh request body. */
export interface BlobSource {
  digest: string;
  size: number;
  /** For messages: a file path, or what the bytes are. */
  what: string;
  /** Bytes [start, end); `count` hears of every byte as it is handed to the request. */
  read(start: number, end: number, count: (n: number) => void): NonNullable<RequestInit["body"]>;
}

/** Bytes read per chunk of a file upload: large chunks keep the per-chunk stream machinery off the profile. */
const FILE_CHUNK = 4 * 1024 * 1024;

export function fileSource(blob: { digest: string; size: number; path: string }): BlobSource {
  return {
    digest: blob.digest,
    size: blob.size,
    what: blob.path,
    read(start, end, count) {
      // A web stream pulling from a file handle: one hop per chunk (fs.ReadStream piped through a
      // counting Transform and Readable.toWeb took three, at a quarter of the chunk size). A fresh
      // buffer per chunk: the request may still hold the last one when the next is read.
      let handle: FileHandle | undefined;
      let at = start;
      const close = async () => {
        const h = handle;
        handle = undefined;
        await h?.close();
      };
      return new ReadableStream<Uint8Array>(
        {
          async pull(controller) {
            try {
              handle ??= await open(blob.path, "r");
              const want = Math.min(FILE_CHUNK, end - at);
              if (want <= 0) {
                await close();
                controller.close();
                return;
              }
              const chunk = Buffer.allocUnsafe(want);
              const { bytesRead } = await handle.read(chunk, 0, want, at);
              if (bytesRead === 0) throw new Error(`${blob.path}: ends at byte ${at}, expected ${end}`);
              at += bytesRead;
              count(bytesRead);
              controller.enqueue(chunk.subarray(0, bytesRead));
              // The last chunk read: the file is closed now, not when the request is done with
              // the stream (a server answering early, e.g. 401, never drains it).
              if (at >= end) {
                await close();
                controller.close();
              }
            } catch (error) {
              await close().catch(() => {});
              controller.error(error);
            }
          },
          cancel: close,
        },
        // One chunk read ahead while the request writes the last.
        { highWaterMark: 1 },
      );
    },
  };
}

export function bytesSource(digest: string, bytes: Uint8Array): BlobSource {
  return {
    digest,
    size: bytes.length,
    what: `blob ${digest}`,
    read(start, end, count) {
      count(end - start);
      return bytes.slice(start, end);
    },
  };
}

/**
 * Uploads a blob (distribution spec, "Pushing blobs"): one PUT up to `chunkSize`, PATCH chunks
 * above it. After a failure it asks the registry where the upload stands (GET on the upload URL →
 * 204 with `Range: 0-<last byte>`) and goes on from that offset, so a reset costs at most the
 * bytes in flight. Only a session the registry no longer knows is started again from zero (CNCF
 * Distribution cancels one whose PATCH body broke off after reaching it).
 */
export async function uploadBlob(http: RegistryHttp, repo: string, blob: BlobSource, options: UploadOptions): Promise<void> {
  const scopes = [`repository:${repo}:pull,push`];
  // Progress reported so far: bytes handed to requests, set back to the registry's offset after a failure.
  let reported = 0;
  const report = (n: number) => {
    reported += n;
    if (n !== 0) options.onBytes?.(n);
  };
  const open = (start: number, end: number) => blob.read(start, end, report);
  const octets = (length: number) => ({ "content-type": "application/octet-stream", "content-length": String(length) });

  let session: string | undefined;
  let offset = 0;
  let resync = false;
  let failures = 0;
  let offsetAtFailure = -1;
  for (;;) {
    try {
      if (resync) {
        resync = false;
        const state = session ? await uploadStatus(http, session, scopes, blob.size) : undefined;
        if (state) [session, offset] = [state.location, state.offset];
        else if (await options.exists()) {
          report(blob.size - reported);
          return;
        } else [session, offset] = [undefined, 0];
        report(offset - reported);
      }
      if (!session) {
        const started = await http.request("POST", `/v2/${repo}/blobs/uploads/`, { scopes, ok: [], headers: { "content-length": "0" } });
        await started.body?.cancel();
        [session, offset] = [locationOf(http, started), 0];
      }
      if (offset === 0 && blob.size <= options.chunkSize) {
        const r = await http.request("PUT", withDigest(session, blob.digest), {
          scopes,
          ok: [],
          retry: false,
          headers: octets(blob.size),
          body: () => open(0, blob.size),
        });
        await r.body?.cancel();
        report(blob.size - reported);
        return;
      }
      while (offset < blob.size) {
        const start = offset;
        const end = Math.min(blob.size, start + options.chunkSize);
        const r = await http.request("PATCH", session, {
          scopes,
          ok: [],
          retry: false,
          headers: { ...octets(end - start), "content-range": `${start}-${end - 1}` },
          body: () => open(start, end),
        });
        await r.body?.cancel();
        [session, offset] = [locationOf(http, r), end];
        // A body read twice (a 401 answered, then sent again) must not count twice.
        report(offset - reported);
      }
      const done = await http.request("PUT", withDigest(session, blob.digest), {
        scopes,
        ok: [],
        retry: false,
        headers: { "content-length": "0" },
      });
      await done.body?.cancel();
      report(blob.size - reported);
      return;
    } catch (error) {
      // 416: the registry's offset is not ours (Distribution's RANGE_INVALID); its session is not worth asking about.
      const offsetRefused = error instanceof RegistryHttpError && error.status === 416;
      if (!isTransient(error) && !offsetRefused) throw error;
      if (offset > offsetAtFailure) failures = 0;
      offsetAtFailure = offset;
      if (++failures > http.retries) throw error;
      if (offsetRefused) session = undefined;
      const delay = http.delay(failures - 1, error instanceof RegistryHttpError ? error.retryAfterMs : undefined);
      http.logger.debug(
        `registry upload of ${blob.what} broke off at byte ${offset} (${(error as Error).message}); resuming in ${Math.round(delay)} ms`,
      );
      await sleep(delay);
      resync = true;
    }
  }
}

/** Where an upload stands: the distribution spec's GET on the upload URL, 204 with `Range: 0-<last byte>`. */
async function uploadStatus(
  http: RegistryHttp,
  session: string,
  scopes: string[],
  size: number,
): Promise<{ location: string; offset: number } | undefined> {
  const r = await http.request("GET", session, { scopes, ok: [400, 404, 405, 416] });
  await r.body?.cancel();
  if (r.status !== 204 && r.status !== 200) return undefined;
  const m = /^(?:bytes=)?0-(\d+)$/.exec(r.headers.get("range")?.trim() ?? "");
  if (!m) return undefined;
  // "0-0" is what Distribution reports for an empty upload, and would for a single byte: read as
  // empty, which is almost always so; a wrong guess draws a 416 and then a fresh session.
  const last = Number(m[1]);
  const offset = last === 0 ? 0 : last + 1;
  if (offset > size) return undefined;
  return { location: r.headers.get("location") ? locationOf(http, r) : session, offset };
}
