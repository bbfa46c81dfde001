import { type ArtifactConfig, InputError, resolveInside } from "@llmops/core";
import { ArtifactPathError } from "./errors.ts";
import { parseRef } from "./refs.ts";
import type { Store, VersionOptions, VersionResult } from "./store.ts";

export interface VersionDeclaredOptions {
  /** `artifacts:` of llmops.yaml. */
  artifacts: Record<string, ArtifactConfig>;
  /** Directory of llmops.yaml: artifact paths are relative to it. */
  configDir: string;
  /** Only these artifacts (default: every declared one). */
  only?: string[];
  /** Provenance and progress, passed to every version. */
  common?: Pick<VersionOptions, "git" | "runUrl" | "actor" | "created" | "onProgress">;
  /**
   * Runs once every name and path is known to be valid and before the first artifact is stored,
   * with the artifacts in the order they will be versioned: a gate (dataset checks) that throws
   * here stores nothing. A path may not exist yet; `version` reports that afterwards.
   */
  beforeVersioning?: (plan: DeclaredArtifact[]) => Promise<void>;
}

/** One declared artifact as versionDeclared is about to version it. */
export interface DeclaredArtifact {
  name: string;
  artifact: ArtifactConfig;
  /** Absolute, checked to lie inside the directory of llmops.yaml. */
  path: string;
}

/**
 * Versions declared artifacts in dependency order: an artifact whose parent names another declared
 * artifact comes after it, so `parents: [acme/reviews:latest]` refers to the version just made.
 * Unchanged artifacts keep their latest version (`reuseUnchanged`), so running this on every push
 * adds versions only for what changed.
 */
export async function versionDeclared(store: Store, options: VersionDeclaredOptions): Promise<VersionResult[]> {
  const declared = Object.keys(options.artifacts);
  if (declared.length === 0)
    throw new InputError("llmops.yaml declares no artifacts: give a path and --name, or add an artifacts: section");
  const only = options.only?.length ? options.only : declared;
  for (const name of only) {
    if (!options.artifacts[name])
      throw new InputError(`artifact "${name}": not declared in llmops.yaml (declared: ${declared.join(", ")})`);
  }
  const order = dependencyOrder(options.artifacts, only);
  // Every path is checked before the first artifact is versioned.
  const paths = new Map<string, string>();
  for (const name of order) paths.set(name, await artifactPath(name, options.artifacts[name]!.path, options.configDir));
  await options.beforeVersioning?.(order.map((name) => ({ name, artifact: options.artifacts[name]!, path: paths.get(name)! })));
  const results: VersionResult[] = [];
  for (const name of order) {
    const artifact = options.artifacts[name]!;
    results.push(
      await store.version({
        ...options.common,
        path: paths.get(name)!,
        name,
        kind: artifact.kind,
        parents: artifact.parents,
        aliases: artifact.aliases,
        params: artifact.params,
        labels: artifact.labels,
        ...(artifact.packing ? { packing: artifact.packing } : {}),
        reuseUnchanged: true,
      }),
    );
  }
  return results;
}

/**
 * The absolute path of a declared artifact, which must lie inside the config file's directory
 * (core's resolveInside: llmops.yaml can come from a pull request); a missing path is left to
 * `version`, which reports it.
 */
export async function artifactPath(name: string, path: string, configDir: string): Promise<string> {
  try {
    return await resolveInside(path, configDir, `artifact "${name}": path`);
  } catch (error) {
    if (error instanceof InputError) throw new ArtifactPathError(name, error.message);
    throw error;
  }
}

/** `only` sorted so that declared parents come first; a cycle among declared artifacts is an error even outside `only`. */
export function dependencyOrder(artifacts: Record<string, ArtifactConfig>, only: string[]): string[] {
  const wanted = new Set(only);
  const order: string[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (name: string, path: string[]) => {
    if (state.get(name) === "done") return;
    if (state.get(name) === "visiting") throw new InputError(`artifacts: parents form a cycle (${[...path, name].join(" → ")})`);
    state.set(name, "visiting");
    for (const parent of artifacts[name]?.parents ?? []) {
      const parentName = parseRef(parent).name;
      if (parentName !== name && artifacts[parentName]) visit(parentName, [...path, name]);
    }
    state.set(name, "done");
    if (wanted.has(name)) order.push(name);
  };
  for (const name of only) visit(name, []);
  return order;
}
