import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { type RecordingLogger, recordingLogger } from "@llmops/core";
import { openStore, type Store } from "@llmops/store";
import { afterEach } from "vitest";
import type { GitHubSeams } from "../../src/github-seams.ts";
import type { TargetContext, TargetVersion } from "../../src/target.ts";

const dirs: string[] = [];

/** A temp dir removed after the test. */
export async function tempDir(prefix = "llmops-targets-"): Promise<string> {
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

/** Entries of a directory, sorted; [] when it does not exist. */
export async function list(dir: string): Promise<string[]> {
  return (await readdir(dir).catch(() => [] as string[])).sort();
}

/** A real OCI layout store in `dir/store` and a way to version model files into it. */
export async function layoutStore(
  dir: string,
): Promise<{ store: Store; storeDir: string; version(files: Record<string, string | Buffer>): Promise<TargetVersion> }> {
  const storeDir = join(dir, "store");
  const store = openStore(storeDir, { logger: recordingLogger(), cacheDir: join(dir, "cache") });
  let count = 0;
  return {
    store,
    storeDir,
    async version(files) {
      const src = join(dir, `src-${++count}`);
      await writeTree(src, files);
      const result = await store.version({ path: src, name: "team/sentiment", kind: "model", created: "2024-05-01T12:00:00.000Z" });
      return { name: result.name, digest: result.digest, version: result.version };
    },
  };
}

export function context(options: { store: Store; configDir: string; env?: NodeJS.ProcessEnv; github?: GitHubSeams }): TargetContext & {
  logger: RecordingLogger;
} {
  return {
    store: options.store,
    environment: "production",
    promotionId: randomUUID(),
    configDir: options.configDir,
    env: options.env ?? {},
    logger: recordingLogger(),
    github: options.github ?? {},
  };
}

/** The rejection of `promise` (fails the test when it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!(outcome instanceof Error)) throw new Error(`expected a rejection, got ${String(outcome)}`);
  return outcome;
}
