import { type EnvironmentConfig, environmentArtifact, InputError, type LlmopsConfig, UsageError } from "@llmops/core";
import { parseRef, type Store } from "@llmops/store";

/** An environment of `llmops.yaml` with its defaults filled in. */
export interface ResolvedEnvironment {
  name: string;
  config: EnvironmentConfig;
  /** The model it serves: `artifact`, else the only model in `artifacts:`, else the promoted ref's name. */
  artifact: string;
  /** The alias a promotion moves (default the environment's name). */
  alias: string;
  /** GitHub's `production_environment`: `production`, else true for an environment named production. */
  production: boolean;
}

/** The environment's config, or a UsageError naming the environments the file has. */
export function environmentConfig(config: LlmopsConfig, name: string): EnvironmentConfig {
  const found = Object.hasOwn(config.environments, name) ? config.environments[name] : undefined;
  if (found) return found;
  const known = Object.keys(config.environments);
  throw new UsageError(
    known.length > 0
      ? `unknown environment "${name}"; llmops.yaml has ${known.join(", ")}`
      : `unknown environment "${name}"; llmops.yaml has no environments: section`,
  );
}

/**
 * Resolves environment `name`. With `ref`, the ref's artifact must be the one the environment
 * serves (an InputError otherwise); without one, the artifact must follow from the config.
 */
export function resolveEnvironment(config: LlmopsConfig, name: string, ref?: string): ResolvedEnvironment {
  const env = environmentConfig(config, name);
  const configured = environmentArtifact(config, name);
  const refName = ref !== undefined ? parseRef(ref).name : undefined;
  if (configured !== undefined && refName !== undefined && refName !== configured) {
    throw new InputError(`ref ${ref}: is artifact ${refName}, but environment ${name} serves ${configured}`);
  }
  const artifact = configured ?? refName;
  if (artifact === undefined) {
    throw new UsageError(
      `environment ${name}: cannot tell which artifact it serves; set environments.${name}.artifact (or declare exactly one model in artifacts:)`,
    );
  }
  return {
    name,
    config: env,
    artifact,
    alias: env.alias ?? name,
    production: env.production ?? name === "production",
  };
}

/** The digest `name:alias` points at now, or null when the alias does not exist. */
export async function currentAlias(store: Store, name: string, alias: string): Promise<string | null> {
  const tags = await store.transport.listTags(store.repo(name));
  if (!tags.includes(alias)) return null;
  return (await store.resolve(`${name}:${alias}`)).digest;
}

/** `v3 (sha256:abcdef012345…)` or the short digest alone. */
export function describeVersion(version: { digest: string; version?: string | undefined }): string {
  return version.version ? `${version.version} (${shortDigest(version.digest)})` : shortDigest(version.digest);
}

/** `sha256:abcdef012345…` */
export function shortDigest(digest: string): string {
  return digest.length > 19 ? `${digest.slice(0, 19)}…` : digest;
}
