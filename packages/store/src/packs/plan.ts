import type { PackingOptions } from "@llmops/core";
import { type FileMode, headerSize, paddedSize, TAR_END } from "./tar.ts";

export type { PackingOptions };

/**
 * Files under 4 MiB are packed, into packs of about 64 MiB (a quarter to twice that), once at
 * least 256 exist: a version of a few files gains nothing from packs and keeps per-file layers
 * (hard-link materialize, per-file dedup).
 */
export const DEFAULT_PACKING: Required<PackingOptions> = { threshold: 4 * 1024 * 1024, target: 64 * 1024 * 1024, minFiles: 256 };

/** A file as the planner sees it: no bytes, only what decides the tar layout. */
export interface PackMember {
  title: string;
  size: number;
  mode: FileMode;
}

export interface PlannedMember<T> {
  file: T;
  /** Offset of the file's data in the pack. */
  offset: number;
}

export interface PackPlan<T> {
  members: PlannedMember<T>[];
  /** Size of the whole tar, end blocks included. */
  size: number;
}

/**
 * Compares strings by their UTF-8 bytes (what `tar`, `sort` under LC_ALL=C and Go compare), not by
 * UTF-16 code units: the two orders differ for characters beyond the Basic Multilingual Plane.
 */
export function compareUtf8(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if (x < 0xd800 && y < 0xd800) return x - y;
    return Buffer.compare(Buffer.from(a.slice(i)), Buffer.from(b.slice(i)));
  }
  return a.length - b.length;
}

/** FNV-1a over the UTF-16 code units with murmur3's finalizer: fast, stable, well spread. */
export function pathHash(path: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < path.length; i++) {
    h ^= path.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Bytes a file takes in a pack: its header blocks and its padded data. */
export function entrySize(member: PackMember): number {
  return headerSize(member.title, member.size) + paddedSize(member.size);
}

/**
 * Splits files (sorted by compareUtf8) into packs at path-defined boundaries. A pack ends after a
 * file once it holds at least `target / 4` bytes and the file's path hash falls below a threshold
 * proportional to the file's bytes (so, past the minimum, every byte has a 1 / (target - min)
 * chance of ending the pack: packs average about `target`), or once it reaches `2 × target`.
 *
 * Whether a file ends a pack depends on its path and size and on the bytes since the last boundary,
 * not on anything earlier: editing one file's bytes (same size) changes only its pack, and an
 * insertion or a resize moves at most the boundary of its own pack, after which the cuts fall where
 * they fell before (the content-defined chunking argument, applied to the path sequence). Cutting at
 * a position index instead (every N files or bytes) would shift every later pack on one insertion.
 */
export function planPacks<T extends PackMember>(files: readonly T[], target: number): PackPlan<T>[] {
  return Array.from(eachPackPlan(files, target), ([, plan]) => plan);
}

/** planPacks one pack at a time, paired with its position: a pack's plan is garbage once it is built. */
export function* eachPackPlan<T extends PackMember>(files: readonly T[], target: number): Generator<[number, PackPlan<T>]> {
  const min = Math.floor(target / 4);
  const max = target * 2;
  const span = Math.max(1, target - min);
  let k = 0;
  let members: PlannedMember<T>[] = [];
  let bytes = 0;
  for (const file of files) {
    const header = headerSize(file.title, file.size);
    members.push({ file, offset: bytes + header });
    const size = header + paddedSize(file.size);
    bytes += size;
    const chance = Math.min(1, size / span);
    if (bytes >= max || (bytes >= min && pathHash(file.title) < chance * 0x1_0000_0000)) {
      yield [k++, { members, size: bytes + TAR_END.length }];
      members = [];
      bytes = 0;
    }
  }
  if (members.length > 0) yield [k, { members, size: bytes + TAR_END.length }];
}
