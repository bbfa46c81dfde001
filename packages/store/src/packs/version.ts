import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SourceFile, StatCache } from "../files.ts";
import { mapLimit } from "../limit.ts";
import { type Descriptor, FILE_MEDIA_TYPE, TITLE } from "../media.ts";
import type { Transport } from "../transport.ts";
import { buildPack, PACK_MEDIA_TYPE, type PackCache, type PackSourceFile, packKey } from "./build.ts";
import { FILE_INDEX_MEDIA_TYPE, FileIndexWriter, type IndexedPack } from "./file-index.ts";
import { compareUtf8, planPacks } from "./plan.ts";
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

export function fileMode(file: SourceFile): FileMode {
  return (Number(file.stat.mode) & 0o111) !== 0 ? 0o755 : 0o644;
}

/**
 * Stores a tree as packs of its small files, one layer per large file, and the file index; returns
 * the manifest's layers (index first, then packs, then large files) and every file's outcome.
 * Packs are built one after the other in path order (the index is written as they finish, so it is
 * never held whole) while finished ones upload, at most `concurrency` at a time.
 */
export async function versionPacked(input: PackedVersionInput): Promise<{ layers: Descriptor[]; files: PackedFile[] }> {
  const { transport, repo, statCache, packCache } = input;
  const small: PackSourceFile[] = [];
  const large: SourceFile[] = [];
  for (const f of input.files) {
    if (f.size < input.threshold) small.push({ path: f.path, title: f.title, size: f.size, stat: f.stat, mode: fileMode(f) });
    else large.push(f);
  }
  small.sort((a, b) => compareUtf8(a.title, b.title));
  large.sort((a, b) => compareUtf8(a.title, b.title));
  const largeDone = await mapLimit(large, input.concurrency, input.putFile);
  const temp = await mkdtemp(join(tmpdir(), "llmops-pack-"));
  const index = await FileIndexWriter.create(join(temp, "index.jsonl"));
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
    const uploads = new Set<Promise<void>>();
    let failure: unknown;
    for (const [k, plan] of planPacks(small, input.target).entries()) {
      if (failure) break;
      const cachedDigests = plan.members.map(({ file }) => statCache.get(file.path, file.stat));
      let pack: IndexedPack | undefined;
      let sha256: string[];
      let reused = false;
      if (cachedDigests.every((d): d is string => d !== undefined)) {
        const key = packKey(plan.members.map(({ file }, i) => ({ ...file, digest: cachedDigests[i]! })));
        const cached = packCache.get(key);
        if (cached && cached.size === plan.size && (await transport.hasBlob(repo, cached.digest))) {
          pack = cached;
          reused = true;
          input.progress(plan.members.reduce((s, m) => s + m.file.size, 0));
        }
      }
      if (pack) {
        sha256 = cachedDigests.map((d) => d!.slice("sha256:".length));
      } else {
        const target = transport.tempBlobPath ? await transport.tempBlobPath() : join(temp, `pack-${k}.tar`);
        let built: Awaited<ReturnType<typeof buildPack>>;
        try {
          built = await buildPack(plan, target, input.progress);
        } catch (error) {
          await rm(target, { force: true });
          throw error;
        }
        sha256 = built.sha256;
        pack = { digest: built.digest, size: built.size };
        for (const [i, { file }] of plan.members.entries()) statCache.set(file.path, file.stat, `sha256:${sha256[i]}`, input.listedAt);
        packCache.set(packKey(plan.members.map(({ file }, i) => ({ ...file, digest: `sha256:${sha256[i]}` }))), pack);
        if (transport.adoptBlobFile) {
          reused = await transport.adoptBlobFile(target, built.digest);
        } else {
          const blob = { digest: built.digest, size: built.size, path: target };
          const first = packedFiles.length;
          const count = plan.members.length;
          const upload = transport
            .putBlobFile(repo, blob, { mountFrom: input.mountFrom })
            .then((outcome) => {
              if (outcome !== "uploaded") for (const f of packedFiles.slice(first, first + count)) f.reused = true;
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
      for (const [i, { file, offset }] of plan.members.entries()) {
        addLargeBefore(file.title);
        index.add({ path: file.title, size: file.size, sha256: sha256[i]!, mode: file.mode, pack: k, offset });
        packedFiles.push({ title: file.title, digest: `sha256:${sha256[i]}`, size: file.size, reused });
      }
    }
    await Promise.all(uploads);
    if (failure) throw failure;
    addLargeBefore(undefined);
    // The index is a function of the packs (a pack's digest fixes its members and offsets) and the
    // large files: its digest can come from the cache too, and an unchanged tree writes nothing.
    const indexKey = `index:${packKey([
      ...packs.map((p) => ({ title: p.digest, size: p.size, mode: 0o644 as const, digest: p.digest })),
      ...large.map((f, i) => ({ title: f.title, size: f.size, mode: fileMode(f), digest: largeDone[i]!.digest })),
    ])}`;
    const cachedIndex = packCache.get(indexKey);
    let indexBlob: { digest: string; size: number };
    if (cachedIndex && (await transport.hasBlob(repo, cachedIndex.digest))) {
      indexBlob = cachedIndex;
    } else {
      indexBlob = await index.finish(packs);
      await transport.putBlobFile(repo, { ...indexBlob, path: index.target }, {});
    }
    packCache.set(indexKey, indexBlob);
    const layers: Descriptor[] = [
      { mediaType: FILE_INDEX_MEDIA_TYPE, digest: indexBlob.digest, size: indexBlob.size },
      ...packs.map((p) => ({ mediaType: PACK_MEDIA_TYPE, digest: p.digest, size: p.size })),
      ...largeDone.map((f) => ({ mediaType: FILE_MEDIA_TYPE, digest: f.digest, size: f.size, annotations: { [TITLE]: f.title } })),
    ];
    const files = [...packedFiles, ...largeDone].sort((a, b) => compareUtf8(a.title, b.title));
    return { layers, files };
  } finally {
    await index.discard();
    await rm(temp, { recursive: true, force: true });
  }
}
