import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach } from "vitest";

const dirs: string[] = [];

/** A temp dir removed after the test. */
export async function tempDir(prefix = "llmops-store-"): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

export async function writeTree(root: string, files: Record<string, string | Buffer>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
}

/** Relative path → content of every file under root. */
export async function readTree(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (dir: string, prefix: string) => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(join(dir, entry.name), rel);
      else out[rel] = await readFile(join(dir, entry.name), "utf8");
    }
  };
  await walk(root, "");
  return out;
}

/** sha256 by coreutils, an implementation independent of ours. */
export function sha256sum(path: string): string {
  return `sha256:${execFileSync("sha256sum", [path], { encoding: "utf8" }).split(" ")[0]}`;
}

export async function exists(path: string): Promise<boolean> {
  return readdir(dirname(path)).then(
    (entries) => entries.includes(path.split("/").at(-1) ?? ""),
    () => false,
  );
}
