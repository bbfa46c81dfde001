// Stores, models and feedback files for the feedback ingest tests.
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { silentLogger } from "@llmops/core";
import { openStore, type Store } from "@llmops/store";

export interface Workspace {
  dir: string;
  storeDir: string;
  store: Store;
  /** Versions a model directory holding `weights`; returns `name@digest`. */
  model(name: string, weights: string): Promise<string>;
  /** Versions a dataset directory of `files`; returns its digest. */
  dataset(name: string, files: Record<string, string>, aliases?: string[]): Promise<string>;
  /** The cases file of a dataset version, one parsed object per line. */
  cases(ref: string, file?: string): Promise<Record<string, unknown>[]>;
  cleanup(): Promise<void>;
}

export async function workspace(): Promise<Workspace> {
  const dir = await mkdtemp(join(tmpdir(), "llmops-feedback-test-"));
  const storeDir = join(dir, "store");
  const store = openStore(storeDir, { logger: silentLogger, cacheDir: join(dir, "cache") });
  let n = 0;
  return {
    dir,
    storeDir,
    store,
    async model(name, weights) {
      const path = join(dir, `model-${++n}`);
      await mkdir(path);
      await writeFile(join(path, "weights.bin"), weights);
      const version = await store.version({ path, name, kind: "model", created: "2025-01-01T00:00:00Z" });
      return `${name}@${version.digest}`;
    },
    async dataset(name, files, aliases = ["latest"]) {
      const path = join(dir, `dataset-${++n}`);
      for (const [file, text] of Object.entries(files)) {
        await mkdir(join(path, file, ".."), { recursive: true });
        await writeFile(join(path, file), text);
      }
      return (await store.version({ path, name, kind: "dataset", aliases, created: "2025-01-01T00:00:00Z" })).digest;
    },
    async cases(ref, file = "cases.jsonl") {
      const out = join(dir, `fetched-${++n}`);
      await store.fetch(ref, out);
      const text = await readFile(join(out, file), "utf8");
      return text
        .split("\n")
        .filter((line) => line.trim() !== "")
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** JSONL of the given events (strings are written as they are: for malformed lines). */
export function jsonl(...lines: unknown[]): string {
  return `${lines.map((line) => (typeof line === "string" ? line : JSON.stringify(line))).join("\n")}\n`;
}

/** Bytes as a stream, in chunks of `size` (to cross line boundaries mid-line). */
export function streamOf(text: string, size = 7): Readable {
  const bytes = Buffer.from(text, "utf8");
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
  return Readable.from(chunks);
}

/**
 * The metadata (config blob) of a version, read straight from the store's transport and parsed as
 * plain JSON: an independent reading of what the store recorded, not the code under test's.
 */
export async function versionConfig(store: Store, name: string, digest: string): Promise<Record<string, unknown>> {
  const manifest = await store.transport.getManifest(store.repo(name), digest);
  if (!manifest) throw new Error(`no manifest ${name}@${digest}`);
  const config = (JSON.parse(manifest.bytes.toString("utf8")) as { config: { digest: string } }).config;
  const stream = await store.transport.openBlob(store.repo(name), config.digest);
  if (!stream) throw new Error(`no config blob ${config.digest}`);
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>;
}
