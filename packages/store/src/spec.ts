import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { ConfigError, DEFAULT_CONFIG_FILE, type Logger, readLocatedYaml, runUrlFromEnv } from "@llmops/core";
import { type ChooseStoreOptions, chooseStore, type StoreChoice } from "./choose-store.ts";
import { type OpenStoreOptions, openStore } from "./index.ts";
import type { Store } from "./store.ts";

/** `store:` of the config file (relative to `cwd`), if the file exists and sets it. */
export async function configuredStore(cwd: string, configFile = DEFAULT_CONFIG_FILE): Promise<string | undefined> {
  const file = resolve(cwd, configFile);
  if (!existsSync(file)) return undefined;
  const doc = await readLocatedYaml(file);
  const store = (doc.value as { store?: unknown } | null)?.store;
  if (store === undefined) return undefined;
  if (typeof store !== "string" || !store)
    throw new ConfigError("expected a store: a directory path or oci://host/prefix", "store", doc.locate(["store"]));
  return store;
}

export interface ChooseConfiguredStoreOptions extends Omit<ChooseStoreOptions, "config"> {
  cwd: string;
  /** The llmops.yaml whose `store:` is the fallback, relative to `cwd`; default `llmops.yaml`. */
  configFile?: string | undefined;
}

/** {@link chooseStore} with the `store:` of the config file read from disk. */
export async function chooseConfiguredStore(options: ChooseConfiguredStoreOptions): Promise<StoreChoice> {
  const { cwd, configFile, ...rest } = options;
  // The config is read only when it can matter: an explicit store wins without it.
  const config = options.input ? undefined : await configuredStore(cwd, configFile);
  return chooseStore({ ...rest, config });
}

/** Opens the store {@link chooseConfiguredStore} picks, with the credentials it picked. */
export async function openChosenStore(
  options: ChooseConfiguredStoreOptions & { logger: Logger; extra?: Partial<OpenStoreOptions> },
): Promise<{ store: Store; choice: StoreChoice }> {
  const { logger, extra, ...choose } = options;
  const choice = await chooseConfiguredStore(choose);
  const store = openStore(choice.spec, { logger, cwd: options.cwd, env: options.env, auth: choice.auth, ...extra });
  return { store, choice };
}

/** Provenance a CI run can vouch for: commit, ref, run URL and actor, from the standard GitHub Actions variables. */
export function provenanceFromEnv(env: NodeJS.ProcessEnv): { git?: { commit?: string; ref?: string }; runUrl?: string; actor?: string } {
  const out: { git?: { commit?: string; ref?: string }; runUrl?: string; actor?: string } = {};
  if (env.GITHUB_SHA || env.GITHUB_REF) out.git = { commit: env.GITHUB_SHA, ref: env.GITHUB_REF };
  const runUrl = runUrlFromEnv(env);
  if (runUrl) out.runUrl = runUrl;
  const actor = env.GITHUB_ACTOR ?? env.USER;
  if (actor) out.actor = actor;
  return out;
}
