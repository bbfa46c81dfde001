import { Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { LlmopsError } from "@llmops/core";
import { RegistryConnectionError, RegistryHttpError } from "../errors.ts";
import { describeCause, type RegistryHttp } from "./http.ts";

// Byte offsets count the blob itself: a compressed answer would make Range count encoded bytes (RFC 9110 §14.1.1).
const IDENTITY = { "accept-encoding": "identity" };

/** Delivering this much since the last failure earns a fresh retry budget: a link that keeps moving is worth staying on. */
const PROGRESS_RENEWS_RETRIES = 1024 * 1024;

/**
 * A blob's bytes as one stream that outlives dropped connections and 5xx answers: it asks again
 * with `Range: bytes=<received>-` (RFC 9110 §14.2) and goes on from there. A server that ignores
 * Range answers 200 with the whole blob; its first `received` bytes are dropped, so the reader
 * sees every byte exactly once and the digest it computes still covers the whole blob. Unverified:
 * callers check size and digest.
 */
export async function openBlobStream(http: RegistryHttp, path: string, scopes: string[]): Promise<Readable | undefined> {
  const first = await http.request("GET", path, { scopes, ok: [404], headers: IDENTITY });
  if (first.status === 404 || !first.body) {
    await first.body?.cancel();
    return undefined;
  }
  return Readable.from(resumable(http, path, scopes, first), { objectMode: false });
}

async function* resumable(http: RegistryHttp, path: string, scopes: string[], first: Response): AsyncGenerator<Buffer> {
  const shown = `GET ${new URL(path, http.origin).pathname}`;
  let response = first;
  let size = first.status === 200 ? contentLength(first) : contentRange(first)?.total;
  let received = 0;
  let failures = 0;
  let sinceFailure = 0;
  for (;;) {
    let skip = response.status === 200 ? received : 0;
    try {
      for await (const value of response.body as unknown as AsyncIterable<Uint8Array>) {
        let chunk = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
        if (skip > 0) {
          if (chunk.length <= skip) {
            skip -= chunk.length;
            continue;
          }
          chunk = chunk.subarray(skip);
          skip = 0;
        }
        received += chunk.length;
        sinceFailure += chunk.length;
        yield chunk;
      }
      if (size === undefined || received >= size) return;
      throw new Error(`the body ended at byte ${received} of ${size}`);
    } catch (error) {
      if (error instanceof LlmopsError) throw error;
      // Cut after the last byte: nothing is missing.
      if (size !== undefined && received === size) return;
      if (sinceFailure >= PROGRESS_RENEWS_RETRIES) failures = 0;
      sinceFailure = 0;
      if (++failures > http.retries) {
        throw new RegistryConnectionError(
          `registry ${http.location}: ${shown}: download failed after ${failures} attempts at byte ${received} (${describeCause(error)})`,
        );
      }
      const delay = http.delay(failures - 1);
      http.logger.debug(`registry ${shown}: ${describeCause(error)} at byte ${received}; resuming in ${Math.round(delay)} ms`);
      await sleep(delay);
      response = await http.request("GET", path, { scopes, ok: [416], headers: { ...IDENTITY, range: `bytes=${received}-` } });
      if (response.status === 206) {
        const range = contentRange(response);
        if (range?.start !== received) {
          await response.body?.cancel();
          throw new RegistryHttpError(
            `registry ${http.location}: ${shown}: asked for bytes ${received}- and got ${response.headers.get("content-range") ?? "no Content-Range"}`,
            206,
          );
        }
        if (range.total !== undefined) size = range.total;
      } else if (response.status === 200) {
        size = contentLength(response) ?? size;
      } else {
        // 416 (RFC 9110 §15.5.17: `bytes */<size>`): fine only if everything had in fact arrived.
        const total = contentRange(response)?.total;
        await response.body?.cancel();
        if (response.status === 416 && total === received) return;
        throw new RegistryHttpError(`registry ${http.location}: ${shown}: HTTP ${response.status} for bytes ${received}-`, response.status);
      }
      if (!response.body)
        throw new RegistryHttpError(`registry ${http.location}: ${shown}: HTTP ${response.status} without a body`, response.status);
    }
  }
}

function contentLength(response: Response): number | undefined {
  const value = response.headers.get("content-length");
  return value && /^\d+$/.test(value) ? Number(value) : undefined;
}

// Content-Range: "bytes <first>-<last>/<complete>", or "bytes */<complete>" on a 416 (RFC 9110 §14.4).
function contentRange(response: Response): { start?: number; total?: number } | undefined {
  const m = /^bytes\s+(?:(\d+)-\d+|\*)\/(\d+|\*)$/i.exec(response.headers.get("content-range")?.trim() ?? "");
  if (!m) return undefined;
  const range: { start?: number; total?: number } = {};
  if (m[1] !== undefined) range.start = Number(m[1]);
  if (m[2] !== "*") range.total = Number(m[2]);
  return range;
}
