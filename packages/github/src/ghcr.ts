import { setSecret } from "@actions/core";
import type { Logger } from "@llmops/core";
import { configuredStore, openStore } from "@llmops/store";

/** Registry credentials in the shape `@llmops/store` takes. */
export type StoreAuth = { username: string; password: string } | { token: string; username?: string };

/** `oci://ghcr.io/<owner>/<repo>`, lower-cased as GHCR requires. */
export function ghcrStoreSpec(repository: string): string {
  return `oci://ghcr.io/${repository.toLowerCase()}`;
}

export interface ActionStoreChoice {
  spec: string;
  auth: StoreAuth | undefined;
  /** Where the spec came from, for the log. */
  source: "input" | "config" | "ghcr" | "default";
}

/**
 * The store an action uses: its `store` input, else `store:` of llmops.yaml, else — in GitHub
 * Actions — GHCR under the repository with the job's token (needs `permissions: packages: write`
 * to push, `packages: read` to fetch), else the local layout `.llmops/store`.
 * Credentials: `username` + `token` inputs for any registry, except that the job's GITHUB_TOKEN
 * goes to ghcr.io only; the token alone for ghcr.io; else LLMOPS_REGISTRY_USERNAME/PASSWORD or
 * LLMOPS_REGISTRY_TOKEN from the environment.
 */
export function chooseActionStore(options: {
  input?: string;
  configured?: string;
  token?: string;
  username?: string;
  env: NodeJS.ProcessEnv;
}): ActionStoreChoice {
  const { env } = options;
  let spec: string;
  let source: ActionStoreChoice["source"];
  if (options.input) [spec, source] = [options.input, "input"];
  else if (options.configured) [spec, source] = [options.configured, "config"];
  else if (env.GITHUB_ACTIONS === "true" && env.GITHUB_REPOSITORY) [spec, source] = [ghcrStoreSpec(env.GITHUB_REPOSITORY), "ghcr"];
  else [spec, source] = [".llmops/store", "default"];
  return { spec, auth: storeAuth(spec, options), source };
}

/**
 * The job's GITHUB_TOKEN: the `token` input's default, or the token the environment holds. It is an
 * installation token, which GitHub prefixes `ghs_`, so a copy the environment does not name is known too.
 */
function isJobToken(token: string, env: NodeJS.ProcessEnv): boolean {
  return token === env.GITHUB_TOKEN || token.startsWith("ghs_");
}

function storeAuth(spec: string, options: { token?: string; username?: string; env: NodeJS.ProcessEnv }): StoreAuth | undefined {
  if (!spec.startsWith("oci://")) return undefined;
  const { env } = options;
  const ghcr = /^oci:\/\/ghcr\.io(\/|$)/.test(spec);
  // The `token` input defaults to the job token: with only a username set, it must not become another registry's password.
  if (options.username && options.token && (ghcr || !isJobToken(options.token, env))) {
    return { username: options.username, password: options.token };
  }
  if (ghcr) {
    const token = options.token || env.GITHUB_TOKEN;
    if (token) return { token, username: env.GITHUB_ACTOR || "github-actions" };
  }
  if (env.LLMOPS_REGISTRY_USERNAME && env.LLMOPS_REGISTRY_PASSWORD)
    return { username: env.LLMOPS_REGISTRY_USERNAME, password: env.LLMOPS_REGISTRY_PASSWORD };
  if (env.LLMOPS_REGISTRY_TOKEN) return { token: env.LLMOPS_REGISTRY_TOKEN, username: env.LLMOPS_REGISTRY_USERNAME };
  return undefined;
}

/**
 * Opens the store an action chose from its `store`, `token` and `username` inputs (see
 * {@link chooseActionStore}), with the llmops.yaml of `cwd` as the fallback, after masking the
 * credentials so no log line can show them.
 */
export async function openActionStore(
  inputs: { store: string; token: string; username: string },
  options: { cwd: string; logger: Logger; env: NodeJS.ProcessEnv },
): Promise<{ store: ReturnType<typeof openStore>; spec: string }> {
  const { cwd, logger } = options;
  const choice = chooseActionStore({
    input: inputs.store,
    configured: await configuredStore(cwd),
    token: inputs.token,
    username: inputs.username,
    env: options.env,
  });
  if (choice.auth && "token" in choice.auth) setSecret(choice.auth.token);
  if (choice.auth && "password" in choice.auth) setSecret(choice.auth.password);
  return { store: openStore(choice.spec, { logger, cwd, auth: choice.auth }), spec: choice.spec };
}
