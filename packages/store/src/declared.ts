import { resolve } from "node:path";
import { type ArtifactConfig, InputError } from "@llmops/core";
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
  const results: VersionResult[] = [];
  for (const name of dependencyOrder(options.artifacts, only)) {
    const artifact = options.artifacts[name]!;
    results.push(
      await store.version({
        ...options.common,
        path: resolve(options.configDir, artifact.path),
        name,
        kind: artifact.kind,
        parents: artifact.parents,
        aliases: artifact.aliases,
        params: artifact.params,
        labels: artifact.labels,
        reuseUnchanged: true,
      }),
    );
  }
  return results;
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
