import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { InputError, type Logger, OCI_REPOSITORY_PATTERN } from "@llmops/core";
import { chooseStore, GHCR_HOST, refuseCredentialsInSpec } from "./choose-store.ts";
import { InsecureGhcrError } from "./errors.ts";
import { LayoutTransport } from "./layout.ts";
import { type RegistryAuth, RegistryTransport } from "./registry.ts";
import { Store } from "./store.ts";

export { type DeclaredArtifact, dependencyOrder, type VersionDeclaredOptions, versionDeclared } from "./declared.ts";
export {
  AliasConflictError,
  ArtifactPathError,
  DestinationNotEmptyError,
  InsecureGhcrError,
  StoreCredentialsInUrlError,
} from "./errors.ts";
export { hashFile, listFiles, StatCache } from "./files.ts";
export { BlobIntegrityError, InvalidManifestError, ManifestTooLargeError, TreeSwapError } from "./integrity-errors.ts";
export { LayoutTransport } from "./layout.ts";
export { acquireLock, type LockOptions, type LockOwner, LockTimeoutError } from "./lock.ts";
export * from "./media.ts";
export * from "./metadata.ts";
export { PACK_MEDIA_TYPE } from "./packs/build.ts";
export type { ListedFile } from "./packs/fetch.ts";
export { FILE_INDEX_MEDIA_TYPE, FileIndexError } from "./packs/file-index.ts";
export {
  compileGlob,
  type Glob,
  type IncludeFilter,
  IncludePatternError,
  includeFilter,
  includeMatcher,
  UnmatchedIncludeError,
} from "./packs/glob.ts";
export { DEFAULT_PACKING, type PackingOptions } from "./packs/plan.ts";
export { parseRef } from "./refs.ts";
export { nextLink, parseChallenge, type RegistryAuth, RegistryTransport } from "./registry.ts";
export { isDigest } from "./schema.ts";
export * from "./store.ts";
export type { StoredManifest, Transport } from "./transport.ts";
export { isMountPoint, type MountProbe } from "./tree.ts";

export interface OpenStoreOptions {
  logger: Logger;
  auth?: RegistryAuth;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Where the stat cache lives; default `$LLMOPS_CACHE_DIR`, `$XDG_CACHE_HOME/llmops` or `~/.cache/llmops`. */
  cacheDir?: string;
  concurrency?: number;
  retries?: number;
  retryDelayMs?: number;
  chunkSize?: number;
  pageSize?: number;
}

/**
 * `dir` → OCI image layout; `oci://host[:port]/prefix` → registry (http for 127.0.0.1, localhost
 * and hosts listed in LLMOPS_INSECURE_REGISTRY, https otherwise). Artifact `name` maps to
 * repository `<prefix>/<name>`.
 */
export function openStore(spec: string, options: OpenStoreOptions): Store {
  const env = options.env ?? process.env;
  const cacheDir = options.cacheDir ?? env.LLMOPS_CACHE_DIR ?? join(env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "llmops");
  const statCachePath = join(cacheDir, "stat-cache.json");
  refuseCredentialsInSpec(spec);
  if (!spec) throw new InputError("store: expected a directory path or oci://host[:port]/prefix");
  if (spec.startsWith("oci://")) {
    const rest = spec.slice("oci://".length);
    const slash = rest.indexOf("/");
    const host = slash < 0 ? rest : rest.slice(0, slash);
    const prefix = slash < 0 ? "" : rest.slice(slash + 1).replace(/\/+$/, "");
    if (!/^[a-zA-Z0-9.-]+(:\d+)?$|^\[[0-9a-fA-F:]+\](:\d+)?$/.test(host))
      throw new InputError(`store ${spec}: expected oci://host[:port]/prefix`);
    if (prefix && !OCI_REPOSITORY_PATTERN.test(prefix)) {
      throw new InputError(`store ${spec}: prefix "${prefix}" is not an OCI repository path (lowercase letters, digits, . _ - /)`);
    }
    const transport = new RegistryTransport({
      host,
      secure: !insecureHost(host, env),
      auth: options.auth,
      logger: options.logger,
      retries: options.retries,
      retryDelayMs: options.retryDelayMs,
      chunkSize: options.chunkSize,
      pageSize: options.pageSize,
    });
    return new Store(transport, { logger: options.logger, prefix, statCachePath, concurrency: options.concurrency, cwd: options.cwd });
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(spec)) throw new InputError(`store ${spec}: expected a directory path or oci://host[:port]/prefix`);
  const root = resolve(options.cwd ?? process.cwd(), spec);
  return new Store(new LayoutTransport(root), {
    logger: options.logger,
    statCachePath,
    concurrency: options.concurrency,
    cwd: options.cwd,
  });
}

/**
 * Plain http for loopback hosts and hosts LLMOPS_INSECURE_REGISTRY lists (host names compared
 * case-insensitively). GHCR is never one: it serves https only and gets the job's token, so a
 * listing of it can only be a mistake or an injected variable, and is refused before anything is sent.
 */
function insecureHost(host: string, env: NodeJS.ProcessEnv): boolean {
  const lower = host.toLowerCase();
  const bare = lower.replace(/:\d+$/, "");
  if (bare === "127.0.0.1" || bare === "localhost" || bare === "[::1]") return true;
  const listed = (env.LLMOPS_INSECURE_REGISTRY ?? "")
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((h) => h.toLowerCase());
  const insecure = listed.includes(lower) || listed.includes(bare);
  if (insecure && bare.replace(/\.$/, "") === GHCR_HOST) {
    throw new InsecureGhcrError(
      `LLMOPS_INSECURE_REGISTRY: lists ${GHCR_HOST}, which is reached over https only (it is sent the job's GITHUB_TOKEN); expected only registries you run over plain http, remove ${GHCR_HOST}`,
    );
  }
  return insecure;
}

/**
 * Registry credentials for `spec` from the environment alone, in {@link chooseStore}'s order
 * (LLMOPS_REGISTRY_USERNAME/PASSWORD, LLMOPS_REGISTRY_TOKEN, then GITHUB_TOKEN for ghcr.io only).
 * @deprecated Use {@link chooseStore}, which also picks the store and takes explicit credentials.
 */
export function registryAuthFromEnv(spec: string, env: NodeJS.ProcessEnv = process.env): RegistryAuth | undefined {
  return chooseStore({ input: spec, env }).auth;
}

export {
  type AuthSource,
  type ChooseStoreOptions,
  chooseStore,
  DEFAULT_STORE,
  describeStoreChoice,
  GHCR_HOST,
  ghcrHostFromEnv,
  ghcrStoreSpec,
  isGhcrSpec,
  onGitHubActions,
  refuseCredentialsInSpec,
  type StoreChoice,
  type StoreCredentials,
  type StoreSource,
  TEST_GHCR_HOST_ENV,
} from "./choose-store.ts";
export {
  type ChooseConfiguredStoreOptions,
  chooseConfiguredStore,
  configuredStore,
  openChosenStore,
  provenanceFromEnv,
} from "./spec.ts";
export type { Store };
