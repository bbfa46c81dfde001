import { randomBytes } from "node:crypto";
import type { Dirent } from "node:fs";
import { lstat, mkdir, readdir, readFile, rename, rm, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { type ModelRepositoryTargetConfig, oneLine, writeFileAtomic } from "@llmops/core";
import { acquireLock, LockTimeoutError } from "@llmops/store";
import { z } from "zod";
import { type Target, type TargetContext, TargetError, type TargetResult, type TargetVersion } from "../target.ts";
import {
  minimalTritonConfig,
  pointTfServing,
  restoreTfServing,
  setTritonPolicy,
  tfServingServed,
  tritonPolicy,
  tritonServed,
} from "./serving-config.ts";
import { attemptSignal, excerpt, lastComponent, networkReason } from "./shared.ts";

/**
 * A Triton / TF Serving model repository on a filesystem path:
 *
 *     <root>/<model>/config.pbtxt              Triton: version_policy set to the served version
 *     <root>/<model>/<n>/…                     one numeric directory per promoted version
 *     <root>/<model>/.llmops-versions.json     which digest each <n> holds (ours only)
 *     <root>/model.config                      TF Serving: this model's entry in model_config_list
 *
 * A version directory is materialized (hard links into a layout store, else verified copies) into
 * `<root>/<model>/.llmops-stage-<random>` and renamed to `<n>`, n = one more than any number seen
 * before, so a server never sees half a version and never sees a number reused with other bytes.
 * The marker is a file, not a directory: Triton warns about every non-numeric subdirectory of a
 * model on each load. Applying a digest that already has a directory reuses it. The config files
 * are rewritten one field at a time (serving-config.ts) through a temp file and a rename.
 *
 * One promotion at a time per model directory: apply and rollback hold `<root>/<model>/.llmops-lock`
 * (TF Serving: `<root>/.llmops-lock`, since every model's entry is in the one `<root>/model.config`)
 * from reading the marker to the last config write, so two promotions never claim one number nor
 * drop each other's marker entries. The lock (@llmops/store's acquireLock) names its owner (pid,
 * host, time) and is kept fresh while held; it is taken over when its owner is gone from this host or it went stale
 * (lockStaleMs, 10 minutes without a refresh). Stage directories as old as that are a killed
 * promotion's leftovers and are removed on the next one.
 *
 * The server may see the repository under another path (TF Serving in a container with the
 * repository mounted at /models): `servedRoot` is that path, written into model.config's
 * base_path; default root's absolute path here. Triton's config.pbtxt holds no paths.
 *
 * `keep` counts the version directories this target wrote, the served one included; the version
 * served before the promotion is kept as well whatever `keep` says (so `keep: 1` leaves two until
 * the next promotion), because rollback points back at it. Directories it did not write are never
 * pruned.
 */

const TYPE = "model-repository" as const;
export const MARKER_FILE = ".llmops-versions.json";
const STAGE_PREFIX = ".llmops-stage-";
export const LOCK_FILE = ".llmops-lock";
const LOCK_STALE_MS = 10 * 60_000;

export interface ModelRepositoryOptions {
  /** A lock not refreshed for this long, and a stage directory not written for this long, is a leftover (default 10 min). */
  lockStaleMs?: number;
  /** How long to wait for another promotion's lock (default: lockStaleMs). */
  lockWaitMs?: number;
}

const markerSchema = z.object({
  schemaVersion: z.literal(1),
  /** The highest number ever given out: numbers are not reused. */
  lastVersion: z.number().int().nonnegative(),
  versions: z.record(
    z.string().regex(/^[1-9]\d*$/),
    z.object({
      digest: z.string(),
      name: z.string(),
      version: z.string().optional(),
      promotedAt: z.string(),
      promotionId: z.string(),
    }),
  ),
});
type Marker = z.infer<typeof markerSchema>;

/** What apply records (TargetResult.details), read back by rollback. */
const detailsSchema = z.looseObject({
  model: z.string(),
  modelDir: z.string(),
  format: z.enum(["triton", "tfserving"]),
  versionNumber: z.number().int().positive(),
  versionDir: z.string(),
  digest: z.string(),
  created: z.boolean(),
  createdModelDir: z.boolean(),
  createdConfig: z.boolean(),
  /** The exact text of the version_policy field (Triton) or the model's `{ … }` entry (TF Serving) before. */
  previousSetting: z.string().nullable(),
  previousServed: z.array(z.number()),
});
export type ModelRepositoryDetails = z.infer<typeof detailsSchema>;

interface Paths {
  root: string;
  model: string;
  modelDir: string;
  configPath: string;
  /** base_path in TF Serving's model.config: the model directory as the server sees it. */
  servedModelDir: string;
  lockPath: string;
}

interface Ensured {
  n: number;
  dir: string;
  created: boolean;
  linkedBytes: number;
  copiedBytes: number;
}

export class ModelRepositoryTarget implements Target {
  readonly type = TYPE;
  readonly #config: ModelRepositoryTargetConfig;
  readonly #staleMs: number;
  readonly #waitMs: number;

  constructor(config: ModelRepositoryTargetConfig, options: ModelRepositoryOptions = {}) {
    if (config.format === "tfserving" && config.loadUrl) {
      throw new TargetError(
        TYPE,
        "loadUrl is Triton's repository API; TF Serving reloads model.config by polling (--model_config_file_poll_wait_seconds)",
      );
    }
    if (config.format === "triton" && config.servedRoot) {
      throw new TargetError(TYPE, "servedRoot is TF Serving's base_path; Triton's config.pbtxt holds no paths (remove servedRoot)");
    }
    this.#config = config;
    this.#staleMs = options.lockStaleMs ?? LOCK_STALE_MS;
    this.#waitMs = options.lockWaitMs ?? this.#staleMs;
  }

  #paths(context: TargetContext, model: string): Paths {
    const root = resolve(context.configDir, this.#config.root);
    const modelDir = join(root, model);
    const triton = this.#config.format === "triton";
    const configPath = triton ? join(modelDir, "config.pbtxt") : join(root, "model.config");
    const servedRoot = this.#config.servedRoot;
    const servedModelDir = servedRoot ? `${servedRoot.replace(/\/+$/, "")}/${model}` : modelDir;
    return { root, model, modelDir, configPath, servedModelDir, lockPath: join(triton ? modelDir : root, LOCK_FILE) };
  }

  /** Runs `fn` holding the repository lock of `paths`. */
  async #locked<T>(paths: Paths, context: TargetContext, fn: () => Promise<T>): Promise<T> {
    const release = await acquireLock(paths.lockPath, {
      // A model repository may be on a filesystem several hosts share, where a pid says nothing:
      // the holder keeps the file fresh, and one not refreshed for staleMs is taken over.
      staleAfterMs: this.#staleMs,
      refreshEveryMs: Math.max(10, Math.floor(this.#staleMs / 4)),
      timeoutMs: this.#waitMs,
      // A rollback of the model's first promotion removes the model directory (lock and all).
      createDirectory: true,
      signal: context.signal,
    }).catch((error: unknown) => {
      if (!(error instanceof LockTimeoutError)) throw error;
      const { owner } = error;
      const who = owner ? `pid ${owner.pid} on ${owner.host}${owner.since ? ` since ${owner.since}` : ""}` : "an unknown owner";
      throw new TargetError(
        TYPE,
        `${paths.lockPath} is held by ${who} (another promotion into this model directory); ` +
          `waited ${Math.round(this.#waitMs / 1000)} s. Remove the file if no promotion is running.`,
      );
    });
    try {
      return await fn();
    } finally {
      await release();
    }
  }

  /** Removes the stage directories of a killed promotion: not written to for the lock's staleness window. */
  async #removeLeftoverStages(modelDir: string, context: TargetContext): Promise<void> {
    const entries = await readdir(modelDir).catch(() => [] as string[]);
    for (const entry of entries.filter((e) => e.startsWith(STAGE_PREFIX))) {
      const path = join(modelDir, entry);
      const st = await lstat(path).catch(() => undefined);
      if (!st || Date.now() - st.mtimeMs <= this.#staleMs) continue;
      await rm(path, { recursive: true, force: true }).catch(() => {});
      context.logger.info(`model-repository: removed ${path}, left behind by a promotion that did not finish`);
    }
  }

  async apply(version: TargetVersion, context: TargetContext): Promise<TargetResult> {
    const model = this.#config.model ?? lastComponent(version.name);
    const paths = this.#paths(context, model);
    if (!(await isDirectory(paths.root)))
      throw new TargetError(TYPE, `root ${paths.root} is not a directory; expected the model repository to exist`);
    const createdModelDir = !(await exists(paths.modelDir));
    await mkdir(paths.modelDir, { recursive: true });
    return this.#locked(paths, context, async () => {
      await this.#removeLeftoverStages(paths.modelDir, context);
      return this.#apply(version, paths, createdModelDir, context);
    });
  }

  async #apply(version: TargetVersion, paths: Paths, createdModelDir: boolean, context: TargetContext): Promise<TargetResult> {
    const model = paths.model;
    const before = await readText(paths.configPath);
    const existingBefore = await versionDirs(paths.modelDir);
    const previousServed = this.#served(before, model, existingBefore, paths.configPath);

    const ensured = await this.#ensure(version, paths, context);
    let written: { text: string; previous: string | null };
    try {
      written = this.#point(before, paths, ensured.n);
      await writeFileAtomic(paths.configPath, written.text);
      if (this.#config.loadUrl) await this.#control("load", model, context);
    } catch (error) {
      // Leave the repository as it was: the server keeps what it served.
      await restoreFile(paths.configPath, before);
      if (ensured.created) await this.#removeVersion(paths.modelDir, ensured.n);
      throw asTargetError(error, `${paths.configPath}`);
    }
    const pruned = await this.#prune(paths.modelDir, new Set([ensured.n, ...previousServed]));
    const versionDir = join(paths.modelDir, String(ensured.n));
    context.logger.info(
      `model-repository: ${version.name}@${version.digest} served from ${versionDir}${ensured.created ? "" : " (already there)"}` +
        (pruned.length ? `; pruned ${pruned.join(", ")}` : ""),
    );
    const details: ModelRepositoryDetails & Record<string, unknown> = {
      root: paths.root,
      model,
      modelDir: paths.modelDir,
      format: this.#config.format,
      configPath: paths.configPath,
      versionNumber: ensured.n,
      versionDir,
      digest: version.digest,
      created: ensured.created,
      createdModelDir,
      createdConfig: before === undefined,
      previousSetting: written.previous,
      previousServed,
      pruned,
      loaded: Boolean(this.#config.loadUrl),
      linkedBytes: ensured.linkedBytes,
      copiedBytes: ensured.copiedBytes,
    };
    return { type: TYPE, summary: `model-repository ${versionDir}`, details };
  }

  async rollback(previous: TargetVersion | null, applied: TargetResult, context: TargetContext): Promise<TargetResult> {
    const parsed = detailsSchema.safeParse(applied.details);
    if (!parsed.success) throw new TargetError(TYPE, "rollback: the recorded result of apply is not a model-repository result");
    const d = parsed.data;
    const paths = this.#paths(context, d.model);
    const hadModelDir = await exists(paths.modelDir);
    return this.#locked(paths, context, async () => {
      try {
        return await this.#rollback(previous, d, paths, context);
      } finally {
        // The lock alone must not leave a model directory behind that rollback found gone.
        if (!hadModelDir && (await onlyMarker(paths.modelDir, false))) await rm(paths.modelDir, { recursive: true, force: true });
      }
    });
  }

  async #rollback(previous: TargetVersion | null, d: ModelRepositoryDetails, paths: Paths, context: TargetContext): Promise<TargetResult> {
    if (previous) {
      await this.#removeLeftoverStages(paths.modelDir, context);
      const ensured = await this.#ensure(previous, paths, context);
      const before = await readText(paths.configPath);
      try {
        await writeFileAtomic(paths.configPath, this.#point(before, paths, ensured.n).text);
        if (this.#config.loadUrl) await this.#control("load", d.model, context);
      } catch (error) {
        throw asTargetError(error, paths.configPath);
      }
      const removed = d.created && d.versionNumber !== ensured.n;
      if (removed) await this.#removeVersion(paths.modelDir, d.versionNumber);
      const versionDir = join(paths.modelDir, String(ensured.n));
      context.logger.info(`model-repository: rolled back to ${previous.name}@${previous.digest} (${versionDir})`);
      return {
        type: TYPE,
        summary: `model-repository ${versionDir} (rolled back from ${d.versionNumber})`,
        details: {
          model: d.model,
          modelDir: paths.modelDir,
          versionNumber: ensured.n,
          versionDir,
          digest: previous.digest,
          removed: removed ? d.versionNumber : null,
        },
      };
    }

    // No previous version: undo apply. The policy (or entry) goes back to what it was, the version
    // directory apply wrote goes, and the server reloads what is left or unloads the model.
    const current = await readText(paths.configPath);
    let serving = true;
    try {
      if (current !== undefined) {
        if (this.#config.format === "triton") {
          if (d.createdConfig) {
            await rm(paths.configPath, { force: true });
            serving = false;
          } else await writeFileAtomic(paths.configPath, setTritonPolicy(current, d.previousSetting).text);
        } else {
          const restored = restoreTfServing(current, d.model, d.previousSetting);
          if (d.createdConfig && restored.entries === 0) await rm(paths.configPath, { force: true });
          else await writeFileAtomic(paths.configPath, restored.text);
          serving = d.previousSetting !== null;
        }
      }
    } catch (error) {
      throw asTargetError(error, paths.configPath);
    }
    if (d.created) await this.#removeVersion(paths.modelDir, d.versionNumber);
    if (d.createdModelDir && (await onlyMarker(paths.modelDir))) {
      await rm(paths.modelDir, { recursive: true, force: true });
      serving = false;
    }
    if (this.#config.loadUrl) await this.#control(serving ? "load" : "unload", d.model, context);
    context.logger.info(`model-repository: undid ${d.versionDir}`);
    return {
      type: TYPE,
      summary: `model-repository ${d.versionDir} removed`,
      details: { model: d.model, modelDir: paths.modelDir, removed: d.created ? d.versionNumber : null, unloaded: !serving },
    };
  }

  #served(text: string | undefined, model: string, existing: number[], file: string): number[] {
    try {
      return this.#config.format === "triton" ? tritonServed(text, existing) : tfServingServed(text, model, existing);
    } catch (error) {
      throw asTargetError(error, file);
    }
  }

  #point(text: string | undefined, paths: Paths, n: number): { text: string; previous: string | null } {
    if (this.#config.format === "tfserving") return pointTfServing(text, paths.model, paths.servedModelDir, n);
    if (text === undefined) return { text: minimalTritonConfig(paths.model, n), previous: null };
    return setTritonPolicy(text, tritonPolicy(n));
  }

  /** The version's directory: the one already holding its digest, else a new one materialized from the store. */
  async #ensure(version: TargetVersion, paths: Paths, context: TargetContext): Promise<Ensured> {
    const marker = await readMarker(paths.modelDir);
    const existing = await versionDirs(paths.modelDir);
    const reuse = existing.filter((n) => marker.versions[String(n)]?.digest === version.digest).sort((a, b) => b - a)[0];
    if (reuse !== undefined) return { n: reuse, dir: join(paths.modelDir, String(reuse)), created: false, linkedBytes: 0, copiedBytes: 0 };

    const n = Math.max(marker.lastVersion, 0, ...existing) + 1;
    const dir = join(paths.modelDir, String(n));
    const stage = join(paths.modelDir, `${STAGE_PREFIX}${randomBytes(6).toString("hex")}`);
    let claimed = false;
    try {
      const result = await context.store.materialize(`${version.name}@${version.digest}`, stage, { link: true, signal: context.signal });
      // Claim the number before the directory appears: a crash in between leaves a marker entry
      // without a directory, which is ignored and overwritten, never a directory nobody knows.
      marker.versions[String(n)] = {
        digest: version.digest,
        name: version.name,
        ...(version.version ? { version: version.version } : {}),
        promotedAt: new Date().toISOString(),
        promotionId: context.promotionId,
      };
      marker.lastVersion = n;
      await writeMarker(paths.modelDir, marker);
      claimed = true;
      await rename(stage, dir);
      return { n, dir, created: true, linkedBytes: result.linkedBytes, copiedBytes: result.copiedBytes };
    } catch (error) {
      await rm(stage, { recursive: true, force: true }).catch(() => {});
      if (claimed) {
        const latest = await readMarker(paths.modelDir);
        delete latest.versions[String(n)];
        await writeMarker(paths.modelDir, latest).catch(() => {});
      }
      throw new TargetError(TYPE, `${version.name}@${version.digest} could not be written to ${dir}: ${firstLine(error)}`, {
        cause: error,
      });
    }
  }

  async #removeVersion(modelDir: string, n: number): Promise<void> {
    await rm(join(modelDir, String(n)), { recursive: true, force: true });
    const marker = await readMarker(modelDir);
    if (marker.versions[String(n)]) {
      delete marker.versions[String(n)];
      await writeMarker(modelDir, marker);
    }
  }

  /** Removes the oldest version directories this target wrote beyond `keep`, never a protected one. */
  async #prune(modelDir: string, protect: Set<number>): Promise<number[]> {
    const marker = await readMarker(modelDir);
    const existing = new Set(await versionDirs(modelDir));
    const ours = Object.keys(marker.versions)
      .map(Number)
      .filter((n) => existing.has(n))
      .sort((a, b) => b - a);
    const kept = new Set(ours.slice(0, this.#config.keep));
    const pruned = ours.filter((n) => !kept.has(n) && !protect.has(n)).sort((a, b) => a - b);
    for (const n of pruned) await rm(join(modelDir, String(n)), { recursive: true, force: true });
    let changed = pruned.length > 0;
    for (const key of Object.keys(marker.versions)) {
      if (!existing.has(Number(key)) || pruned.includes(Number(key))) {
        delete marker.versions[key];
        changed = true;
      }
    }
    if (changed) await writeMarker(modelDir, marker);
    return pruned;
  }

  /** Triton's model repository extension: `POST <loadUrl>/v2/repository/models/<model>/load|unload`. */
  async #control(action: "load" | "unload", model: string, context: TargetContext): Promise<void> {
    const base = this.#config.loadUrl!;
    const url = `${base.replace(/\/+$/, "")}/v2/repository/models/${encodeURIComponent(model)}/${action}`;
    const origin = new URL(base).origin;
    let response: Response;
    try {
      response = await fetch(url, { method: "POST", signal: attemptSignal(this.#config.timeoutMs, context.signal) });
    } catch (error) {
      throw new TargetError(
        TYPE,
        `Triton at ${origin}: ${action} ${JSON.stringify(model)} failed: ${networkReason(error, this.#config.timeoutMs)}`,
        {
          cause: error,
        },
      );
    }
    const body = await response.text().catch(() => "");
    if (response.ok) {
      context.logger.info(`model-repository: Triton at ${origin} ${action}ed ${model}`);
      return;
    }
    let message = body;
    try {
      const parsed = JSON.parse(body) as { error?: unknown };
      if (typeof parsed.error === "string") message = parsed.error;
    } catch {}
    throw new TargetError(
      TYPE,
      `Triton at ${origin}: ${action} ${JSON.stringify(model)} failed: HTTP ${response.status}: ${excerpt(message || response.statusText)}`,
    );
  }
}

function asTargetError(error: unknown, file: string): TargetError {
  if (error instanceof TargetError) return error;
  return new TargetError(TYPE, `${file ? `${file}: ` : ""}${firstLine(error)}`, { cause: error });
}

function firstLine(error: unknown): string {
  return excerpt(oneLine(error), 500);
}

/** Numeric version directories as Triton and TF Serving read them (no leading zeros). */
async function versionDirs(modelDir: string): Promise<number[]> {
  let entries: Dirent[];
  try {
    entries = await readdir(modelDir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  return entries.filter((e) => e.isDirectory() && /^[1-9]\d*$/.test(e.name)).map((e) => Number(e.name));
}

async function readMarker(modelDir: string): Promise<Marker> {
  const path = join(modelDir, MARKER_FILE);
  const text = await readText(path);
  if (text === undefined) return { schemaVersion: 1, lastVersion: 0, versions: {} };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = markerSchema.safeParse(json);
  if (!parsed.success)
    throw new TargetError(
      TYPE,
      `${path} is not a version marker this target wrote; expected JSON with schemaVersion 1 (move it away to start over)`,
    );
  return parsed.data;
}

async function writeMarker(modelDir: string, marker: Marker): Promise<void> {
  await writeFileAtomic(join(modelDir, MARKER_FILE), `${JSON.stringify(marker, null, 2)}\n`);
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new TargetError(TYPE, `${path} cannot be read (${(error as NodeJS.ErrnoException).code})`, { cause: error });
  }
}

async function restoreFile(path: string, text: string | undefined): Promise<void> {
  if (text === undefined) await rm(path, { force: true }).catch(() => {});
  else await writeFileAtomic(path, text).catch(() => {});
}

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

/** True when a model directory holds nothing but our marker (when `marker`) and lock files. */
async function onlyMarker(modelDir: string, marker = true): Promise<boolean> {
  const entries = await readdir(modelDir).catch(() => undefined);
  if (!entries) return false;
  return entries.every((e) => (marker && e === MARKER_FILE) || e.startsWith(LOCK_FILE));
}
