import type { BigIntStats, Stats } from "node:fs";
import { mkdirSync, statSync, writeFileSync } from "node:fs";
import { chmod, link, lstat, mkdir, realpath, rm } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import {
  type ArtifactKind,
  artifactKindSchema,
  canonicalJson,
  DATASET_ARTIFACT_TYPE,
  type EvidenceFile,
  type EvidenceStore,
  type EvidenceSummary,
  InputError,
  isInside,
  type Logger,
  MODEL_ARTIFACT_TYPE,
  oneLine,
  type ResolvedVersion,
} from "@llmops/core";
import type { z } from "zod";
import { AliasConflictError, DestinationNotEmptyError } from "./errors.ts";
import { FetchRecords, foreignEntry } from "./fetch-record.ts";
import { type FileStat, fileStat, freshStat, hashAndCopy, hashFile, listFiles, type SourceFile, StatCache } from "./files.ts";
import { InvalidManifestError } from "./integrity-errors.ts";
import { BLOB_MODE } from "./layout.ts";
import { mapLimit } from "./limit.ts";
import {
  type BlobSource,
  EXECUTABLE_MODE,
  filesInFlight,
  inStage,
  type MaterializedFile,
  type MaterializeOptions,
  type MaterializeResult,
  materializeTree,
  placeFile,
  progressOf,
  type VersionFile,
} from "./materialize.ts";
import {
  ALIAS_ARTIFACT_TYPE,
  CONFIG_MEDIA_TYPE,
  CREATED,
  type Descriptor,
  EMPTY_DIGEST,
  FILE_MEDIA_TYPE,
  type Manifest,
  OCI_EMPTY,
  OCI_MANIFEST,
  TITLE,
} from "./media.ts";
import { type AliasMove, aliasMoveSchema, resolveCreated, type VersionMetadata, versionMetadataSchema } from "./metadata.ts";
import { PackCache } from "./packs/build.ts";
import { extractPacks, type WantedFile } from "./packs/extract.ts";
import { checkPacking, fileLayers, indexLayer, type ListedFile, listedFromLayers, openVersionIndex } from "./packs/fetch.ts";
import { FileIndexError, type IndexEntry, type IndexedPack } from "./packs/file-index.ts";
import { type IncludeFilter, includeFilter, includeMatcher, UnmatchedIncludeError } from "./packs/glob.ts";
import { compareUtf8, DEFAULT_PACKING, type PackingOptions } from "./packs/plan.ts";
import { versionPacked } from "./packs/version.ts";
import { checkDigest, checkName, checkTag, type ParsedRef, parseRef, versionNumber } from "./refs.ts";
import { isDigest, isSafeTitle, parseDescriptors, parseManifest, TITLE_EXPECTED } from "./schema.ts";
import type { StoredManifest, Transport } from "./transport.ts";
import { isMountPoint, stageTree } from "./tree.ts";
import { digestOf, readVerified, writeVerified } from "./verify.ts";

export interface ProgressEvent {
  phase: "version" | "fetch" | "materialize";
  /** Bytes handled so far (read, uploaded, reused or downloaded). */
  done: number;
  total: number;
}

export interface VersionOptions {
  path: string;
  name: string;
  kind: ArtifactKind;
  /** Refs (`name:alias`, `name:v3`, `name@sha256:…`) this version was derived from. */
  parents?: string[];
  aliases?: string[];
  params?: Record<string, unknown>;
  labels?: Record<string, string>;
  git?: { commit?: string; ref?: string };
  runUrl?: string;
  /** Fixes `created` (else SOURCE_DATE_EPOCH, else now): same files + same metadata → same digest. */
  created?: string | Date;
  actor?: string;
  /**
   * When the latest `vN` already holds the same files, kind, params, labels and parents, return it
   * instead of writing a new version (its `created`, commit and run URL are kept): re-versioning an
   * unchanged declared artifact costs nothing and adds no version.
   */
  reuseUnchanged?: boolean;
  /**
   * How small files are packed (packs/plan.ts): below `threshold` bytes into tar packs of about
   * `target` bytes, when at least `minFiles` are that small. Defaults: 4 MiB, 64 MiB, 256.
   */
  packing?: PackingOptions;
  onProgress?: (event: ProgressEvent) => void;
}

/** A manifest names a config blob the store does not hold. */
class ConfigBlobMissingError extends InputError {}

/** What `Store.metadata` reads of a version. */
export interface VersionInfo {
  digest: string;
  artifactType: string | undefined;
  metadata: VersionMetadata;
}

export interface VersionedFile {
  title: string;
  digest: string;
  size: number;
  /** The blob was already in the store (or mounted), so no bytes were sent. */
  reused: boolean;
}

export interface VersionResult {
  name: string;
  kind: ArtifactKind;
  digest: string;
  version: string;
  ref: string;
  /** Bytes of blobs this run stored: files not held yet, or for a packed version its new packs and index as written. */
  uploadedBytes: number;
  /** Bytes of the version's blobs the store held already (or mounted): the layers' sizes less uploadedBytes. */
  reusedBytes: number;
  files: VersionedFile[];
  parents: { ref?: string; digest: string }[];
  aliases: string[];
  created: string;
  /** True when `reuseUnchanged` found the latest version identical, so nothing new was written. */
  unchanged?: boolean;
}

/** Restores and saves blobs by digest (e.g. `@actions/cache`); failures must not fail a fetch. */
export interface BlobCache {
  restore(digest: string, target: string): Promise<boolean>;
  save(digest: string, path: string): Promise<void>;
}

export interface FetchOptions {
  onProgress?: (event: ProgressEvent) => void;
  blobCache?: BlobCache;
  /**
   * Replace a non-empty destination that an earlier fetch did not write (files not in the version
   * are removed). Without it such a destination is refused (`DestinationNotEmptyError`); an empty
   * or missing one, or one holding only what an earlier fetch left there, needs nothing.
   */
  replace?: boolean;
  /**
   * Glob patterns (packs/glob.ts); only files matching one are fetched, and the destination holds
   * exactly those. Packed versions read only the pack byte ranges those files need.
   */
  include?: string[];
}

export interface FetchedFile {
  title: string;
  digest: string;
  size: number;
  source: "store" | "cache" | "present";
}

export interface FetchResult {
  name: string;
  digest: string;
  version?: string;
  path: string;
  files: FetchedFile[];
  downloadedBytes: number;
}

export interface TagResult {
  name: string;
  alias: string;
  digest: string;
  previous: string | null;
  /** Digest of the alias-move referrer recording this move; null when the alias already pointed there. */
  record: string | null;
}

export interface ListedVersion {
  version: string;
  digest: string;
  created?: string;
  aliases: string[];
}

export interface HistoryEntry extends AliasMove {
  record: string;
}

export interface StoreOptions {
  logger: Logger;
  /** Repository prefix on a registry; empty for a layout. */
  prefix?: string;
  /** The stat cache file (path, size, mtime, inode → digest). */
  statCachePath: string;
  /** Which directories fetches wrote (fetch-record.ts); default `fetched.json` beside the stat cache. */
  fetchRecordPath?: string;
  concurrency?: number;
  /** Relative paths given to version/fetch resolve against this (default process.cwd()). */
  cwd?: string;
  /**
   * Whether a fetch destination (a real path) is a mount point, where the new tree is staged inside
   * it instead of beside it. Default: tree.ts isMountPoint; tests inject their own.
   */
  isMountPoint?: (dir: string) => Promise<boolean>;
}

const ARTIFACT_TYPES: Record<ArtifactKind, string> = { model: MODEL_ARTIFACT_TYPE, dataset: DATASET_ARTIFACT_TYPE };
const MOVE_ALIAS = "org.llmops.alias";
const MOVE_FROM = "org.llmops.alias.from";
const MOVE_TO = "org.llmops.alias.to";

/**
 * The largest evidence file readEvidenceFile reads into memory unless the caller passes its own
 * cap: a referrer's declared layer size is whatever its writer chose. Generous for an eval run's
 * results.jsonl (compare reads a baseline's); small JSON files (summary.json, promotion.json) are
 * read with a smaller cap by their readers.
 */
export const EVIDENCE_FILE_MAX_BYTES = 256 * 1024 * 1024;
/** The largest alias.json (an alias move) history reads. */
const ALIAS_RECORD_MAX_BYTES = 1024 * 1024;

/** Versions, fetch, tags, history and evidence over one transport (layout or registry). */
export class Store implements EvidenceStore {
  readonly transport: Transport;
  readonly #logger: Logger;
  readonly #prefix: string;
  readonly #statCachePath: string;
  readonly #concurrency: number;
  readonly #cwd: string | undefined;
  readonly #isMountPoint: (dir: string) => Promise<boolean>;
  readonly #fetchRecords: FetchRecords;

  constructor(transport: Transport, options: StoreOptions) {
    this.transport = transport;
    this.#logger = options.logger;
    this.#prefix = (options.prefix ?? "").replace(/^\/+|\/+$/g, "");
    this.#statCachePath = options.statCachePath;
    this.#concurrency = options.concurrency ?? 8;
    this.#cwd = options.cwd;
    this.#isMountPoint = options.isMountPoint ?? ((dir) => isMountPoint(dir));
    this.#fetchRecords = new FetchRecords(options.fetchRecordPath ?? join(dirname(options.statCachePath), "fetched.json"));
  }

  get location(): string {
    return this.transport.location;
  }

  repo(name: string): string {
    return this.#prefix ? `${this.#prefix}/${name}` : name;
  }

  /**
   * Every manifest the store reads comes through here: whichever transport returned it, its bytes
   * must hash to its digest (the one asked for, when asked by digest) and match the schema before
   * any digest, size or title in it is used to build a path or URL.
   */
  async #read(repo: string, reference: string, what: string): Promise<{ stored: StoredManifest; manifest: Manifest } | undefined> {
    const stored = await this.transport.getManifest(repo, reference);
    if (!stored) return undefined;
    const where = `${what} in store ${this.transport.location}`;
    const actual = digestOf(stored.bytes);
    if (stored.digest !== actual || (reference.startsWith("sha256:") && reference !== actual)) {
      throw new InvalidManifestError(
        where,
        reference,
        "",
        `content hashes to ${actual}, expected ${isDigest(stored.digest) ? stored.digest : reference}`,
      );
    }
    if (stored.mediaType !== OCI_MANIFEST) {
      throw new InvalidManifestError(where, actual, "mediaType", `expected ${OCI_MANIFEST}, got ${JSON.stringify(stored.mediaType)}`);
    }
    return { stored, manifest: parseManifest(stored.bytes, where, actual) };
  }

  async #manifest(name: string, reference: string, ref: string): Promise<{ stored: StoredManifest; manifest: Manifest }> {
    const found = await this.#read(this.repo(name), reference, `ref ${ref}`);
    if (!found) throw new InputError(`ref ${ref}: not found in store ${this.transport.location}`);
    return found;
  }

  /** Referrers as the transport listed them, each descriptor schema-checked. */
  async #referrers(repo: string, digest: string): Promise<Descriptor[]> {
    return parseDescriptors(
      await this.transport.referrers(repo, digest),
      `referrers of ${repo}@${digest} in store ${this.transport.location}`,
      digest,
    );
  }

  async #versionTagOf(name: string, digest: string): Promise<string | undefined> {
    const tags = (await this.transport.listTags(this.repo(name)))
      .filter((t) => versionNumber(t) !== undefined)
      .sort((a, b) => (versionNumber(b) ?? 0) - (versionNumber(a) ?? 0));
    for (const tag of tags) {
      const m = await this.#read(this.repo(name), tag, `${name}:${tag}`);
      if (m?.stored.digest === digest) return tag;
    }
    return undefined;
  }

  async resolve(ref: string): Promise<ResolvedVersion> {
    const parsed = parseRef(ref);
    const { stored } = await this.#manifest(parsed.name, parsed.digest ?? parsed.tag ?? "latest", ref);
    const version =
      parsed.tag && versionNumber(parsed.tag) !== undefined ? parsed.tag : await this.#versionTagOf(parsed.name, stored.digest);
    return version ? { name: parsed.name, digest: stored.digest, version } : { name: parsed.name, digest: stored.digest };
  }

  /**
   * A version's artifact type and metadata (its config blob), both checked against their digests;
   * undefined when `name` has no manifest `reference` (a tag or digest). What a caller needs to tell
   * a model from a dataset, or read a version's parents, without fetching a file.
   */
  async metadata(name: string, reference: string): Promise<VersionInfo | undefined> {
    checkName(name);
    const where = `${name}${reference.startsWith("sha256:") ? "@" : ":"}${reference}`;
    const found = await this.#read(this.repo(name), reference, where);
    if (!found) return undefined;
    const metadata = await this.#readMetadata(this.repo(name), found.manifest, where);
    if (!metadata) throw new InputError(`${where} in store ${this.transport.location}: config is not llmops version metadata`);
    return { digest: found.stored.digest, artifactType: found.manifest.artifactType, metadata };
  }

  /** The manifest's config as version metadata; undefined when it is not (too large, not JSON, not the schema). */
  async #readMetadata(repo: string, manifest: Manifest, where: string): Promise<VersionMetadata | undefined> {
    // A version's config is a few hundred bytes; a huge one is not ours to read into memory.
    if (manifest.config.size > 1 << 20) return undefined;
    const stream = await this.transport.openBlob(repo, manifest.config.digest);
    if (!stream)
      throw new ConfigBlobMissingError(`${where} in store ${this.transport.location}: config blob ${manifest.config.digest} is missing`);
    const bytes = await readVerified(stream, manifest.config.digest, manifest.config.size, `${where}: config`);
    let json: unknown;
    try {
      json = JSON.parse(Buffer.from(bytes).toString("utf8"));
    } catch {
      return undefined;
    }
    const parsed = versionMetadataSchema.safeParse(json);
    return parsed.success ? parsed.data : undefined;
  }

  async version(options: VersionOptions): Promise<VersionResult> {
    checkName(options.name);
    const kind = artifactKindSchema.safeParse(options.kind);
    if (!kind.success) throw new InputError(`kind "${options.kind}": expected model or dataset`);
    for (const alias of options.aliases ?? []) {
      checkTag(alias);
      if (versionNumber(alias) !== undefined) throw new InputError(`alias "${alias}": vN tags are assigned by version, pick another alias`);
    }
    // Everything that can be refused is checked before the first byte is written.
    const parents: { ref?: string; digest: string }[] = [];
    for (const ref of options.parents ?? []) {
      const resolved = await this.resolve(ref);
      parents.push({ ref, digest: resolved.digest });
    }
    // Taken before any file is stat'ed: the stat cache's racy-git rule needs a time no later than the stat.
    const listedAt = Date.now();
    const files = await listFiles(options.path, this.#cwd);
    for (const file of files) {
      if (!isSafeTitle(file.title))
        throw new InputError(`path ${file.path}: its relative path "${file.title}" cannot be a file title (${TITLE_EXPECTED})`);
    }
    const created = resolveCreated(options.created);
    const repo = this.repo(options.name);
    // Only this tree's entries are held; save copies the others through.
    const statCache = await new StatCache(this.#statCachePath).load(resolve(this.#cwd ?? process.cwd(), options.path));
    const total = files.reduce((sum, f) => sum + f.size, 0);
    let done = 0;
    const progress = (n: number) => {
      done += n;
      options.onProgress?.({ phase: "version", done, total });
    };
    const mountFrom = [...new Set(parents.map((p) => (p.ref ? this.repo(parseRef(p.ref).name) : "")).filter((r) => r && r !== repo))];

    const putFile = async (file: SourceFile): Promise<VersionedFile> => {
      const cached = statCache.get(file.path, file.stat);
      if (cached && (await this.transport.hasBlob(repo, cached))) {
        progress(file.size);
        return { title: file.title, digest: cached, size: file.size, reused: true };
      }
      let digest: string;
      let reused: boolean;
      if (this.transport.ingestFile) {
        const got = await this.transport.ingestFile(file.path, progress);
        digest = got.digest;
        reused = got.existed;
        if (got.size !== file.size) throw new InputError(`path ${file.path}: file changed while being versioned`);
      } else {
        digest = cached ?? (await hashFile(file.path)).digest;
        const outcome = await this.transport.putBlobFile(
          repo,
          { digest, size: file.size, path: file.path },
          { mountFrom, onBytes: progress },
        );
        reused = outcome !== "uploaded";
        if (reused) progress(file.size);
      }
      const after = await freshStat(file.path);
      if (!sameFile(after, file.stat)) throw new InputError(`path ${file.path}: file changed while being versioned`);
      // A digest the cache already held for this stat leaves it unchanged (and unwritten).
      if (digest !== cached) statCache.set(file.path, file.stat, digest, listedAt);
      return { title: file.title, digest, size: file.size, reused };
    };
    const packing = { ...DEFAULT_PACKING, ...options.packing };
    // A target below the default threshold, threshold not given: the threshold follows the target.
    if (options.packing?.threshold === undefined) packing.threshold = Math.min(packing.threshold, packing.target);
    checkPacking(packing);
    let versioned: VersionedFile[];
    let layers: Descriptor[];
    let packedUpload: number | undefined;
    if (files.filter((f) => f.size < packing.threshold).length >= packing.minFiles) {
      const packCache = await new PackCache(join(dirname(this.#statCachePath), "pack-cache.json")).load();
      ({
        files: versioned,
        layers,
        uploadedBytes: packedUpload,
      } = await versionPacked({
        transport: this.transport,
        repo,
        files,
        threshold: packing.threshold,
        target: packing.target,
        statCache,
        packCache,
        listedAt,
        concurrency: this.#concurrency,
        mountFrom,
        progress,
        putFile,
      }));
      await packCache.save().catch((error: Error) => this.#logger.debug(`pack cache not saved: ${error.message}`));
    } else {
      versioned = await mapLimit(files, this.#concurrency, putFile);
      layers = versioned.map((f) => ({ mediaType: FILE_MEDIA_TYPE, digest: f.digest, size: f.size, annotations: { [TITLE]: f.title } }));
    }
    await statCache.save().catch((error: Error) => this.#logger.debug(`stat cache not saved: ${error.message}`));
    // What the version's blobs weigh, and what of it this run stored: for a packed version the
    // packs and index as written (headers included), else each file not already held.
    const layerBytes = layers.reduce((sum, layer) => sum + layer.size, 0);
    const uploadedBytes = packedUpload ?? versioned.filter((f) => !f.reused).reduce((s, f) => s + f.size, 0);

    const metadata: VersionMetadata = versionMetadataSchema.parse({
      schemaVersion: 1,
      name: options.name,
      kind: kind.data,
      created,
      git: options.git && (options.git.commit || options.git.ref) ? options.git : undefined,
      runUrl: options.runUrl,
      parents,
      params: options.params ?? {},
      labels: options.labels ?? {},
      files: { count: files.length, bytes: total },
    });
    if (options.reuseUnchanged) {
      const latest = await this.#sameAsLatest(options.name, metadata, layers);
      if (latest) {
        for (const alias of options.aliases ?? []) {
          await this.#moveAlias(options.name, alias, latest.stored, undefined, { actor: options.actor, runUrl: options.runUrl });
        }
        return {
          name: options.name,
          kind: kind.data,
          digest: latest.stored.digest,
          version: latest.version,
          ref: `${options.name}:${latest.version}`,
          uploadedBytes: 0,
          reusedBytes: layerBytes,
          files: versioned.map((f) => ({ ...f, reused: true })),
          parents,
          aliases: options.aliases ?? [],
          created: latest.created,
          unchanged: true,
        };
      }
    }
    const configBytes = Buffer.from(canonicalJson(metadata));
    const configDigest = digestOf(configBytes);
    await this.transport.putBlobBytes(repo, configDigest, configBytes);
    const manifest: Manifest = {
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      artifactType: ARTIFACT_TYPES[kind.data],
      config: { mediaType: CONFIG_MEDIA_TYPE, digest: configDigest, size: configBytes.length },
      layers,
      annotations: { [CREATED]: created },
    };
    const stored = await this.#putManifest(repo, manifest, `version ${options.name}`);
    const digest = stored.digest;
    const version = await this.#assignVersion(options.name, stored);
    for (const alias of options.aliases ?? []) {
      await this.#moveAlias(options.name, alias, stored, undefined, { actor: options.actor, runUrl: options.runUrl });
    }
    this.#logger.info(
      `versioned ${options.name}:${version} ${digest} (${files.length} files, ${uploadedBytes} bytes stored, ${layerBytes - uploadedBytes} reused)`,
    );
    return {
      name: options.name,
      kind: kind.data,
      digest,
      version,
      ref: `${options.name}:${version}`,
      uploadedBytes,
      reusedBytes: layerBytes - uploadedBytes,
      files: versioned,
      parents,
      aliases: options.aliases ?? [],
      created,
    };
  }

  /**
   * The latest `vN` of `name` when it holds the same layers (media type, title, digest, size, in
   * order: for a packed version the index digest covers every file) and the
   * same kind, params, labels and parents as `metadata`; provenance and `created` may differ.
   */
  async #sameAsLatest(
    name: string,
    metadata: VersionMetadata,
    layers: Descriptor[],
  ): Promise<{ stored: StoredManifest; version: string; created: string } | undefined> {
    const repo = this.repo(name);
    const numbers = (await this.transport.listTags(repo)).map(versionNumber).filter((n): n is number => n !== undefined);
    if (numbers.length === 0) return undefined;
    const version = `v${Math.max(...numbers)}`;
    const latest = await this.#read(repo, version, `${name}:${version}`);
    if (!latest) return undefined;
    const { manifest } = latest;
    const sameFiles =
      manifest.layers.length === layers.length &&
      manifest.layers.every(
        (l, i) =>
          l.digest === layers[i]!.digest &&
          l.size === layers[i]!.size &&
          l.mediaType === layers[i]!.mediaType &&
          l.annotations?.[TITLE] === layers[i]!.annotations?.[TITLE],
      );
    if (!sameFiles) return undefined;
    // A missing config makes it another version; one that does not match its digest stays an error.
    const before = await this.#readMetadata(repo, manifest, `${name}:${version}`).catch((error: unknown) => {
      if (error instanceof ConfigBlobMissingError) return undefined;
      throw error;
    });
    if (!before) return undefined;
    const essence = (m: VersionMetadata) =>
      canonicalJson({ kind: m.kind, params: m.params, labels: m.labels, parents: m.parents.map((p) => p.digest) });
    if (essence(before) !== essence(metadata)) return undefined;
    return { stored: latest.stored, version, created: before.created };
  }

  /** Writes only manifests the store would accept back (#read), so a bad title or type fails here, not at fetch. */
  async #putManifest(repo: string, manifest: Manifest, what: string): Promise<StoredManifest> {
    const bytes = Buffer.from(canonicalJson(manifest));
    parseManifest(bytes, what, digestOf(bytes));
    const digest = await this.transport.putManifest(repo, bytes, OCI_MANIFEST);
    return { bytes, digest, mediaType: OCI_MANIFEST };
  }

  /** The next free `vN`, claimed by compare-and-swap against "no such tag"; re-versioning the latest digest reuses its number. */
  async #assignVersion(name: string, manifest: StoredManifest): Promise<string> {
    const repo = this.repo(name);
    for (let attempt = 0; attempt < 20; attempt++) {
      const numbers = (await this.transport.listTags(repo)).map(versionNumber).filter((n): n is number => n !== undefined);
      const latest = numbers.length ? Math.max(...numbers) : 0;
      if (latest > 0) {
        const current = await this.#read(repo, `v${latest}`, `${name}:v${latest}`);
        if (current?.stored.digest === manifest.digest) return `v${latest}`;
      }
      const tag = `v${latest + 1}`;
      try {
        await this.transport.setTag(repo, tag, manifest, null);
        return tag;
      } catch (error) {
        if (!(error instanceof AliasConflictError)) throw error;
      }
    }
    throw new InputError(`name ${name}: could not claim a version number (too many concurrent versions)`);
  }

  async #moveAlias(
    name: string,
    alias: string,
    target: StoredManifest,
    expect: string | null | undefined,
    who: { actor?: string; runUrl?: string },
  ): Promise<TagResult> {
    const repo = this.repo(name);
    const current = (await this.#read(repo, alias, `${name}:${alias}`))?.stored.digest ?? null;
    if (current === target.digest && (expect === undefined || expect === current)) {
      return { name, alias, digest: target.digest, previous: current, record: null };
    }
    const { previous } = await this.transport.setTag(repo, alias, target, expect);
    const move: AliasMove = aliasMoveSchema.parse({
      name,
      alias,
      from: previous,
      to: target.digest,
      when: new Date().toISOString(),
      actor: who.actor,
      runUrl: who.runUrl,
    });
    const annotations: Record<string, string> = { [MOVE_ALIAS]: alias, [MOVE_TO]: target.digest };
    if (previous) annotations[MOVE_FROM] = previous;
    const record = await this.#putReferrer(
      repo,
      target,
      ALIAS_ARTIFACT_TYPE,
      [{ title: "alias.json", mediaType: "application/json", data: Buffer.from(canonicalJson(move)) }],
      annotations,
      move.when,
    );
    return { name, alias, digest: target.digest, previous, record };
  }

  /** Points `alias` at `ref`; with `expect`, only if the alias points at that digest now (null: only if it does not exist). */
  async tag(ref: string, alias: string, options: { expect?: string | null; actor?: string; runUrl?: string } = {}): Promise<TagResult> {
    const parsed = parseRef(ref);
    checkTag(alias);
    if (versionNumber(alias) !== undefined) throw new InputError(`alias "${alias}": vN tags are assigned by version, pick another alias`);
    if (typeof options.expect === "string") checkDigest(options.expect);
    const { stored: target } = await this.#manifest(parsed.name, parsed.digest ?? parsed.tag ?? "latest", ref);
    const result = await this.#moveAlias(parsed.name, alias, target, options.expect, options);
    this.#logger.info(`${parsed.name}:${alias} -> ${target.digest}${result.previous ? ` (was ${result.previous})` : ""}`);
    return result;
  }

  async #putReferrer(
    repo: string,
    subject: StoredManifest,
    artifactType: string,
    files: EvidenceFile[],
    annotations: Record<string, string>,
    created: string,
  ): Promise<string> {
    const layers: Descriptor[] = [];
    for (const file of files) {
      const digest = digestOf(file.data);
      await this.transport.putBlobBytes(repo, digest, file.data);
      layers.push({ mediaType: file.mediaType, digest, size: file.data.length, annotations: { [TITLE]: file.title } });
    }
    await this.transport.putBlobBytes(repo, EMPTY_DIGEST, Buffer.from("{}"));
    const manifest: Manifest = {
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      artifactType,
      config: { mediaType: OCI_EMPTY, digest: EMPTY_DIGEST, size: 2 },
      layers,
      subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.bytes.length },
      annotations: { [CREATED]: created, ...annotations },
    };
    return (await this.#putManifest(repo, manifest, `referrer of ${repo}@${subject.digest}`)).digest;
  }

  /**
   * Leaves `destDir` holding exactly the version: every file verified, nothing else. The new tree
   * is built in a staging directory (beside the destination, or inside it when it is a mount
   * point), files already present with the right digest are hard-linked (or copied) into it, and
   * it replaces the old tree only once complete (tree.ts): a failure leaves the old tree as it was.
   * A non-empty destination that an earlier fetch did not write is refused unless `replace`.
   */
  async fetch(ref: string, destDir: string, options: FetchOptions = {}): Promise<FetchResult> {
    const parsed = parseRef(ref);
    const { stored, manifest } = await this.#manifest(parsed.name, parsed.digest ?? parsed.tag ?? "latest", ref);
    const dest = resolve(this.#cwd ?? process.cwd(), destDir);
    const filter = includeFilter(options.include);
    if (indexLayer(manifest)) return this.#fetchPacked(ref, parsed, stored, manifest, dest, filter, options);
    let layers = versionFiles(manifest, ref);
    if (filter) layers = layers.filter((l) => filter.match(l.title));
    refuseUnmatched(ref, filter);
    const existed = await checkDestination(dest);
    await this.#refuseShared(dest, existed);
    for (const { title } of layers) await refuseLinks(dest, title);
    if (existed && !options.replace) await this.#refuseForeign(dest, ref);
    const repo = this.repo(parsed.name);
    const total = layers.reduce((s, l) => s + l.layer.size, 0);
    let done = 0;
    const progress = (n: number) => {
      done += n;
      options.onProgress?.({ phase: "fetch", done, total });
    };
    // Read only to keep files the destination already holds; a new destination only adds entries.
    const statCache = existed ? await new StatCache(this.#statCachePath).load(dest) : new StatCache(this.#statCachePath);
    const tree = await stageTree(dest, { inside: existed && (await this.#isMountPoint(await realpath(dest))) });
    let downloadedBytes = 0;
    let fetched: FetchedFile[];
    try {
      fetched = await mapLimit(layers, this.#concurrency, async ({ layer, title, parts }): Promise<FetchedFile> => {
        const staged = join(tree.root, ...parts);
        await mkdir(dirname(staged), { recursive: true });
        if (existed && (await keepPresent(join(dest, ...parts), staged, layer, statCache))) {
          progress(layer.size);
          return { title, digest: layer.digest, size: layer.size, source: "present" };
        }
        const source = await this.#download(repo, ref, { layer, title }, staged, options.blobCache, progress);
        if (source === "store") downloadedBytes += layer.size;
        return { title, digest: layer.digest, size: layer.size, source };
      });
      await tree.commit();
    } catch (error) {
      await tree.abort();
      throw error;
    }
    return this.#finishFetch(parsed, stored.digest, dest, fetched, statCache, downloadedBytes);
  }

  /**
   * fetch for a packed version: the index is downloaded and verified first, then each pack is read
   * once (whole, or only the byte ranges the included files need), every file checked against its
   * sha256 in the index, into the staged tree that replaces the destination only when complete.
   */
  async #fetchPacked(
    ref: string,
    parsed: ParsedRef,
    stored: StoredManifest,
    manifest: Manifest,
    dest: string,
    filter: IncludeFilter | undefined,
    options: FetchOptions,
  ): Promise<FetchResult> {
    const repo = this.repo(parsed.name);
    const { selected, packs, members } = await this.#packedEntries(repo, ref, manifest, filter?.match);
    refuseUnmatched(ref, filter);
    const existed = await checkDestination(dest);
    await this.#refuseShared(dest, existed);
    if (existed) {
      for (const { path } of selected) await refuseLinks(dest, path);
      if (!options.replace) await this.#refuseForeign(dest, ref);
    }
    const total = selected.reduce((s, e) => s + e.size, 0);
    let done = 0;
    const progress = (n: number) => {
      done += n;
      options.onProgress?.({ phase: "fetch", done, total });
    };
    // Read only to keep files the destination already holds; a new destination only adds entries.
    const statCache = existed ? await new StatCache(this.#statCachePath).load(dest) : new StatCache(this.#statCachePath);
    const tree = await stageTree(dest, { inside: existed && (await this.#isMountPoint(await realpath(dest))) });
    let downloadedBytes = 0;
    const fetched: FetchedFile[] = [];
    const made = new Set<string>();
    const stagedPath = (path: string) => {
      const parts = path.split("/");
      const dir = parts.length > 1 ? join(tree.root, ...parts.slice(0, -1)) : tree.root;
      if (!made.has(dir)) {
        mkdirSync(dir, { recursive: true });
        made.add(dir);
      }
      return join(tree.root, ...parts);
    };
    try {
      const byPack = new Map<number, WantedFile[]>();
      const own: IndexEntry[] = [];
      // Files the destination already holds with the right digest are linked into the stage.
      const present = existed
        ? await mapLimit(selected, this.#concurrency, (entry) =>
            keepPresent(
              join(dest, ...entry.path.split("/")),
              stagedPath(entry.path),
              { mediaType: FILE_MEDIA_TYPE, digest: `sha256:${entry.sha256}`, size: entry.size },
              statCache,
            ),
          )
        : undefined;
      for (const [i, entry] of selected.entries()) {
        if (present?.[i]) {
          progress(entry.size);
          fetched.push({ title: entry.path, digest: `sha256:${entry.sha256}`, size: entry.size, source: "present" });
          continue;
        }
        if (entry.pack === undefined) own.push(entry);
        else {
          const list = byPack.get(entry.pack) ?? [];
          list.push({ entry: entry as IndexEntry & { offset: number } });
          byPack.set(entry.pack, list);
        }
      }
      downloadedBytes += await extractPacks({
        transport: this.transport,
        repo,
        ref,
        packs,
        wanted: byPack,
        members,
        concurrency: this.#concurrency,
        // Only a partial fetch reads byte ranges: a whole fetch reads each pack whole, as tar,
        // checked member by member against the index (what `tar x` of the pack would make).
        ranges: filter !== undefined,
        write: ({ entry }, data) => {
          writeFileSync(stagedPath(entry.path), data, { mode: entry.mode });
          progress(entry.size);
          fetched.push({ title: entry.path, digest: `sha256:${entry.sha256}`, size: entry.size, source: "store" });
        },
      });
      await mapLimit(own, this.#concurrency, async (entry) => {
        const layer: Descriptor = { mediaType: FILE_MEDIA_TYPE, digest: `sha256:${entry.sha256}`, size: entry.size };
        const staged = stagedPath(entry.path);
        const source = await this.#download(repo, ref, { layer, title: entry.path }, staged, options.blobCache, progress);
        if (entry.mode === 0o755) await chmod(staged, 0o755);
        if (source === "store") downloadedBytes += entry.size;
        fetched.push({ title: entry.path, digest: layer.digest, size: entry.size, source });
      });
      await tree.commit();
    } catch (error) {
      await tree.abort();
      throw error;
    }
    fetched.sort((a, b) => (a.title < b.title ? -1 : a.title > b.title ? 1 : 0));
    return this.#finishFetch(parsed, stored.digest, dest, fetched, statCache, downloadedBytes);
  }

  /**
   * After a fetch's tree is in place: the stat cache learns the files (so the next fetch or
   * version need not rehash them), the fetch is recorded, and the result returned.
   */
  async #finishFetch(
    parsed: ParsedRef,
    digest: string,
    dest: string,
    fetched: FetchResult["files"],
    statCache: StatCache,
    downloadedBytes: number,
  ): Promise<FetchResult> {
    const seenAt = Date.now();
    for (const file of fetched) {
      const target = join(dest, ...file.title.split("/"));
      try {
        statCache.set(target, statSync(target, { bigint: true }), file.digest, seenAt);
      } catch {
        // Only a cache: a file gone already costs a rehash next time.
      }
    }
    await statCache.save().catch((error: Error) => this.#logger.debug(`stat cache not saved: ${error.message}`));
    await this.#recordFetch(
      dest,
      digest,
      fetched.map((f) => f.title),
    );
    return this.#fetchResult(parsed, digest, dest, fetched, downloadedBytes);
  }

  /** What a fetch returns, logged: the version tag is the ref's own when it names one. */
  async #fetchResult(
    parsed: ParsedRef,
    digest: string,
    dest: string,
    fetched: FetchResult["files"],
    downloadedBytes: number,
  ): Promise<FetchResult> {
    const version = parsed.tag && versionNumber(parsed.tag) !== undefined ? parsed.tag : await this.#versionTagOf(parsed.name, digest);
    this.#logger.info(`fetched ${parsed.name}@${digest} into ${dest} (${fetched.length} files, ${downloadedBytes} bytes downloaded)`);
    const result: FetchResult = { name: parsed.name, digest, path: dest, files: fetched, downloadedBytes };
    if (version) result.version = version;
    return result;
  }

  /**
   * The entries of a packed version's index (those `match` selects, all without it) and its packs,
   * the index verified and each own-layer entry checked against a layer of the manifest. Also
   * every entry of each pack holding a selected one (`members`, what a whole-pack read checks the
   * tar against): a pack's entries are contiguous in the index (the reader checks it), so only
   * the current pack's are held until it is known whether one of them is selected.
   */
  async #packedEntries(
    repo: string,
    ref: string,
    manifest: Manifest,
    match: ((path: string) => boolean) | undefined,
  ): Promise<{ selected: IndexEntry[]; packs: readonly IndexedPack[]; members: Map<number, IndexEntry[]> }> {
    const opened = await openVersionIndex(this.transport, repo, manifest, ref);
    const selected: IndexEntry[] = [];
    const members = new Map<number, IndexEntry[]>();
    const ownLayers = fileLayers(manifest);
    let pack = -1;
    let current: IndexEntry[] = [];
    let wanted = false;
    const endPack = () => {
      if (wanted) members.set(pack, current);
      current = [];
      wanted = false;
    };
    try {
      for await (const batch of opened.reader.batches()) {
        for (const entry of batch) {
          if (entry.pack !== undefined) {
            if (entry.pack !== pack) {
              endPack();
              pack = entry.pack;
            }
            current.push(entry);
          }
          if (match && !match(entry.path)) continue;
          if (entry.pack === undefined) {
            const layer = ownLayers.get(`sha256:${entry.sha256}`);
            if (!layer || layer.size !== entry.size)
              throw new FileIndexError(
                `ref ${ref}: file index: file ${entry.path} names no layer of the manifest (sha256:${entry.sha256})`,
              );
          } else wanted = true;
          selected.push(entry);
        }
      }
      endPack();
    } finally {
      await opened.close();
    }
    return { selected, packs: opened.reader.packs, members };
  }

  /**
   * The files of a version (those matching `include`, when given), read from its file index alone:
   * no pack is downloaded. Versions written one layer per file are listed from their manifest.
   */
  async *files(ref: string, options: { include?: string[] } = {}): AsyncGenerator<ListedFile> {
    const match = includeMatcher(options.include);
    const parsed = parseRef(ref);
    const { manifest } = await this.#manifest(parsed.name, parsed.digest ?? parsed.tag ?? "latest", ref);
    if (!indexLayer(manifest)) {
      for (const file of listedFromLayers(manifest, ref)) if (!match || match(file.path)) yield file;
      return;
    }
    const opened = await openVersionIndex(this.transport, this.repo(parsed.name), manifest, ref);
    const packs = opened.reader.packs;
    try {
      for await (const e of opened.reader.entries()) {
        if (match && !match(e.path)) continue;
        const file: ListedFile = { path: e.path, size: e.size, digest: `sha256:${e.sha256}`, mode: e.mode === 0o755 ? "755" : "644" };
        if (e.pack !== undefined) {
          file.pack = packs[e.pack]!.digest;
          file.offset = e.offset!;
        }
        yield file;
      }
    } finally {
      await opened.close();
    }
  }

  /**
   * One file of a version into `staged`, verified: from the blob cache when it has it, else
   * streamed from the store (and then saved to the cache). Shared by fetch and materialize.
   */
  async #download(
    repo: string,
    ref: string,
    { layer, title }: { layer: Descriptor; title: string },
    staged: string,
    blobCache: BlobCache | undefined,
    onBytes: (n: number) => void,
  ): Promise<"cache" | "store"> {
    if (blobCache && (await this.#fromCache(blobCache, layer, staged, title))) {
      onBytes(layer.size);
      return "cache";
    }
    const stream = await this.transport.openBlob(repo, layer.digest);
    if (!stream) throw new InputError(`ref ${ref}: file ${title}: blob ${layer.digest} is missing from the store`);
    await writeVerified(stream, staged, layer.digest, layer.size, `ref ${ref}: file ${title}`, onBytes);
    if (blobCache) {
      await blobCache.save(layer.digest, staged).catch((error: Error) => this.#logger.warn(`blob cache save failed: ${error.message}`));
    }
    return "store";
  }

  /**
   * Writes the version's files into `dir`, a new directory (refused when it exists), all at once:
   * built beside it and renamed into place, or not created at all (materialize.ts). From a layout
   * store each file is a hard link to its blob where the filesystem allows (no bytes copied), else
   * a verified copy; from a registry each file is downloaded and verified as fetch does it.
   * Titles are checked as fetch checks them. A packed version (many small files) has its packs
   * read whole and verified, pack digest and each file's sha256 (#materializePacked).
   */
  async materialize(ref: string, dir: string, options: MaterializeOptions = {}): Promise<MaterializeResult> {
    const parsed = parseRef(ref);
    const { stored, manifest } = await this.#manifest(parsed.name, parsed.digest ?? parsed.tag ?? "latest", ref);
    const dest = resolve(this.#cwd ?? process.cwd(), dir);
    const packed = indexLayer(manifest) !== undefined;
    const files = packed ? [] : versionFiles(manifest, ref);
    if (this.transport.kind === "layout") {
      const store = await realpath(this.transport.location).catch(() => resolve(this.transport.location));
      const target = join(await realpath(dirname(dest)).catch(() => dirname(dest)), basename(dest));
      if (isInside(target, store))
        throw new InputError(`destination ${dest}: is inside the store ${store}; expected a directory outside it`);
    }
    const repo = this.repo(parsed.name);
    const transport = this.transport;
    const blobPath = transport.blobPath?.bind(transport);
    const source: BlobSource = {
      blobPath: blobPath && ((digest) => blobPath(repo, digest)),
      download: async (file, target, onBytes) => {
        await this.#download(repo, ref, file, target, options.blobCache, onBytes);
      },
      what: (title) => `ref ${ref}: file ${title}`,
    };
    const written = packed
      ? await this.#materializePacked(repo, ref, manifest, dest, source, options)
      : await materializeTree(dest, files, source, { ...options, concurrency: this.#concurrency });
    const version =
      parsed.tag && versionNumber(parsed.tag) !== undefined ? parsed.tag : await this.#versionTagOf(parsed.name, stored.digest);
    this.#logger.info(
      `materialized ${parsed.name}@${stored.digest} into ${dest} (${written.linkedBytes} bytes linked, ${written.copiedBytes} copied)`,
    );
    const result: MaterializeResult = { name: parsed.name, digest: stored.digest, path: dest, ...written };
    if (version) result.version = version;
    return result;
  }

  /**
   * materialize for a packed version: the index is read and verified before the stage is made,
   * then every pack is read whole (its digest checked, and each file's sha256 from the index) into
   * the stage through extractPacks, as fetch reads it; files stored as their own layers take
   * materializeTree's path (hard link to a layout blob, else verified copy or download). Files come
   * out read-only like every materialized file: 0444, or 0555 for those the index marks 755.
   */
  async #materializePacked(
    repo: string,
    ref: string,
    manifest: Manifest,
    dest: string,
    source: BlobSource,
    options: MaterializeOptions,
  ): Promise<{ files: MaterializedFile[]; linkedBytes: number; copiedBytes: number }> {
    const { selected, packs, members } = await this.#packedEntries(repo, ref, manifest, undefined);
    const total = selected.reduce((s, e) => s + e.size, 0);
    const progress = progressOf(total, options);
    const inFlight = filesInFlight(source, this.#concurrency);
    const files: MaterializedFile[] = [];
    await inStage(dest, options.signal, async (stage) => {
      const made = new Set<string>();
      const stagedPath = (path: string) => {
        const parts = path.split("/");
        const dir = parts.length > 1 ? join(stage, ...parts.slice(0, -1)) : stage;
        if (!made.has(dir)) {
          mkdirSync(dir, { recursive: true });
          made.add(dir);
        }
        return join(stage, ...parts);
      };
      const byPack = new Map<number, WantedFile[]>();
      const own: IndexEntry[] = [];
      for (const entry of selected) {
        if (entry.pack === undefined) own.push(entry);
        else {
          const list = byPack.get(entry.pack) ?? [];
          list.push({ entry: entry as IndexEntry & { offset: number } });
          byPack.set(entry.pack, list);
        }
      }
      await extractPacks({
        transport: this.transport,
        repo,
        ref,
        packs,
        wanted: byPack,
        members,
        concurrency: inFlight,
        ranges: false,
        write: ({ entry }, data) => {
          writeFileSync(stagedPath(entry.path), data, { mode: entry.mode === 0o755 ? EXECUTABLE_MODE : BLOB_MODE });
          progress(entry.size);
          files.push({ title: entry.path, digest: `sha256:${entry.sha256}`, size: entry.size, linked: false });
        },
      });
      await mapLimit(own, inFlight, async (entry) => {
        options.signal?.throwIfAborted();
        const layer: Descriptor = { mediaType: FILE_MEDIA_TYPE, digest: `sha256:${entry.sha256}`, size: entry.size };
        const file: VersionFile = { layer, title: entry.path, parts: entry.path.split("/") };
        const linked = await placeFile(file, stagedPath(entry.path), source, options, progress, entry.mode === 0o755);
        files.push({ title: entry.path, digest: layer.digest, size: entry.size, linked });
      });
    });
    files.sort((a, b) => compareUtf8(a.title, b.title));
    const linkedBytes = files.reduce((s, f) => s + (f.linked ? f.size : 0), 0);
    return { files, linkedBytes, copiedBytes: total - linkedBytes };
  }

  /**
   * Fetch removes whatever in the destination is not in the version, so it refuses a destination
   * holding the working directory (`fetch ref .` in a repository would empty it) or the layout
   * store itself, and one inside the store.
   */
  async #refuseShared(dest: string, existed: boolean): Promise<void> {
    const real = async (p: string) => realpath(p).catch(() => p);
    const target = existed ? await real(dest) : dest;
    for (const [what, path] of [
      ["the working directory", process.cwd()],
      ["the working directory", this.#cwd],
      ["the store", this.transport.kind === "layout" ? this.transport.location : undefined],
    ] as const) {
      if (!path) continue;
      const other = await real(resolve(path));
      if (isInside(other, target)) {
        throw new InputError(
          `destination ${dest}: holds ${what} ${other}; fetch replaces a directory's whole content, expected a directory of its own`,
        );
      }
      if (what === "the store" && isInside(target, other))
        throw new InputError(`destination ${dest}: is inside the store ${other}; expected a directory outside it`);
    }
  }

  /**
   * Fetch removes whatever in the destination is not in the version, so a non-empty destination is
   * replaced only when an earlier fetch wrote it (fetch-record.ts: the same directory, holding
   * nothing but files and directories of the version recorded there) or the caller said `replace`.
   */
  async #refuseForeign(dest: string, ref: string): Promise<void> {
    let foreign: string | undefined;
    try {
      const real = await realpath(dest);
      const titles = (await this.#fetchRecords.titlesIn(real, await lstat(real, { bigint: true }))) ?? [];
      foreign = await foreignEntry(real, titles);
    } catch (error) {
      throw new InputError(`destination ${dest}: cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
    if (foreign !== undefined) throw new DestinationNotEmptyError(dest, ref);
  }

  /** Remembers (outside the destination) that this fetch wrote `dest`, so the next one may replace it without `replace`. */
  async #recordFetch(dest: string, digest: string, titles: string[]): Promise<void> {
    try {
      const real = await realpath(dest);
      await this.#fetchRecords.record(real, await lstat(real, { bigint: true }), digest, titles);
    } catch (error) {
      this.#logger.warn(
        `fetch record not saved (${(error as Error).message.split("\n")[0]}); the next fetch into ${dest} will need --replace`,
      );
    }
  }

  async #fromCache(cache: BlobCache, layer: Descriptor, staged: string, title: string): Promise<boolean> {
    try {
      if (!(await cache.restore(layer.digest, staged))) return false;
      const got = await hashFile(staged);
      if (got.digest === layer.digest && got.size === layer.size) return true;
      this.#logger.warn(`blob cache entry for ${title} does not match ${layer.digest}; fetching from the store`);
    } catch (error) {
      this.#logger.warn(`blob cache unavailable: ${(error as Error).message.split("\n")[0]}`);
    }
    await rm(staged, { force: true });
    return false;
  }

  /** Without a name: artifact names in the store. With a name: its versions, newest first, with their aliases. */
  async list(): Promise<string[]>;
  async list(name: string): Promise<ListedVersion[]>;
  async list(name?: string): Promise<string[] | ListedVersion[]> {
    if (name === undefined) {
      const prefix = this.#prefix ? `${this.#prefix}/` : "";
      return (await this.transport.listRepositories()).filter((r) => r.startsWith(prefix)).map((r) => r.slice(prefix.length));
    }
    checkName(name);
    const repo = this.repo(name);
    const tags = await this.transport.listTags(repo);
    const byTag = new Map<string, { stored: StoredManifest; manifest: Manifest }>();
    await mapLimit(tags, this.#concurrency, async (tag) => {
      const m = await this.#read(repo, tag, `${name}:${tag}`);
      if (m) byTag.set(tag, m);
    });
    const versions: ListedVersion[] = [];
    for (const [tag, { stored: m, manifest }] of byTag) {
      if (versionNumber(tag) === undefined) continue;
      const aliases = [...byTag]
        .filter(([t, other]) => versionNumber(t) === undefined && other.stored.digest === m.digest)
        .map(([t]) => t)
        .sort();
      const entry: ListedVersion = { version: tag, digest: m.digest, aliases };
      const created = manifest.annotations?.[CREATED];
      if (created) entry.created = created;
      versions.push(entry);
    }
    return versions.sort((a, b) => (versionNumber(b.version) ?? 0) - (versionNumber(a.version) ?? 0));
  }

  /** Moves of `alias` on `name`, newest first, read from the alias-move referrers. */
  async history(name: string, alias: string): Promise<HistoryEntry[]> {
    checkName(name);
    checkTag(alias);
    const repo = this.repo(name);
    const digests = new Set<string>();
    for (const tag of await this.transport.listTags(repo)) {
      const m = await this.#read(repo, tag, `${name}:${tag}`);
      if (m) digests.add(m.stored.digest);
    }
    const entries: HistoryEntry[] = [];
    for (const digest of digests) {
      for (const d of await this.#referrers(repo, digest)) {
        if (d.artifactType !== ALIAS_ARTIFACT_TYPE || d.annotations?.[MOVE_ALIAS] !== alias) continue;
        const data = await this.#readReferrerFile(repo, d.digest, "alias.json", ALIAS_RECORD_MAX_BYTES);
        const move = aliasMoveSchema.safeParse(JSON.parse(Buffer.from(data).toString("utf8")));
        if (move.success) entries.push({ ...move.data, record: d.digest });
      }
    }
    return entries.sort((a, b) => (a.when < b.when ? 1 : a.when > b.when ? -1 : 0));
  }

  async #readReferrerFile(repo: string, referrer: string, title: string, maxBytes: number): Promise<Uint8Array> {
    const m = await this.#read(repo, referrer, `evidence ${referrer}`);
    if (!m) throw new InputError(`evidence ${referrer}: not found in store ${this.transport.location}`);
    const manifest = m.manifest;
    const layer = manifest.layers.find((l) => l.annotations?.[TITLE] === title);
    if (!layer) throw new InputError(`evidence ${referrer}: has no file ${title}`);
    // The file is read into memory: a declared size beyond the cap is refused before a byte is read.
    if (!(layer.size <= maxBytes)) {
      throw new InputError(
        `evidence ${referrer}: file ${title} declares ${layer.size} bytes, over the ${maxBytes}-byte limit; refusing to read it`,
      );
    }
    const stream = await this.transport.openBlob(repo, layer.digest);
    if (!stream) throw new InputError(`evidence ${referrer}: blob of ${title} is missing`);
    return readVerified(stream, layer.digest, layer.size, `evidence ${referrer}: file ${title}`);
  }

  async attachEvidence(
    subject: ResolvedVersion,
    evidence: { artifactType: string; files: EvidenceFile[]; annotations?: Record<string, string> },
  ): Promise<{ digest: string }> {
    checkSubject(subject);
    const { stored: target } = await this.#manifest(subject.name, subject.digest, `${subject.name}@${subject.digest}`);
    const created = evidence.annotations?.[CREATED] ?? new Date().toISOString();
    const digest = await this.#putReferrer(
      this.repo(subject.name),
      target,
      evidence.artifactType,
      evidence.files,
      evidence.annotations ?? {},
      created,
    );
    return { digest };
  }

  async listEvidence(subject: ResolvedVersion, artifactType: string): Promise<EvidenceSummary[]> {
    checkSubject(subject);
    const found = await this.#referrers(this.repo(subject.name), subject.digest);
    return found
      .filter((d) => d.artifactType === artifactType)
      .map((d) => ({ digest: d.digest, artifactType, annotations: d.annotations ?? {} }))
      .sort((a, b) => {
        const x = a.annotations[CREATED] ?? "";
        const y = b.annotations[CREATED] ?? "";
        return x < y ? 1 : x > y ? -1 : 0;
      });
  }

  /**
   * One file of a referrer, digest-verified and read into memory: refused (InputError naming it)
   * when its declared size exceeds `maxBytes` (default EVIDENCE_FILE_MAX_BYTES). Callers reading a
   * small JSON file pass a smaller cap.
   */
  async readEvidenceFile(
    subject: ResolvedVersion,
    evidenceDigest: string,
    title: string,
    options: { maxBytes?: number } = {},
  ): Promise<Uint8Array> {
    checkSubject(subject);
    checkDigest(evidenceDigest);
    return this.#readReferrerFile(this.repo(subject.name), evidenceDigest, title, options.maxBytes ?? EVIDENCE_FILE_MAX_BYTES);
  }

  /**
   * The JSON file `file` of each referrer of `subject` with that artifact type, validated by
   * `schema`, in listEvidence's order (newest first by creation annotation). Referrers are written
   * by anyone with write access to the store, so what cannot be trusted whole is skipped, never
   * half-read and never fatal: a file missing, over `maxBytes` or failing its digest, bytes that
   * are not JSON, JSON the schema refuses. Each skip is a debug line naming the referrer and why.
   * `match` sees a referrer's annotations before its file is read, so records of no interest cost
   * no read; annotations are only the writer's word, so callers check the value's own fields too.
   */
  async readEvidenceJson<T>(
    subject: ResolvedVersion,
    options: {
      artifactType: string;
      /** The layer title, e.g. `promotion.json`. */
      file: string;
      schema: z.ZodType<T>;
      maxBytes: number;
      match?: (annotations: Record<string, string>) => boolean;
      /** Names the referrers in debug lines, e.g. `promotion record` (default `evidence`). */
      what?: string;
      /** Where the debug lines go (default the store's logger). */
      logger?: Logger;
    },
  ): Promise<{ digest: string; value: T; annotations: Record<string, string> }[]> {
    const logger = options.logger ?? this.#logger;
    const what = options.what ?? "evidence";
    const out: { digest: string; value: T; annotations: Record<string, string> }[] = [];
    for (const entry of await this.listEvidence(subject, options.artifactType)) {
      if (options.match && !options.match(entry.annotations)) continue;
      let json: unknown;
      try {
        const bytes = await this.readEvidenceFile(subject, entry.digest, options.file, { maxBytes: options.maxBytes });
        json = JSON.parse(new TextDecoder().decode(bytes));
      } catch (error) {
        // What a record holds is skipped (missing, oversized, not matching its digest, not JSON);
        // the store failing to answer is not: a registry error must not make a reader act on an
        // older record as if the newest one did not exist.
        if (!(error instanceof InputError || error instanceof SyntaxError)) throw error;
        logger.debug(`${what} ${entry.digest}: unreadable (${oneLine(error)})`);
        continue;
      }
      const parsed = options.schema.safeParse(json);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const at = issue && issue.path.length > 0 ? `${issue.path.map(String).join(".")}: ` : "";
        logger.debug(`${what} ${entry.digest}: skipped (${options.file}: ${at}${issue?.message ?? "invalid"})`);
        continue;
      }
      out.push({ digest: entry.digest, value: parsed.data, annotations: entry.annotations });
    }
    return out;
  }
}

/** A subject's name and digest end up in paths and URLs: check them like a parsed ref. */
/**
 * An --include pattern that matches no file of the version is refused before the destination is
 * touched: fetch makes the destination hold exactly what is selected, so a typo would otherwise
 * empty it and succeed.
 */
function refuseUnmatched(ref: string, filter: IncludeFilter | undefined): void {
  const unmatched = filter?.unmatched() ?? [];
  if (unmatched.length) throw new UnmatchedIncludeError(ref, unmatched);
}

function checkSubject(subject: ResolvedVersion): void {
  checkName(subject.name);
  checkDigest(subject.digest);
}

/** A layer title as a safe relative POSIX path, or an InputError naming it. */
export function safeTitle(title: string | undefined, ref: string): string {
  if (!title) throw new InputError(`ref ${ref}: a layer has no ${TITLE} annotation`);
  if (!isSafeTitle(title)) {
    throw new InputError(`ref ${ref}: file title "${title}" escapes the destination (absolute, .. or empty segment)`);
  }
  return title;
}

/**
 * The version's files with their titles checked: each a safe relative path (safeTitle), none twice,
 * none also a directory of others. Fetch and materialize build paths from these only.
 */
function versionFiles(manifest: Manifest, ref: string): VersionFile[] {
  const files = manifest.layers.map((layer) => {
    const title = safeTitle(layer.annotations?.[TITLE], ref);
    return { layer, title, parts: title.split("/") };
  });
  const titles = new Set<string>();
  const dirs = new Set<string>();
  for (const entry of files) {
    if (titles.has(entry.title)) throw new InputError(`ref ${ref}: file ${entry.title} appears twice`);
    titles.add(entry.title);
    for (let i = 1; i < entry.parts.length; i++) dirs.add(entry.parts.slice(0, i).join("/"));
  }
  for (const title of titles) {
    if (dirs.has(title)) throw new InputError(`ref ${ref}: file ${title} is also a directory of other files; expected distinct paths`);
  }
  return files;
}

/** Whether the destination exists; refuses one that is a symbolic link or not a directory. */
async function checkDestination(dest: string): Promise<boolean> {
  let st: Stats;
  try {
    st = await lstat(dest);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw new InputError(`destination ${dest}: cannot be read (${(error as NodeJS.ErrnoException).code})`);
  }
  if (st.isSymbolicLink()) throw new InputError(`destination ${dest}: is a symbolic link; refusing to write through it`);
  if (!st.isDirectory()) throw new InputError(`destination ${dest}: exists and is not a directory; expected a directory`);
  return true;
}

/** Refuses a title whose existing path components (or the file itself) inside the destination are symbolic links. */
async function refuseLinks(dest: string, title: string): Promise<void> {
  let current = dest;
  const parts = title.split("/");
  for (const [i, part] of parts.entries()) {
    current = join(current, part);
    let st: Stats;
    try {
      st = await lstat(current);
    } catch {
      return;
    }
    if (st.isSymbolicLink()) throw new InputError(`destination ${current}: is a symbolic link; refusing to write through it`);
    if (!st.isDirectory() && i < parts.length - 1) return;
  }
}

function sameFile(a: BigIntStats, b: FileStat): boolean {
  return fileStat(a) === b;
}

/**
 * Puts the destination's own copy of a file into the staged tree when it already has the right
 * digest: a hard link (no bytes copied; the old tree is never written to), or a verified copy where
 * links are refused. False when the file is absent, different, or changed while we looked.
 */
async function keepPresent(target: string, staged: string, layer: Descriptor, statCache: StatCache): Promise<boolean> {
  const seenAt = Date.now();
  let before: BigIntStats;
  try {
    before = await lstat(target, { bigint: true });
  } catch {
    return false;
  }
  if (!before.isFile() || before.size !== BigInt(layer.size)) return false;
  let digest = statCache.get(target, before);
  if (!digest) {
    digest = (await hashFile(target)).digest;
    statCache.set(target, before, digest, seenAt);
  }
  if (digest !== layer.digest) return false;
  try {
    await link(target, staged);
  } catch {
    const copy = await hashAndCopy(target, staged).catch(() => undefined);
    if (copy?.digest === layer.digest && copy.size === layer.size) return true;
    await rm(staged, { force: true });
    return false;
  }
  // link(2) moves ctime, nothing else: anything else moving means the file changed since we hashed it.
  const after = await lstat(staged, { bigint: true });
  if (after.ino === before.ino && after.size === before.size && after.mtimeNs === before.mtimeNs) return true;
  await rm(staged, { force: true });
  return false;
}

export type { MaterializedFile, MaterializeOptions, MaterializeResult } from "./materialize.ts";
export type { ParsedRef };
