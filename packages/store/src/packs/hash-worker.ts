import { createHash } from "node:crypto";
import { Worker } from "node:worker_threads";

/** sha256 of a byte stream given in chunks. */
export interface ChunkHasher {
  /** Takes a copy of `chunk` (the caller may reuse its buffer at once); blocks only while every slot is still being hashed. */
  update(chunk: Uint8Array): void;
  digest(): Promise<string>;
}

/** Slots of shared memory the chunks are copied into: at most this many chunks wait to be hashed. */
const SLOTS = 4;
const SLOT_BYTES = 1 << 20;
/** How long update waits for a free slot before it calls the worker stalled. */
const STALL_MS = 120_000;

// The worker is a script (eval), not a module file: nothing to resolve or strip, whatever runs us.
// Slot i is busy (1) from the copy until the worker has hashed it (0, notified).
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { createHash } = require("node:crypto");
const state = new Int32Array(workerData.state);
const slots = workerData.slots.map((s) => new Uint8Array(s));
const hashes = new Map();
parentPort.on("message", (m) => {
  let h = hashes.get(m.id);
  if (!h) hashes.set(m.id, (h = createHash("sha256")));
  if (m.slot !== undefined) {
    h.update(slots[m.slot].subarray(0, m.length));
    Atomics.store(state, m.slot, 0);
    Atomics.notify(state, m.slot);
  } else {
    hashes.delete(m.id);
    parentPort.postMessage({ id: m.id, hex: h.digest("hex") });
  }
});
`;

interface Shared {
  worker: Worker;
  state: Int32Array;
  slots: Buffer[];
  next: number;
  active: Map<number, (reply: { hex: string } | Error) => void>;
  failure?: Error;
}

let shared: Shared | undefined;
let nextId = 0;

function start(): Shared {
  const state = new SharedArrayBuffer(4 * SLOTS);
  const slots = Array.from({ length: SLOTS }, () => new SharedArrayBuffer(SLOT_BYTES));
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { state, slots } });
  const s: Shared = { worker, state: new Int32Array(state), slots: slots.map((b) => Buffer.from(b)), next: 0, active: new Map() };
  worker.on("message", (reply: { id: number; hex: string }) => s.active.get(reply.id)?.(reply));
  const fail = (error: Error) => {
    s.failure ??= error;
    if (shared === s) shared = undefined;
    for (const listener of s.active.values()) listener(error);
    s.active.clear();
  };
  worker.on("error", fail);
  worker.on("exit", (code) => fail(new Error(`pack hash worker exited (${code})`)));
  worker.unref();
  return s;
}

/** A free slot, waiting (synchronously: update is called from a synchronous write loop) while the worker hashes. */
function freeSlot(s: Shared): number {
  const slot = s.next;
  s.next = (s.next + 1) % SLOTS;
  const since = Date.now();
  while (Atomics.load(s.state, slot) !== 0) {
    if (s.failure) throw s.failure;
    if (Date.now() - since > STALL_MS) throw new Error(`pack hash worker stalled for ${STALL_MS / 1000} s`);
    Atomics.wait(s.state, slot, 1, 50);
  }
  return slot;
}

/**
 * A pack's digest computed on a worker thread while this one reads files, hashes each of them and
 * writes the pack: every pack byte is hashed twice (in its file's sha256 and in the pack's), and
 * the second hash costs this thread only a copy into shared memory. Where no worker can be started
 * the hash is computed here.
 */
export function packHasher(): ChunkHasher {
  try {
    shared ??= start();
  } catch {
    return localHasher();
  }
  const s = shared;
  const id = nextId++;
  let failure: Error | undefined;
  let settle: ((reply: { hex: string } | Error) => void) | undefined;
  s.active.set(id, (reply) => {
    if (reply instanceof Error) failure = reply;
    settle?.(reply);
  });
  // Referenced while a pack is being hashed (its digest is awaited), so the process waits for it.
  if (s.active.size === 1) s.worker.ref();
  const done = () => {
    s.active.delete(id);
    if (s.active.size === 0) s.worker.unref();
  };
  return {
    update(chunk) {
      for (let at = 0; at < chunk.length; at += SLOT_BYTES) {
        if (failure) throw failure;
        const piece = chunk.subarray(at, Math.min(chunk.length, at + SLOT_BYTES));
        const slot = freeSlot(s);
        s.slots[slot]!.set(piece);
        Atomics.store(s.state, slot, 1);
        s.worker.postMessage({ id, slot, length: piece.length });
      }
    },
    digest() {
      return new Promise<string>((resolve, reject) => {
        if (failure) {
          done();
          reject(failure);
          return;
        }
        settle = (reply) => {
          done();
          if (reply instanceof Error) reject(reply);
          else resolve(reply.hex);
        };
        s.worker.postMessage({ id });
      });
    },
  };
}

function localHasher(): ChunkHasher {
  const hash = createHash("sha256");
  return {
    update: (chunk) => void hash.update(chunk),
    digest: async () => hash.digest("hex"),
  };
}
