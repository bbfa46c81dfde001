import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InputError, packingSchema } from "@llmops/core";
import { type Descriptor, FILE_MEDIA_TYPE, type Manifest, TITLE } from "../media.ts";
import { isSafeTitle, TITLE_EXPECTED } from "../schema.ts";
import type { Transport } from "../transport.ts";
import { writeVerified } from "../verify.ts";
import { PACK_MEDIA_TYPE } from "./build.ts";
import { FILE_INDEX_MEDIA_TYPE, type FileIndexReader, openFileIndex } from "./file-index.ts";
import type { PackingOptions } from "./plan.ts";

/** A file of a version as `ls --files` shows it. */
export interface ListedFile {
  path: string;
  size: number;
  digest: string;
  mode: "644" | "755";
  /** Its own layer (`layer` = digest), or a pack and the offset of its bytes there. */
  pack?: string;
  offset?: number;
}

/** Packing options a caller passed (the CLI's flags, the library API) checked by llmops.yaml's own rule. */
export function checkPacking(p: Required<PackingOptions>): void {
  const result = packingSchema.safeParse(p);
  const issue = result.success ? undefined : result.error.issues[0];
  if (issue) throw new InputError(`packing ${issue.path.join(".")} ${String(p[issue.path[0] as keyof PackingOptions])}: ${issue.message}`);
}

/** The manifest's file index layer, or undefined for a version written one layer per file. */
export function indexLayer(manifest: Manifest): Descriptor | undefined {
  return manifest.layers.find((l) => l.mediaType === FILE_INDEX_MEDIA_TYPE);
}

/** A version written one layer per file, listed as the index would list it. */
export function listedFromLayers(manifest: Manifest, ref: string): ListedFile[] {
  return manifest.layers.map((layer) => {
    const title = layer.annotations?.[TITLE];
    if (!isSafeTitle(title)) throw new InputError(`ref ${ref}: file title ${JSON.stringify(title)}: ${TITLE_EXPECTED}`);
    return { path: title, size: layer.size, digest: layer.digest, mode: "644" as const };
  });
}

export interface OpenedIndex {
  reader: FileIndexReader;
  close(): Promise<void>;
}

/**
 * Downloads the version's index into a temp file, verified against the manifest's descriptor,
 * and opens it for streaming. Its entries name packs by position among the manifest's pack
 * layers (so what skopeo copies is what fetch reads), each of which must hold files.
 */
export async function openVersionIndex(transport: Transport, repo: string, manifest: Manifest, ref: string): Promise<OpenedIndex> {
  const layer = indexLayer(manifest);
  if (!layer) throw new InputError(`ref ${ref}: has no file index`);
  const temp = await mkdtemp(join(tmpdir(), "llmops-index-"));
  const close = () => rm(temp, { recursive: true, force: true });
  try {
    const stream = await transport.openBlob(repo, layer.digest);
    if (!stream) throw new InputError(`ref ${ref}: file index ${layer.digest} is missing from the store`);
    const path = join(temp, "index.jsonl");
    await writeVerified(stream, path, layer.digest, layer.size, `ref ${ref}: file index`);
    const packs = manifest.layers.filter((l) => l.mediaType === PACK_MEDIA_TYPE).map((l) => ({ digest: l.digest, size: l.size }));
    const reader = await openFileIndex(path, `ref ${ref}: file index ${layer.digest}`, packs);
    return {
      reader,
      close: async () => {
        reader.close();
        await close();
      },
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The manifest's own-layer files by digest, to check the index's large-file entries against. */
export function fileLayers(manifest: Manifest): Map<string, Descriptor> {
  return new Map(manifest.layers.filter((l) => l.mediaType === FILE_MEDIA_TYPE).map((l) => [l.digest, l]));
}
