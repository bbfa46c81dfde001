import { randomBytes } from "node:crypto";
import type { Stats } from "node:fs";
import { chmod, chown, lstat, mkdir, open, readdir, readFile, rename, rm, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { TreeSwapError } from "./integrity-errors.ts";

export interface MountProbe {
  stat(path: string): Promise<{ dev: number | bigint }>;
  /** The text of /proc/self/mountinfo, or undefined where there is none. */
  mountinfo(): Promise<string | undefined>;
}

const systemProbe: MountProbe = {
  stat: (path) => stat(path),
  mountinfo: () => readFile("/proc/self/mountinfo", "utf8").catch(() => undefined),
};

/**
 * Whether `dir` (a real path, no symbolic links) is a mount point: `/`, on another device than
 * its parent, or listed in /proc/self/mountinfo, which also catches bind mounts of the parent's
 * own device. A mount point cannot be renamed away, and staging beside it would be on another
 * filesystem, so a fetch into one stages and swaps inside it.
 */
export async function isMountPoint(dir: string, probe: MountProbe = systemProbe): Promise<boolean> {
  const parent = dirname(dir);
  if (parent === dir) return true;
  const [own, up] = await Promise.all([probe.stat(dir), probe.stat(parent)]);
  if (own.dev !== up.dev) return true;
  const info = await probe.mountinfo();
  if (!info) return false;
  for (const line of info.split("\n")) {
    // Field 5 is the mount point, with space, tab, newline and backslash written as octal escapes.
    const field = line.split(" ")[4];
    if (field && field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8))) === dir) return true;
  }
  return false;
}

export interface StageOptions {
  /** Stage and swap inside `dest` (it is a mount point) rather than beside it. */
  inside: boolean;
  /** Test seam: the renames of the swap itself, so a failure can be injected midway. */
  rename?: (from: string, to: string) => Promise<void>;
}

/**
 * A new tree for `dest` built in `root`, then swapped in whole by `commit`, or thrown away by
 * `abort`; until `commit`, `dest` is untouched. Beside `dest` (the normal case) the swap is two
 * renames of whole directories: an error in between puts the old directory back, and only a
 * crash in that instant can leave `dest` missing, with both trees beside it as `.<name>.llmops-*`.
 * Inside a mount point the swap moves top-level entries one by one: an error moves back what was
 * moved, but a crash mid-swap can leave a mix, which the next fetch repairs.
 */
export interface StagedTree {
  readonly root: string;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

function suffix(): string {
  return randomBytes(6).toString("hex");
}

export async function stageTree(dest: string, options: StageOptions): Promise<StagedTree> {
  const move = options.rename ?? rename;
  const parent = dirname(dest);
  if (options.inside) {
    const root = join(dest, `.llmops-staging-${suffix()}`);
    await mkdir(root);
    return {
      root,
      abort: () => rm(root, { recursive: true, force: true }),
      commit: () => swapInside(dest, root, move),
    };
  }
  await mkdir(parent, { recursive: true });
  const root = join(parent, `.${basename(dest)}.llmops-${suffix()}`);
  await mkdir(root);
  return {
    root,
    abort: () => rm(root, { recursive: true, force: true }),
    commit: () => swapBeside(dest, root, move),
  };
}

async function swapBeside(dest: string, root: string, move: (from: string, to: string) => Promise<void>): Promise<void> {
  const parent = dirname(dest);
  let old: Stats | undefined;
  try {
    old = await lstat(dest);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  if (!old) {
    await move(root, dest);
    await syncDir(parent);
    return;
  }
  // The new directory takes the place of the old one, so it keeps its permissions and owner.
  await chmod(root, old.mode & 0o7777);
  if (process.getuid?.() === 0 && (old.uid !== 0 || old.gid !== 0)) await chown(root, old.uid, old.gid).catch(() => {});
  const aside = join(parent, `.${basename(dest)}.llmops-old-${suffix()}`);
  await move(dest, aside);
  try {
    await move(root, dest);
  } catch (error) {
    await rename(aside, dest).catch((rollback: unknown) => {
      throw new TreeSwapError(dest, error, rollback);
    });
    throw error;
  }
  await syncDir(parent);
  await rm(aside, { recursive: true, force: true }).catch(() => {});
}

async function swapInside(dest: string, root: string, move: (from: string, to: string) => Promise<void>): Promise<void> {
  const aside = join(dest, `.llmops-old-${suffix()}`);
  await mkdir(aside);
  const ours = new Set([basename(root), basename(aside)]);
  const moved: [from: string, to: string][] = [];
  try {
    for (const name of await readdir(dest)) {
      if (ours.has(name)) continue;
      await move(join(dest, name), join(aside, name));
      moved.push([join(dest, name), join(aside, name)]);
    }
    for (const name of await readdir(root)) {
      await move(join(root, name), join(dest, name));
      moved.push([join(root, name), join(dest, name)]);
    }
  } catch (error) {
    try {
      for (const [from, to] of moved.reverse()) await rename(to, from);
    } catch (rollback) {
      throw new TreeSwapError(dest, error, rollback);
    }
    await rm(aside, { recursive: true, force: true }).catch(() => {});
    throw error;
  }
  await syncDir(dest);
  await rm(aside, { recursive: true, force: true }).catch(() => {});
  await rm(root, { recursive: true, force: true }).catch(() => {});
}

/** Makes renames in `dir` durable where the filesystem supports fsync on a directory. */
export async function syncDir(dir: string): Promise<void> {
  try {
    const handle = await open(dir, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Some filesystems refuse fsync on directories; the renames still happened.
  }
}
