import { readdir, readFile, stat, utimes, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { ExternalError } from "@llmops/core";
import { describe, expect, it } from "vitest";
import { acquireLock, LockTimeoutError } from "../src/index.ts";
import { tempDir } from "./helpers.ts";

const SINCE = "2024-05-01T12:00:00Z";

async function lockFile(dir: string, owner: { pid: number; host: string }, ageMs = 0): Promise<string> {
  const lock = join(dir, "x.lock");
  await writeFile(lock, JSON.stringify({ ...owner, nonce: "theirs", since: SINCE }));
  if (ageMs) {
    const then = new Date(Date.now() - ageMs);
    await utimes(lock, then, then);
  }
  return lock;
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (error: unknown) => error as Error,
  );
}

describe("store lock: staleAfterMs", () => {
  it("takes over a lock not refreshed for staleAfterMs even though its owner is alive, here or on another host", async () => {
    for (const owner of [
      { pid: process.ppid, host: hostname() },
      { pid: 1, host: "elsewhere" },
    ]) {
      const lock = await lockFile(await tempDir(), owner, 60_000);
      const release = await acquireLock(lock, { staleAfterMs: 5_000, timeoutMs: 2_000 });
      expect(JSON.parse(await readFile(lock, "utf8"))).toMatchObject({ pid: process.pid, host: hostname(), since: expect.any(String) });
      await release();
      expect(await readdir(join(lock, ".."))).toEqual([]);
    }
  });

  it("without staleAfterMs, an old lock of a live owner is still waited for (the default is unchanged)", async () => {
    const lock = await lockFile(await tempDir(), { pid: process.ppid, host: hostname() }, 60_000);
    await expect(acquireLock(lock, { timeoutMs: 100 })).rejects.toThrow(LockTimeoutError);
    expect(JSON.parse(await readFile(lock, "utf8"))).toMatchObject({ nonce: "theirs" });
  });

  it("does not take over a recently modified lock of a live foreign owner", async () => {
    const lock = await lockFile(await tempDir(), { pid: 1, host: "elsewhere" });
    await expect(acquireLock(lock, { staleAfterMs: 60_000, timeoutMs: 100 })).rejects.toThrow(LockTimeoutError);
    expect(JSON.parse(await readFile(lock, "utf8"))).toMatchObject({ nonce: "theirs" });
  });
});

describe("store lock: refreshEveryMs", () => {
  it("a held lock that is refreshed is not taken over after staleAfterMs", async () => {
    const lock = join(await tempDir(), "x.lock");
    const release = await acquireLock(lock, { staleAfterMs: 300, refreshEveryMs: 50 });
    const mine = await readFile(lock, "utf8");
    const error = await rejection(acquireLock(lock, { staleAfterMs: 300, timeoutMs: 900 }));
    expect(error).toBeInstanceOf(LockTimeoutError);
    expect(await readFile(lock, "utf8")).toBe(mine);
    expect(Date.now() - (await stat(lock)).mtimeMs).toBeLessThan(300);
    await release();
    const again = await acquireLock(lock, { staleAfterMs: 300, timeoutMs: 1_000 });
    await again();
  });

  it("a held lock that is not refreshed is taken over after staleAfterMs", async () => {
    const lock = join(await tempDir(), "x.lock");
    const first = await acquireLock(lock, { staleAfterMs: 200 });
    const second = await acquireLock(lock, { staleAfterMs: 200, timeoutMs: 5_000 });
    const taken = await readFile(lock, "utf8");
    // The first holder's release does not remove the lock that is no longer its own.
    await first();
    expect(await readFile(lock, "utf8")).toBe(taken);
    await second();
    expect(await readdir(join(lock, ".."))).toEqual([]);
  });

  it("the release stops the refresh: a later file at the same path is not touched", async () => {
    const lock = join(await tempDir(), "x.lock");
    const release = await acquireLock(lock, { staleAfterMs: 1_000, refreshEveryMs: 20 });
    await release();
    await writeFile(lock, "someone else's");
    const old = new Date(Date.now() - 60_000);
    await utimes(lock, old, old);
    await sleep(120);
    expect((await stat(lock)).mtimeMs).toBe(old.getTime());
  });
});

describe("store lock: timeout, directory, abort", () => {
  it("the timeout error names the owner: pid, host and since", async () => {
    const lock = await lockFile(await tempDir(), { pid: 1, host: "elsewhere" });
    const error = await rejection(acquireLock(lock, { timeoutMs: 100 }));
    expect(error).toBeInstanceOf(LockTimeoutError);
    expect(error).toBeInstanceOf(ExternalError);
    expect((error as LockTimeoutError).owner).toEqual({ pid: 1, host: "elsewhere", since: SINCE });
    expect((error as LockTimeoutError).path).toBe(lock);
    expect(error.message).toMatch(
      /x\.lock: held by pid 1 on elsewhere since 2024-05-01T12:00:00Z for over 0\.1s, expected it to be released$/,
    );
  });

  it("createDirectory makes a missing directory for the lock", async () => {
    const lock = join(await tempDir(), "gone", "x.lock");
    await expect(acquireLock(lock, { timeoutMs: 100 })).rejects.toMatchObject({ code: "ENOENT" });
    const release = await acquireLock(lock, { createDirectory: true, timeoutMs: 1_000 });
    expect(JSON.parse(await readFile(lock, "utf8")).pid).toBe(process.pid);
    await release();
  });

  it("stops waiting with the signal's reason when it aborts", async () => {
    const lock = await lockFile(await tempDir(), { pid: 1, host: "elsewhere" });
    const reason = new Error("cancelled");
    const error = await rejection(acquireLock(lock, { timeoutMs: 10_000, signal: AbortSignal.timeout(50) }));
    expect(error.name).toBe("TimeoutError");
    const controller = new AbortController();
    controller.abort(reason);
    await expect(acquireLock(lock, { signal: controller.signal })).rejects.toBe(reason);
  });
});
