import { existsSync } from "node:fs";
import { join } from "node:path";
import { ConfigError, type Logger, readLocatedYaml } from "@llmops/core";
import { DEFAULT_STORE, type OpenStoreOptions, openStore, registryAuthFromEnv } from "./index.ts";
import type { Store } from "./store.ts";

/** The store to use: the explicit spec, else `store:` of `llmops.yaml` in cwd, else `.llmops/store`. */
export async function resolveStoreSpec(explicit: string | undefined, cwd: string, configFile = "llmops.yaml"): Promise<string> {
  return explicit || (await configuredStore(cwd, configFile)) || DEFAULT_STORE;
}

/** `store:` of the config file, if the file exists and sets it. */
export async function configuredStore(cwd: string, configFile = "llmops.yaml"): Promise<string | undefined> {
  const file = join(cwd, configFile);
  if (!existsSync(file)) return undefined;
  const doc = await readLocatedYaml(file);
  const store = (doc.value as { store?: unknown } | null)?.store;
  if (store === undefined) return undefined;
  if (typeof store !== "string" || !store)
    throw new ConfigError("expected a store: a directory path or oci://host/prefix", "store", doc.locate(["store"]));
  return store;
}

/** Opens the store named by flag/config/default with credentials from the environment. */
export async function openConfiguredStore(options: {
  store?: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  extra?: Partial<OpenStoreOptions>;
}): Promise<Store> {
  const spec = await resolveStoreSpec(options.store, options.cwd);
  return openStore(spec, {
    logger: options.logger,
    cwd: options.cwd,
    env: options.env,
    auth: registryAuthFromEnv(spec, options.env),
    ...options.extra,
  });
}

/** Provenance a CI run can vouch for: commit, ref, run URL and actor, from the standard GitHub Actions variables. */
export function provenanceFromEnv(env: NodeJS.ProcessEnv): { git?: { commit?: string; ref?: string }; runUrl?: string; actor?: string } {
  const out: { git?: { commit?: string; ref?: string }; runUrl?: string; actor?: string } = {};
  if (env.GITHUB_SHA || env.GITHUB_REF) out.git = { commit: env.GITHUB_SHA, ref: env.GITHUB_REF };
  if (env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID) {
    out.runUrl = `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`;
  }
  const actor = env.GITHUB_ACTOR ?? env.USER;
  if (actor) out.actor = actor;
  return out;
}
