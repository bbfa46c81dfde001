import { createHash, randomBytes } from "node:crypto";
import { link, lstat, mkdir, open, readFile, unlink, utimes } from "node:fs/promises";
import { hostname } from "node:os";
import { dirname } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { ExternalError } from "@llmops/core";

export interface LockOptions {
  timeoutMs?: number;
  /**
   * An empty or unparseable lock file older than this is a crash leftover (a writer died between
   * creating it and writing its owner). Our own lock files are never empty, see createExclusive.
   */
  graceMs?: number;
  now?: () => number;
  /** Test seam: awaited after this waiter judged the current lock stale and before it acts on that. */
  onStale?: () => Promise<void>;
  /**
   * A lock file not modified for this long is stale whatever its owner, even one on another host
   * (where its pid says nothing, e.g. a filesystem several hosts share). Holders that may keep the
   * lock longer than this must refresh it (refreshEveryMs). Default: never, only a dead owner's
   * lock on this host (or an ownerless one older than graceMs) is stale.
   */
  staleAfterMs?: number;
  /**
   * While held, touch the lock file's mtime this often (a timer that does not keep the process
   * alive, stopped by the release), so that staleAfterMs only ever catches a holder that is gone.
   * Keep it well below staleAfterMs. Default: never.
   */
  refreshEveryMs?: number;
  /** Make the lock file's directory when it is missing, also when it goes away while waiting. */
  createDirectory?: boolean;
  /** Stop waiting when this aborts (throws its reason). */
  signal?: AbortSignal;
}

/** Who holds a lock, as its file says; `since` is when it was taken (absent in older lock files). */
export interface LockOwner {
  pid: number;
  host: string;
  since?: string;
}

/** The lock stayed held by someone else (live, or not yet stale) for longer than timeoutMs. */
export class LockTimeoutError extends ExternalError {
  readonly path: string;
  /** Undefined when the lock file names no owner (empty or unparseable). */
  readonly owner: LockOwner | undefined;
  readonly timeoutMs: number;
  constructor(path: string, owner: LockOwner | undefined, timeoutMs: number) {
    const who = owner ? `pid ${owner.pid} on ${owner.host}${owner.since ? ` since ${owner.since}` : ""}` : "an unknown owner";
    super(`store lock ${path}: held by ${who} for over ${timeoutMs / 1000}s, expected it to be released`);
    this.path = path;
    this.owner = owner;
    this.timeoutMs = timeoutMs;
  }
}

interface Owner {
  pid: number;
  host: string;
  nonce: string;
  since?: string;
}

interface Seen {
  content: string;
  owner: Owner | undefined;
  mtimeMs: number;
  /** Names this very file: a later file at the same path (even with a recycled inode) differs. */
  identity: string;
}

/**
 * Nonces of the locks this process holds or is creating: same pid, another nonce = a previous
 * process. Kept on globalThis so two copies of this module in one process (bundles, duplicate
 * installs) still know each other's locks as live.
 */
const NONCES = Symbol.for("llmops.store.lock-nonces");
const shared = globalThis as { [NONCES]?: Set<string> };
shared[NONCES] ??= new Set<string>();
const ours: Set<string> = shared[NONCES];

/**
 * An exclusive lock file holding `{pid, host, nonce, since}`, created complete by link(2) (O_EXCL
 * semantics). A lock whose owner is gone (or, with staleAfterMs, that was not refreshed for that
 * long) is taken over without a window where two waiters both win: removing a stale lock requires
 * first creating a takeover marker named after that exact file, so of all waiters that judged the
 * same file stale only one removes it, and it re-checks under the marker that the file is still
 * the stale one (a refresh changes it). Everyone then races for the lock again through link(2),
 * which only one can win. Waiting longer than timeoutMs throws a LockTimeoutError naming the owner.
 * Returns the release.
 */
export async function acquireLock(path: string, options: LockOptions = {}): Promise<() => Promise<void>> {
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const rules: Rules = {
    now,
    graceMs: options.graceMs ?? 2_000,
    staleAfterMs: options.staleAfterMs,
    mkdir: options.createDirectory ?? false,
  };
  const nonce = randomBytes(8).toString("hex");
  const mine = JSON.stringify({ pid: process.pid, host: hostname(), nonce, since: new Date().toISOString() });
  const deadline = now() + timeoutMs;
  ours.add(nonce);
  try {
    for (let attempt = 0; ; attempt++) {
      options.signal?.throwIfAborted();
      if (await createExclusive(path, mine, rules.mkdir)) return holding(path, mine, nonce, options.refreshEveryMs);
      const seen = await observe(path);
      if (!seen) continue;
      if (isStale(seen, rules)) {
        await options.onStale?.();
        await removeStale(path, seen, mine, rules);
        // Gone or replaced: race for it again now. Still there (another waiter's takeover is under
        // way, or it cannot be removed): wait like for a live owner, so this never spins.
        if ((await observe(path))?.identity !== seen.identity) continue;
      }
      if (now() > deadline) {
        const owner = seen.owner && {
          pid: seen.owner.pid,
          host: seen.owner.host,
          ...(seen.owner.since ? { since: seen.owner.since } : {}),
        };
        throw new LockTimeoutError(path, owner, timeoutMs);
      }
      await sleep(Math.min(50, 2 + attempt * 2), undefined, { signal: options.signal }).catch((error: unknown) => {
        options.signal?.throwIfAborted();
        throw error;
      });
    }
  } catch (error) {
    ours.delete(nonce);
    throw error;
  }
}

interface Rules {
  now: () => number;
  graceMs: number;
  staleAfterMs: number | undefined;
  mkdir: boolean;
}

/** The release of a lock just created; with refreshEveryMs, keeps its mtime fresh until then. */
function holding(path: string, mine: string, nonce: string, refreshEveryMs: number | undefined): () => Promise<void> {
  let touching: Promise<void> | undefined;
  const timer =
    refreshEveryMs === undefined
      ? undefined
      : setInterval(
          () => {
            // Only ever touch our own lock; a touch still under way is awaited by the release.
            touching ??= readFile(path, "utf8")
              .then((text) => (text === mine ? utimes(path, new Date(), new Date()) : undefined))
              .catch(() => {})
              .finally(() => {
                touching = undefined;
              });
          },
          Math.max(1, refreshEveryMs),
        );
  timer?.unref();
  return async () => {
    clearInterval(timer);
    await touching;
    // Only ever remove our own lock, even if something went wrong and it is not ours any more.
    if ((await readFile(path, "utf8").catch(() => undefined)) === mine) await unlink(path).catch(() => {});
    ours.delete(nonce);
  };
}

/**
 * Creates `path` holding `content`, or returns false if it exists. The content is written to a
 * private temp file first and linked into place, so no reader ever sees the lock empty.
 */
async function createExclusive(path: string, content: string, makeDirectory: boolean): Promise<boolean> {
  const temp = `${path}.${randomBytes(6).toString("hex")}.tmp`;
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(temp, "wx");
  } catch (error) {
    if (!makeDirectory || (error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    // The directory is gone: make it again, and let the caller look again.
    await mkdir(dirname(path), { recursive: true });
    return false;
  }
  try {
    await handle.writeFile(content);
  } finally {
    await handle.close();
  }
  try {
    await link(temp, path);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST") return false;
    // Filesystems without hard links: O_EXCL create, then write (empty for a moment; see graceMs).
    if (code === "EPERM" || code === "ENOTSUP" || code === "EOPNOTSUPP" || code === "ENOSYS") return createWithOpen(path, content);
    throw error;
  } finally {
    await unlink(temp).catch(() => {});
  }
}

async function createWithOpen(path: string, content: string): Promise<boolean> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, "wx");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
  try {
    await handle.writeFile(content);
  } finally {
    await handle.close();
  }
  return true;
}

async function observe(path: string): Promise<Seen | undefined> {
  try {
    const st = await lstat(path, { bigint: true });
    const content = await readFile(path, "utf8");
    // mtime, not ctime: linking and unlinking the temp name changes ctime of a live lock.
    const identity = createHash("sha256").update(`${st.dev}:${st.ino}:${st.mtimeNs}:${content}`).digest("hex").slice(0, 24);
    return { content, owner: parseOwner(content), mtimeMs: Number(st.mtimeMs), identity };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/** `{pid, host, nonce, since?}`, or a bare pid as earlier versions wrote it. */
function parseOwner(content: string): Owner | undefined {
  if (/^\d+$/.test(content.trim())) return { pid: Number(content.trim()), host: hostname(), nonce: `pid-${content.trim()}` };
  try {
    const v = JSON.parse(content) as Partial<Owner>;
    if (Number.isSafeInteger(v.pid) && (v.pid ?? 0) > 0 && typeof v.host === "string" && typeof v.nonce === "string") {
      return { pid: v.pid!, host: v.host, nonce: v.nonce, ...(typeof v.since === "string" ? { since: v.since } : {}) };
    }
  } catch {}
  return undefined;
}

function isStale(seen: Seen, rules: Rules): boolean {
  const age = rules.now() - seen.mtimeMs;
  if (rules.staleAfterMs !== undefined && age > rules.staleAfterMs) return true;
  const owner = seen.owner;
  if (!owner) return age > rules.graceMs;
  // A pid means nothing on another host (or in another pid namespace that names itself differently).
  if (owner.host !== hostname()) return false;
  if (owner.pid === process.pid) return !ours.has(owner.nonce);
  return !alive(owner.pid);
}

/**
 * Removes `path` if it is still the file judged stale in `seen`. Only the waiter that creates the
 * takeover marker for that file may remove it; a marker whose creator died is itself stale and
 * is cleared the same way (one level deeper), so a crash mid-takeover cannot wedge the lock.
 */
async function removeStale(path: string, seen: Seen, mine: string, rules: Rules): Promise<void> {
  const marker = `${path}.takeover-${seen.identity}`;
  if (!(await createExclusive(marker, mine, rules.mkdir))) {
    const other = await observe(marker);
    if (other && isStale(other, rules)) await removeStale(marker, other, mine, rules);
    return;
  }
  try {
    const again = await observe(path);
    if (again?.identity === seen.identity) await unlink(path).catch(() => {});
  } finally {
    await unlink(marker).catch(() => {});
  }
}

/** The takeover marker a waiter would create for the lock file now at `path` (for tests that simulate a crash mid-takeover). */
export async function takeoverMarkerOf(path: string): Promise<string | undefined> {
  const seen = await observe(path);
  return seen && `${path}.takeover-${seen.identity}`;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
