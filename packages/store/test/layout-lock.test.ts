import { spawn, spawnSync } from "node:child_process";
import { readdir, readFile, rm, utimes, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { ExternalError, silentLogger } from "@llmops/core";
import { describe, expect, it } from "vitest";
import { AliasConflictError, openStore } from "../src/index.ts";
import { acquireLock, takeoverMarkerOf } from "../src/lock.ts";
import { tempDir, writeTree } from "./helpers.ts";

/** The pid of a process that has exited: a lock holding it belongs to nobody. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", ""]);
  if (!child.pid) throw new Error("could not start a short-lived process");
  return child.pid;
}

async function versions(dir: string) {
  await writeTree(join(dir, "src"), { "w.bin": "w" });
  const storeDir = join(dir, "store");
  const store = openStore(storeDir, { logger: silentLogger, cacheDir: join(dir, "cache") });
  const v1 = await store.version({ path: join(dir, "src"), name: "m", kind: "model", created: "2024-01-01T00:00:00Z" });
  await store.tag("m:v1", "prod");
  return { store, storeDir, v1, lock: join(storeDir, "index.json.lock") };
}

describe("layout lock: crash leftovers", () => {
  it("recovers an empty lock file left by a crash between creating and writing it", async () => {
    const { store, lock } = await versions(await tempDir());
    await writeFile(lock, "");
    const old = Date.now() / 1000 - 10;
    await utimes(lock, old, old);
    const moved = await store.tag("m:v1", "staging");
    expect(moved.previous).toBeNull();
    expect(await readdir(join(lock, ".."))).not.toContain("index.json.lock");
  });

  it("recovers a lock written by an earlier version (a bare pid) whose process is gone", async () => {
    const { store, lock } = await versions(await tempDir());
    await writeFile(lock, String(deadPid()));
    await store.tag("m:v1", "staging");
    expect(await readdir(join(lock, ".."))).not.toContain("index.json.lock");
  });

  it("does not take over an empty lock younger than the grace period: its writer may still be writing", async () => {
    const dir = await tempDir();
    const lock = join(dir, "x.lock");
    await writeFile(lock, "");
    let t = Date.now();
    const error = await acquireLock(lock, { timeoutMs: 50, graceMs: 60_000, now: () => (t += 5) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExternalError);
    expect((error as Error).message).toMatch(/x\.lock: held by an unknown owner for over 0\.05s, expected it to be released/);
    expect(await readFile(lock, "utf8")).toBe("");
  });

  it("recovers when the waiter taking over a stale lock died mid-takeover (its marker is stale too)", async () => {
    const dir = await tempDir();
    const lock = join(dir, "x.lock");
    await writeFile(lock, JSON.stringify({ pid: deadPid(), host: hostname(), nonce: "gone" }));
    const marker = (await takeoverMarkerOf(lock))!;
    await writeFile(marker, JSON.stringify({ pid: deadPid(), host: hostname(), nonce: "also-gone" }));
    const release = await acquireLock(lock, { timeoutMs: 5_000 });
    expect(JSON.parse(await readFile(lock, "utf8")).pid).toBe(process.pid);
    await release();
    expect(await readdir(dir)).toEqual([]);
  });

  it("never takes over a lock of a live process on another host's pid space", async () => {
    const dir = await tempDir();
    const lock = join(dir, "x.lock");
    await writeFile(lock, JSON.stringify({ pid: deadPid(), host: `not-${hostname()}`, nonce: "n" }));
    let t = Date.now();
    await expect(acquireLock(lock, { timeoutMs: 50, now: () => (t += 5) })).rejects.toThrow(/held by pid \d+ on not-/);
  });
});

describe("layout lock: takeover of a dead owner's lock", () => {
  it("two waiters that both judged the lock stale: exactly one holds it at a time", async () => {
    const dir = await tempDir();
    const lock = join(dir, "x.lock");
    await writeFile(lock, JSON.stringify({ pid: deadPid(), host: hostname(), nonce: "dead" }));
    // Neither acts on its judgement until both have made it: the interleaving that let both win before.
    let arrived = 0;
    let bothStale!: () => void;
    const barrier = new Promise<void>((resolve) => {
      bothStale = resolve;
    });
    const onStale = async () => {
      if (++arrived === 2) bothStale();
      await barrier;
    };
    let holders = 0;
    let most = 0;
    const hold = async () => {
      const release = await acquireLock(lock, { onStale, timeoutMs: 10_000 });
      most = Math.max(most, ++holders);
      await sleep(30);
      holders--;
      await release();
    };
    await Promise.all([hold(), hold()]);
    expect(arrived).toBe(2);
    expect(most).toBe(1);
    expect(await readdir(dir)).toEqual([]);
  });

  it("several processes racing over a dead owner's lock: exactly one compare-and-swap wins", async () => {
    const dir = await tempDir();
    const { store, storeDir, lock } = await versions(dir);
    const v2 = await store.version({ path: join(dir, "src"), name: "m", kind: "model", created: "2024-02-01T00:00:00Z" });
    const v1 = (await store.resolve("m:v1")).digest;
    await writeFile(lock, String(deadPid()));
    const script = join(import.meta.dirname, `.lock-race-${process.pid}.ts`);
    await writeFile(
      script,
      `import { LayoutTransport } from "../src/index.ts";
import { readFileSync } from "node:fs";
const [storeDir, expectDigest, target] = process.argv.slice(2);
const layout = new LayoutTransport(storeDir);
const bytes = readFileSync(storeDir + "/blobs/sha256/" + target.slice(7));
try {
  await layout.setTag("m", "prod", { bytes, digest: target, mediaType: "application/vnd.oci.image.manifest.v1+json" }, expectDigest);
  console.log(JSON.stringify({ won: true }));
} catch (e) {
  console.log(JSON.stringify({ won: false, name: e.name }));
}
`,
    );
    try {
      const results = await Promise.all(Array.from({ length: 4 }, () => run(script, [storeDir, v1, v2.digest])));
      expect(results.filter((r) => r.won)).toHaveLength(1);
      expect(results.filter((r) => !r.won).map((r) => r.name)).toEqual(Array(3).fill(AliasConflictError.name));
      expect((await store.resolve("m:prod")).digest).toBe(v2.digest);
    } finally {
      await rm(script, { force: true });
    }
  });
});

function run(script: string, args: string[]): Promise<{ won: boolean; name?: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args]);
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    child.on("error", reject);
    child.on("exit", () => {
      try {
        resolve(JSON.parse(out));
      } catch {
        reject(new Error(`lock race script printed ${out} ${err}`));
      }
    });
  });
}
