import { realpath } from "node:fs/promises";
import { dirname, isAbsolute, relative, resolve, sep } from "node:path";
import { InputError } from "./errors.ts";

/** Whether the absolute path `inner` is `outer` itself or below it (a name such as `..x` stays inside). */
export function isInside(inner: string, outer: string): boolean {
  const rel = relative(outer, inner);
  return rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

/**
 * A path that llmops.yaml names (an artifact's `path`, a check's `against` directory or JSON
 * Schema file), resolved against `base` (the config file's directory) and refused unless it stays
 * inside it: the file arrives with the repository, and a pull request can change it, so `/etc`,
 * `../..` or a symbolic link out of the checkout must not make a run read files from elsewhere on
 * the machine. Checked on the real path (symbolic links resolved) when it exists; a missing path
 * is returned for the caller to report. `what` names it in the error: `artifact "x": path`.
 */
export async function resolveInside(path: string, base: string, what: string): Promise<string> {
  if (isAbsolute(path) || /^[a-zA-Z]:[\\/]|^[\\/]/.test(path)) {
    throw new InputError(`${what} "${path}" is absolute; expected a path relative to the directory of llmops.yaml`);
  }
  const root = resolve(base);
  const target = resolve(root, path);
  if (!isInside(target, root)) {
    throw new InputError(`${what} "${path}" leads outside ${root}; expected a path inside the directory of llmops.yaml`);
  }
  // A missing path is checked through its deepest existing ancestor: `link/missing.json` under a
  // link out of the checkout is refused like `link/present.json`, so existence outside cannot be probed.
  let existing = target;
  let real: string | undefined;
  for (;;) {
    real = await realpath(existing).catch(() => undefined);
    if (real !== undefined || existing === root || dirname(existing) === existing) break;
    existing = dirname(existing);
  }
  if (real === undefined) return target;
  const realRoot = await realpath(root).catch(() => root);
  if (!isInside(real, realRoot)) {
    throw new InputError(
      `${what} "${path}" leads outside ${realRoot} through a symbolic link; expected a path inside the directory of llmops.yaml (no symbolic links out of it)`,
    );
  }
  return target;
}
