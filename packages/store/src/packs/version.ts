import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SourceFile, StatCache } from "../files.ts";
import { mapLimit } from "../limit.ts";
import { type Descriptor, FILE_MEDIA_TYPE, TITLE } from "../media.ts";
import type { Transport } from "../transport.ts";
import { buildPack, PACK_MEDIA_TYPE, type PackCache, type PackSourceFile, packKey, packKeyOf } from "./build.ts";
import { FILE_INDEX_MEDIA_TYPE, FILE_INDEX_VERSION, FileIndexWriter, type IndexedPack } from "./file-index.ts";
import type { PlannedMember } from "./plan.ts";
import { compareUtf8, eachPackPlan } from "./plan.ts";
import type { FileMode } from "./tar.ts";

export interface PackedFile {
  title: string;
  digest: string;
  size: number;
  reused: boolean;
}

export interface PackedVersionInput {
  transport: Transport;
  repo: string;
  files: SourceFile[];
  threshold: number;
  target: number;
  statCache: StatCache;
  packCache: PackCache;
  /** When the listing began (the stat cache's racy-git rule). */
  listedAt: number;
  concurrency: number;
  mountFrom: string[];
  progress: (n: number) => void;
  /** Stores one file as its own layer (the per-file path of Store.version). */
  putFile: (file: SourceFile) => Promise<PackedFile>;
}

const memberOf = ({ file }: PlannedMember<PackSourceFile>) => file;

export function fileMode(file: Pick<SourceFile, "mode">): FileMode {
  return file.mode;
}

/**
 * Stores a tree as packs of its small files, one layer per large file, and the file index; returns
 * the manifest's layers (index first, then packs, then large files) and every file's outcome.
 * Packs are built one after the other in path order while finished ones upload, at most
 * `concurrency` at a time; the index is streamed to a file after them (never held whole), and only
 * when the pack cache holds no index for exactly these packs and large files (a warm re-version
 * writes none).
 */
export async function versionPacked(
  input: PackedVersionInput,
): Promise<{ layers: Descriptor[]; files: PackedFile[]; uploadedBytes: number }> {
  const { transport, repo, statCache, packCache } = input;
  // The listing's own objects (a SourceFile is a PackSourceFile): no copy per file.
  const small: PackSourceFile[] = [];
  const large: SourceFile[] = [];
  for (const f of input.files) (f.size < input.threshold ? small : large).push(f);
  small.sort((a, b) => compareUtf8(a.title, b.title));
  large.sort((a, b) => compareUtf8(a.title, b.title));
  const largeDone = await mapLimit(large, input.concurrency, input.putFile);
  const temp = await mkdtemp(join(tmpdir(), "llmops-pack-"));
  const index = await FileIndexWriter.create(join(temp, "index.jsonl"));
  const uploads = new Set<Promise<void>>();
  try {
    let nextLarge = 0;
    const addLargeBefore = (path: string | undefined) => {
      while (nextLarge < large.length && (path === undefined || compareUtf8(large[nextLarge]!.title, path) < 0)) {
        const f = large[nextLarge]!;
        const done = largeDone[nextLarge]!;
        index.add({ path: f.title, size: f.size, sha256: done.digest.slice("sha256:".length), mode: fileMode(f) });
        nextLarge++;
      }
    };
    const packs: IndexedPack[] = [];
    const packedFiles: PackedFile[] = [];
    // Bytes of the blobs this run stored: whole packs and the index, tar headers included (a
    // packed file's own size would under-count small files by the 512-byte header each carries).
    let uploadedBytes = 0;
    let failure: unknown;
    for (const [k, plan] of eachPackPlan(small, input.target)) {
      if (failure) break;
      const members = plan.members;
      // Each member's digest from the stat cache, `sha256:<hex>`, or undefined (a miss).
      const cachedDigests = new Array<string | undefined>(members.length);
      let allCached = true;
      for (let i = 0; i < members.length; i++) {
        const { file } = members[i]!;
        const d = statCache.get(file.path, file.stat);
        cachedDigests[i] = d;
        if (d === undefined) allCached = false;
      }
      let pack: IndexedPack | undefined;
      // Each member's digest, `sha256:<hex>`, as one flat string shared by the result and the stat cache.
      let digests: string[];
      let reused = false;
      // The pack's digest when the stat cache knew every member and the pack cache this pack.
      let expected: IndexedPack | undefined;
      const key = allCached ? packKeyOf(members, memberOf, (_, i) => cachedDigests[i]!) : undefined;
      if (key !== undefined) {
        const cached = packCache.get(key);
        if (cached && cached.size === plan.size) {
          expected = cached;
          if (await transport.hasBlob(repo, cached.digest)) {
            pack = cached;
            reused = true;
            input.progress(members.reduce((s, m) => s + m.file.size, 0));
          }
        }
      }
      if (pack) {
        digests = cachedDigests as string[];
      } else {
        const target = transport.tempBlobPath ? await transport.tempBlobPath() : join(temp, `pack-${k}.tar`);
        let built: Awaited<ReturnType<typeof buildPack>>;
        try {
          // With an expected digest, the members' cached digests are used unhashed and checked by
          // the pack's own digest (buildPack); a mismatch means a file's bytes moved without its
          // stat, and the pack is built again hashing every file.
          const known = expected && cachedDigests.map((d) => d!.slice("sha256:".length));
          built = await buildPack(plan, target, input.progress, known);
          if (known && built.digest !== expected!.digest) {
            await rm(target, { force: true });
            built = await buildPack(plan, target, undefined);
          }
        } catch (error) {
          await rm(target, { force: true });
          throw error;
        }
        digests = built.sha256.map((hex, i) => (cachedDigests[i]?.endsWith(hex) ? cachedDigests[i]! : ["sha256:", hex].join("")));
        pack = { digest: built.digest, size: built.size };
        // Only entries that changed: an unchanged stat cache is not rewritten (StatCache.save).
        let changed = false;
        for (let i = 0; i < members.length; i++) {
          if (cachedDigests[i] === digests[i]) continue;
          changed = true;
          statCache.set(members[i]!.file.path, members[i]!.file.stat, digests[i]!, input.listedAt);
        }
        packCache.set(changed || key === undefined ? packKeyOf(members, memberOf, (_, i) => digests[i]!) : key, pack);
        if (transport.adoptBlobFile) {
          reused = await transport.adoptBlobFile(target, built.digest);
          if (!reused) uploadedBytes += built.size;
        } else {
          const blob = { digest: built.digest, size: built.size, path: target };
          const first = packedFiles.length;
          const count = plan.members.length;
          const upload = transport
            .putBlobFile(repo, blob, { mountFrom: input.mountFrom })
            .then((outcome) => {
              if (outcome === "uploaded") uploadedBytes += built.size;
              else for (const f of packedFiles.slice(first, first + count)) f.reused = true;
            })
            .catch((error: unknown) => {
              failure ??= error;
            })
            .finally(() => rm(target, { force: true }));
          const tracked: Promise<void> = upload.finally(() => uploads.delete(tracked));
          uploads.add(tracked);
          while (uploads.size >= input.concurrency) await Promise.race(uploads);
        }
      }
      packs.push(pack);
      for (let i = 0; i < members.length; i++) {
        const { file } = members[i]!;
        packedFiles.push({ title: file.title, digest: digests[i]!, size: file.size, reused });
      }
    }
    // A failed upload stopped the loop: the index would be of the packs built so far.
    if (failure) {
      await Promise.all(uploads);
      throw failure;
    }
    // The index is a function of the packs (a pack's digest fixes its members and offsets) and the
    // large files: its digest can come from the cache too, and an unchanged tree writes nothing.
    // The format version is part of the key: an index cached in an older format is never reused.
    const indexKey = `index:v${FILE_INDEX_VERSION}:${packKey([
      ...packs.map((p) => ({ title: p.digest, size: p.size, mode: 0o644 as const, digest: p.digest })),
      ...large.map((f, i) => ({ title: f.title, size: f.size, mode: fileMode(f), digest: largeDone[i]!.digest })),
    ])}`;
    const cachedIndex = packCache.get(indexKey);
    let indexBlob: { digest: string; size: number };
    if (cachedIndex && (await transport.hasBlob(repo, cachedIndex.digest))) {
      indexBlob = cachedIndex;
    } else {
      // Written only now, when no cached index will do: the plans are planned again (they are a
      // function of the listing) and zipped with the files' digests, in the same order.
      let n = 0;
      for (const [k, plan] of eachPackPlan(small, input.target)) {
        for (const { file, offset } of plan.members) {
          addLargeBefore(file.title);
          const digest = packedFiles[n++]!.digest;
          index.add({ path: file.title, size: file.size, sha256: digest.slice("sha256:".length), mode: file.mode, pack: k, offset });
        }
      }
      addLargeBefore(undefined);
      indexBlob = await index.finish();
      if ((await transport.putBlobFile(repo, { ...indexBlob, path: index.target }, {})) === "uploaded") uploadedBytes += indexBlob.size;
    }
    // The packs' uploads are awaited only now: the index is written and sent while the last finish.
    await Promise.all(uploads);
    if (failure) throw failure;
    packCache.set(indexKey, indexBlob);
    const layers: Descriptor[] = [
      { mediaType: FILE_INDEX_MEDIA_TYPE, digest: indexBlob.digest, size: indexBlob.size },
      ...packs.map((p) => ({ mediaType: PACK_MEDIA_TYPE, digest: p.digest, size: p.size })),
      ...largeDone.map((f) => ({ mediaType: FILE_MEDIA_TYPE, digest: f.digest, size: f.size, annotations: { [TITLE]: f.title } })),
    ];
    // packedFiles is in path order already (small was sorted); only large files need merging in.
    const files = largeDone.length ? [...packedFiles, ...largeDone].sort((a, b) => compareUtf8(a.title, b.title)) : packedFiles;
    for (const f of largeDone) if (!f.reused) uploadedBytes += f.size;
    return { layers, files, uploadedBytes };
  } finally {
    // An error before the packs' uploads were awaited (the index failing) must not remove the
    // files they still read, nor leave them running after the call has returned.
    await Promise.allSettled(uploads);
    await index.discard();
    await rm(temp, { recursive: true, force: true });
  }
}
