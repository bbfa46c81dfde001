import { accessSync, constants, existsSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "./paths.ts";

let cached: string | undefined;

/** The workspace's Node 24 (the root devDependency `node`), the version action.yml's `node24` names. */
export function node24(): string {
  if (cached) return cached;
  const candidates = [join(repoRoot, "node_modules", "node", "bin", "node"), join(repoRoot, "node_modules", ".bin", "node")];
  for (const candidate of candidates) {
    try {
      if (!existsSync(candidate)) continue;
      accessSync(candidate, constants.X_OK);
      cached = candidate;
      return candidate;
    } catch {}
  }
  if (process.versions.node.startsWith("24.")) {
    cached = process.execPath;
    return cached;
  }
  throw new Error(`no Node 24 found (looked for ${candidates.join(", ")}); run the workspace install`);
}
