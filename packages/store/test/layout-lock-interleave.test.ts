import { spawnSync } from "node:child_process";
import { access, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { silentLogger } from "@llmops/core";
import { describe, expect, it, vi } from "vitest";
import { LayoutTransport, openStore } from "../src/index.ts";
import { tempDir, writeTree } from "./helpers.ts";

/**
 * Forces the interleaving in which two waiters that both saw a dead owner both ended up holding
 * the layout lock: the first waiter's removal of the stale lock is held back until the second
 * has read it too, the second's removal until the first has created its own lock, and the first
 * critical section's commit until the second has read index.json. A correct lock never lets the
 * second waiter get that far; each hold is then cut short after a while so the test goes on.
 */
const gate = vi.hoisted(() => ({
  lock: "",
  index: "",
  armed: false,
  lockReads: 0,
  indexReads: 0,
  removals: 0,
  commits: 0,
  inside: 0,
  overlapped: false,
}));

async function until(condition: () => boolean | Promise<boolean>, ms = 400): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end && !(await condition())) await sleep(2);
}

vi.mock("node:fs/promises", async (importOriginal) => {
  const fs = await importOriginal<typeof import("node:fs/promises")>();
  const readFile = (async (path: Parameters<typeof fs.readFile>[0], ...rest: unknown[]) => {
    if (gate.armed && String(path) === gate.lock) gate.lockReads++;
    if (gate.armed && String(path) === gate.index) {
      gate.indexReads++;
      if (++gate.inside > 1) gate.overlapped = true;
    }
    return (fs.readFile as (...a: unknown[]) => Promise<unknown>)(path, ...rest);
  }) as typeof fs.readFile;
  const unlink = async (path: Parameters<typeof fs.unlink>[0]) => {
    if (gate.armed && String(path) === gate.lock) {
      const nth = ++gate.removals;
      if (nth === 1) {
        const seen = gate.lockReads;
        await until(() => gate.lockReads > seen);
      } else if (nth === 2) {
        await until(() =>
          fs.access(gate.lock).then(
            () => true,
            () => false,
          ),
        );
      }
    }
    return fs.unlink(path);
  };
  const rename = async (from: Parameters<typeof fs.rename>[0], to: Parameters<typeof fs.rename>[1]) => {
    if (gate.armed && String(to) === gate.index) {
      if (++gate.commits === 1) await until(() => gate.indexReads >= 2);
      await fs.rename(from, to);
      gate.inside--;
      return;
    }
    return fs.rename(from, to);
  };
  return { ...fs, readFile, unlink, rename };
});

describe("layout lock under a forced interleaving", () => {
  it("two tag moves that both find a dead owner's lock: the critical sections never overlap and exactly one wins", async () => {
    const dir = await tempDir();
    await writeTree(join(dir, "src"), { "w.bin": "w" });
    const storeDir = join(dir, "store");
    const store = openStore(storeDir, { logger: silentLogger, cacheDir: join(dir, "cache") });
    const v1 = await store.version({ path: join(dir, "src"), name: "m", kind: "model", created: "2024-01-01T00:00:00Z" });
    const v2 = await store.version({ path: join(dir, "src"), name: "m", kind: "model", created: "2024-02-01T00:00:00Z" });
    const v3 = await store.version({ path: join(dir, "src"), name: "m", kind: "model", created: "2024-03-01T00:00:00Z" });
    await store.tag("m:v1", "prod");
    const manifest = async (digest: string) => ({
      bytes: await readFile(join(storeDir, "blobs", "sha256", digest.slice(7))),
      digest,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
    });
    const [m2, m3] = [await manifest(v2.digest), await manifest(v3.digest)];

    gate.lock = join(storeDir, "index.json.lock");
    gate.index = join(storeDir, "index.json");
    const dead = spawnSync(process.execPath, ["-e", ""]).pid!;
    // A bare pid, as every version writes or reads as a lock owner.
    await writeFile(gate.lock, String(dead));
    gate.armed = true;
    const a = new LayoutTransport(storeDir);
    const b = new LayoutTransport(storeDir);
    const results = await Promise.allSettled([a.setTag("m", "prod", m2, v1.digest), b.setTag("m", "prod", m3, v1.digest)]);
    gate.armed = false;

    expect(gate.overlapped).toBe(false);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    await expect(access(gate.lock)).rejects.toThrow(/ENOENT/);
  });
});
