import { isAbsolute, join, relative } from "node:path";
import { InputError } from "@llmops/core";

/**
 * Result directories are named after suite variants (`suite/provider/p1`), and a merge names them
 * after the suite a shard's summary claims. Both are text from configs and files we did not
 * write, so every path derived from them goes through here.
 */

/** One directory name from any text: no separators, never `.` or `..`, never empty. */
export function safePathSegment(text: string): string {
  const replaced = text.replace(/[^A-Za-z0-9._-]/g, "_");
  return /^\.*$/.test(replaced) ? "_".repeat(Math.max(1, replaced.length)) : replaced;
}

/** Directory-safe relative path of a variant name (`suite/openai:gpt-4o` → `suite/openai_gpt-4o`), one level per `/`. */
export function outputDirName(name: string): string {
  return name.split("/").map(safePathSegment).join("/");
}

/** The output directory of a variant below `root`, which it can never leave. */
export function outputDirFor(root: string, name: string): string {
  const dir = join(root, outputDirName(name));
  const below = relative(root, dir);
  // Unreachable with safe segments; kept so a future change to them cannot write outside `root`.
  if (below === "" || below.startsWith("..") || isAbsolute(below)) {
    throw new InputError(`suite "${name}": cannot derive an output directory inside ${root}`);
  }
  return dir;
}
