import type { BigIntStats } from "node:fs";
import { mkdir, readdir, readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { writeFileAtomic } from "@llmops/core";
import { z } from "zod";
import { acquireLock } from "./lock.ts";

/**
 * Which directories an earlier fetch wrote, kept in the cache directory (`fetched.json`, beside the
 * stat cache) and never inside the destination: real path → the directory's device, inode and
 * creation time when the fetch finished, and the titles of the version it left there. A fetch
 * replaces a non-empty destination without `replace` only when the record names that very directory
 * (same real path, device, inode and creation time: a directory removed and made again at the same
 * path is another one, even when the filesystem hands it the freed inode number) and every entry in
 * it is a file or directory of the recorded version, so nothing a person added is removed.
 */
const entrySchema = z.object({
  dev: z.string(),
  ino: z.string(),
  /** Creation time (statx btime, ns); where the filesystem has none, what Node reports in its place. */
  birth: z.string(),
  digest: z.string(),
  titles: z.array(z.string()),
  /** When the fetch finished (ms since the epoch); the oldest entries are dropped past MAX_ENTRIES. */
  when: z.number(),
});
const fileSchema = z.object({ version: z.literal(1), destinations: z.record(z.string(), entrySchema) });

type Entry = z.infer<typeof entrySchema>;

const MAX_ENTRIES = 1000;

/** What a fetch into a mount point leaves inside it when interrupted (tree.ts); the next fetch removes them. */
const SWAP_LEFTOVER = /^\.llmops-(staging|old)-[0-9a-f]{12}$/;

export class FetchRecords {
  readonly file: string;

  constructor(file: string) {
    this.file = file;
  }

  async #load(): Promise<Record<string, Entry>> {
    try {
      const parsed = fileSchema.safeParse(JSON.parse(await readFile(this.file, "utf8")));
      return parsed.success ? parsed.data.destinations : {};
    } catch {
      // Missing or unreadable: no destination counts as fetched, so replacing one needs `replace`.
      return {};
    }
  }

  /** The titles of the version an earlier fetch left in `real` (a real path) if it is still that directory (`st`). */
  async titlesIn(real: string, st: BigIntStats): Promise<string[] | undefined> {
    const entry = (await this.#load())[real];
    if (!entry || entry.dev !== String(st.dev) || entry.ino !== String(st.ino) || entry.birth !== String(st.birthtimeNs)) return undefined;
    return entry.titles;
  }

  /** Records that a fetch left the version `digest` with `titles` in `real`, which now has stat `st`. */
  async record(real: string, st: BigIntStats, digest: string, titles: string[]): Promise<void> {
    // Read-modify-write under a lock: concurrent fetches into other directories keep their entries.
    await mkdir(dirname(this.file), { recursive: true });
    const release = await acquireLock(`${this.file}.lock`, { timeoutMs: 10_000 });
    try {
      const destinations = await this.#load();
      destinations[real] = { dev: String(st.dev), ino: String(st.ino), birth: String(st.birthtimeNs), digest, titles, when: Date.now() };
      const kept = Object.entries(destinations)
        .sort(([, a], [, b]) => b.when - a.when)
        .slice(0, MAX_ENTRIES);
      await writeFileAtomic(this.file, JSON.stringify({ version: 1, destinations: Object.fromEntries(kept) }));
    } finally {
      await release();
    }
  }
}

/**
 * The first entry under `dest` (a relative POSIX path) that is not a file or directory of
 * `titles`, or undefined when there is none; an empty directory has none. Stops at the first one,
 * so a large foreign directory is not walked whole.
 */
export async function foreignEntry(dest: string, titles: readonly string[]): Promise<string | undefined> {
  const files = new Set(titles);
  const dirs = new Set<string>();
  for (const title of titles) {
    const parts = title.split("/");
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join("/"));
  }
  const walk = async (dir: string, prefix: string): Promise<string | undefined> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (!prefix && SWAP_LEFTOVER.test(entry.name)) continue;
      const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.isDirectory() && dirs.has(rel)) {
        const found = await walk(join(dir, entry.name), rel);
        if (found) return found;
      } else if (!(entry.isFile() && files.has(rel))) {
        return rel;
      }
    }
    return undefined;
  };
  return walk(dest, "");
}
