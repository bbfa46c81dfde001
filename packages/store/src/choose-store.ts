/**
 * The one place that decides which store a command or action uses and which credentials it sends.
 *
 * Store: the `store` input or `--store` flag > `store:` of llmops.yaml > in GitHub Actions
 * (GITHUB_ACTIONS=true and GITHUB_REPOSITORY set) GHCR under the repository, lower-cased >
 * the local layout `.llmops/store`.
 *
 * Credentials, for `oci://` stores only: explicit `store-username`/`store-password` (inputs or flags)
 * > LLMOPS_REGISTRY_USERNAME/LLMOPS_REGISTRY_PASSWORD or LLMOPS_REGISTRY_TOKEN > the job's
 * GITHUB_TOKEN, for the GHCR host only. The job's token never reaches another registry, wherever it
 * was given: an action's `store-password` defaults to it, so a value that is the job's token ranks
 * last and goes to GHCR only.
 */
import { InputError } from "@llmops/core";
import { StoreCredentialsInUrlError } from "./errors.ts";
import type { RegistryAuth } from "./registry.ts";

/** The embedded default store, a layout directory relative to the working directory. */
export const DEFAULT_STORE = ".llmops/store";

/** The registry GitHub Actions jobs reach with their own token. */
export const GHCR_HOST = "ghcr.io";

/**
 * Names a loopback registry that stands in for ghcr.io in tests (see {@link ghcrHostFromEnv}). Only
 * loopback hosts are accepted, so the job's token can never be sent off the machine through it.
 */
export const TEST_GHCR_HOST_ENV = "LLMOPS_TEST_GHCR_HOST";

/** Where the store spec came from. */
export type StoreSource = "input" | "config" | "ghcr" | "default";

/**
 * Where the credentials came from: `input` (store-username/store-password, or the flags), `env`
 * (LLMOPS_REGISTRY_*), `github-token` (the job's GITHUB_TOKEN, GHCR only), `none` (anonymous, or a
 * layout directory).
 */
export type AuthSource = "input" | "env" | "github-token" | "none";

export interface StoreCredentials {
  username?: string | undefined;
  password?: string | undefined;
}

export interface ChooseStoreOptions {
  /** The `store` input or `--store` flag; empty or undefined when not given. */
  input?: string | undefined;
  /** `store:` of llmops.yaml, when it sets one (see `configuredStore`). */
  config?: string | undefined;
  env: NodeJS.ProcessEnv;
  /**
   * Whether the GHCR default applies. Default: running in GitHub Actions (GITHUB_ACTIONS=true and
   * GITHUB_REPOSITORY set). Without GITHUB_REPOSITORY there is no GHCR default either way.
   */
  onGitHub?: boolean | undefined;
  /** Explicit credentials: the `store-username`/`store-password` inputs or flags. */
  credentials?: StoreCredentials | undefined;
  /** The host standing for ghcr.io (default: {@link ghcrHostFromEnv} of `env`, i.e. `ghcr.io` outside tests). */
  ghcrHost?: string | undefined;
}

export interface StoreChoice {
  /** A layout directory or `oci://host[:port]/prefix`; never holds credentials. */
  spec: string;
  auth: RegistryAuth | undefined;
  source: StoreSource;
  authSource: AuthSource;
}

/** `oci://<ghcrHost>/<owner>/<repo>`, lower-cased as GHCR requires. */
export function ghcrStoreSpec(repository: string, ghcrHost: string = GHCR_HOST): string {
  return `oci://${ghcrHost.toLowerCase()}/${repository.toLowerCase()}`;
}

/** True in a GitHub Actions job that names its repository. */
export function onGitHubActions(env: NodeJS.ProcessEnv): boolean {
  return env.GITHUB_ACTIONS === "true" && Boolean(env.GITHUB_REPOSITORY);
}

/**
 * Refuses a store URL with `user[:password]@` before its host (`oci://bob:hunter2@host/prefix`),
 * naming the store without them: such a URL ends up in logs, messages and job summaries, and the
 * credentials have their own inputs. A directory path (no `scheme://`) may hold an `@`.
 */
export function refuseCredentialsInSpec(spec: string): void {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(spec);
  if (!scheme) return;
  const rest = spec.slice(scheme[0].length);
  // The last `@`: a password may hold `@` or `/` (unescaped), and neither belongs in a host or an OCI repository path.
  const at = rest.lastIndexOf("@");
  if (at < 0) return;
  throw new StoreCredentialsInUrlError(
    `store ${scheme[0]}${rest.slice(at + 1)}: expected no credentials in the URL (user:password@ before the host); put them in store-username/store-password (--store-username/--store-password) or LLMOPS_REGISTRY_USERNAME/LLMOPS_REGISTRY_PASSWORD or LLMOPS_REGISTRY_TOKEN`,
  );
}

/** The store to use and the credentials to send to it. Pure: reads nothing but its options. */
export function chooseStore(options: ChooseStoreOptions): StoreChoice {
  const { env } = options;
  const ghcrHost = options.ghcrHost || ghcrHostFromEnv(env);
  // Both candidates, before either is used or logged: a URL with a password in llmops.yaml is refused even when an input overrides it.
  for (const candidate of [options.input, options.config]) if (candidate) refuseCredentialsInSpec(candidate);
  const onGitHub = options.onGitHub ?? onGitHubActions(env);
  let spec: string;
  let source: StoreSource;
  if (options.input) [spec, source] = [options.input, "input"];
  else if (options.config) [spec, source] = [options.config, "config"];
  else if (onGitHub && env.GITHUB_REPOSITORY) [spec, source] = [ghcrStoreSpec(env.GITHUB_REPOSITORY, ghcrHost), "ghcr"];
  else [spec, source] = [DEFAULT_STORE, "default"];
  const { auth, authSource } = chooseCredentials(spec, env, options.credentials, ghcrHost);
  return { spec, auth, source, authSource };
}

/** True when `spec` is a registry store on `ghcrHost` (the host compared whole, case-insensitively). */
export function isGhcrSpec(spec: string, ghcrHost: string = GHCR_HOST): boolean {
  if (!spec.startsWith("oci://")) return false;
  const rest = spec.slice("oci://".length);
  const slash = rest.indexOf("/");
  const host = slash < 0 ? rest : rest.slice(0, slash);
  return host.toLowerCase() === ghcrHost.toLowerCase();
}

/**
 * The job's own GITHUB_TOKEN: the value the environment holds, or an installation token (GitHub
 * prefixes those `ghs_`), which is what `${{ github.token }}` gives an action's input.
 */
function isJobToken(value: string, env: NodeJS.ProcessEnv): boolean {
  return value === env.GITHUB_TOKEN || value.startsWith("ghs_");
}

function chooseCredentials(
  spec: string,
  env: NodeJS.ProcessEnv,
  explicit: StoreCredentials | undefined,
  ghcrHost: string,
): { auth: RegistryAuth | undefined; authSource: AuthSource } {
  if (!spec.startsWith("oci://")) return { auth: undefined, authSource: "none" };
  const ghcr = isGhcrSpec(spec, ghcrHost);
  // The job's token is usable for GHCR only, wherever it was given.
  const usable = (secret: string | undefined): secret is string => Boolean(secret) && (ghcr || !isJobToken(secret!, env));
  const username = explicit?.username || undefined;
  const password = explicit?.password || undefined;
  if (password && !isJobToken(password, env)) {
    return { auth: username ? { username, password } : { token: password }, authSource: "input" };
  }
  if (env.LLMOPS_REGISTRY_USERNAME && usable(env.LLMOPS_REGISTRY_PASSWORD)) {
    return { auth: { username: env.LLMOPS_REGISTRY_USERNAME, password: env.LLMOPS_REGISTRY_PASSWORD }, authSource: "env" };
  }
  if (usable(env.LLMOPS_REGISTRY_TOKEN)) {
    const auth: RegistryAuth = env.LLMOPS_REGISTRY_USERNAME
      ? { token: env.LLMOPS_REGISTRY_TOKEN, username: env.LLMOPS_REGISTRY_USERNAME }
      : { token: env.LLMOPS_REGISTRY_TOKEN };
    return { auth, authSource: "env" };
  }
  if (ghcr) {
    const token = password || env.GITHUB_TOKEN;
    if (token) return { auth: { token, username: username || env.GITHUB_ACTOR || "github-actions" }, authSource: "github-token" };
  }
  return { auth: undefined, authSource: "none" };
}

const CREDENTIALS: Record<AuthSource, string> = {
  input: "credentials from store-username/store-password",
  env: "credentials from LLMOPS_REGISTRY_*",
  "github-token": "the job's GITHUB_TOKEN",
  none: "no credentials",
};

const SOURCES: Record<StoreSource, string> = {
  input: "given",
  config: "llmops.yaml store:",
  ghcr: "GHCR of the repository, the default in GitHub Actions",
  default: "the default",
};

/** One log line naming the store, where it came from and where its credentials came from; never a secret. */
export function describeStoreChoice(choice: StoreChoice): string {
  const credentials = choice.spec.startsWith("oci://") ? `, ${CREDENTIALS[choice.authSource]}` : "";
  return `store ${choice.spec} (${SOURCES[choice.source]}${credentials})`;
}

/**
 * The GHCR host: `ghcr.io`, or for tests the loopback registry `LLMOPS_TEST_GHCR_HOST` names
 * (`127.0.0.1:5000`, `localhost:5000`, `[::1]:5000`). Anything else there is an error rather than
 * a silent fallback, and it can never point the job's token at another machine: a loopback server
 * runs on the runner itself, beside the job that holds the token.
 */
export function ghcrHostFromEnv(env: NodeJS.ProcessEnv): string {
  const value = env[TEST_GHCR_HOST_ENV];
  if (!value) return GHCR_HOST;
  if (!/^(127\.0\.0\.1|localhost|\[::1\]):\d{1,5}$/.test(value)) {
    throw new InputError(`${TEST_GHCR_HOST_ENV}=${value}: for tests only; expected a loopback registry such as 127.0.0.1:5000`);
  }
  return value;
}
