// Many-files section of the store benchmark (issue #14): datasets of many small files, against
// baselines measured in the same run. Timed operations call the store library in this process
// (as the other sections do; the CLI's start-up, which is module loading and varies with the
// machine's load, would otherwise dominate the small ones); the `llmops` CLI itself runs as a child
// process under `/usr/bin/time` for its peak RSS (version and fetch at each tree size).
//   node packages/store/bench/store-bench.ts --many-files [--counts 10000,100000] [--step-timeout 900]
// Prints a table per tree size with PASS/FAIL per target; never exits non-zero for a missed target.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { silentLogger } from "@llmops/core";
import { startRegistry, type TestRegistry } from "../../../test/src/registry.ts";
import { openStore, type Store } from "../src/index.ts";

const CLI = join(import.meta.dirname, "../../cli/bin/llmops.js");
const TAR_LAYER = "application/vnd.oci.image.layer.v1.tar";
const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const KiB = 1024;
const MiB = 1024 * KiB;
const CREATED = "2024-01-01T00:00:00Z";
const TIME_BIN = existsSync("/usr/bin/time") ? "/usr/bin/time" : undefined;

export interface ManyFilesOptions {
  counts: number[];
  /** Per child process, in seconds: a step that takes longer is killed and reported as "timeout". */
  stepTimeoutS: number;
}

// ---------------------------------------------------------------------------------------------
// Deterministic tree: file i is in class i % 100 (80 train classes, 10 val, 10 test, each exactly
// 1% of the files), in shards of at most 100 files: `train/c17/s003/000312.jpg`. Sizes 200 B-4 KiB
// and contents come from a seeded PRNG, so a given count always gives the same bytes.

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

export interface Tree {
  dir: string;
  /** Relative POSIX paths, in generation order. */
  paths: string[];
  bytes: number;
  /** A glob matching exactly 1% of the files, and how many it matches. */
  include: string;
  includeCount: number;
}

function treePath(i: number, ext: string): string {
  const k = i % 100;
  const [split, cls] = k < 80 ? ["train", k] : k < 90 ? ["val", k - 80] : ["test", k - 90];
  const j = Math.floor(i / 100);
  return `${split}/c${String(cls).padStart(2, "0")}/s${String(Math.floor(j / 100)).padStart(3, "0")}/${String(j).padStart(6, "0")}.${ext}`;
}

export async function generateTree(dir: string, count: number, seed = 14): Promise<Tree> {
  const next = mulberry32(seed);
  const exts = ["jpg", "txt", "json"];
  const paths: string[] = [];
  const made = new Set<string>();
  let bytes = 0;
  let includeCount = 0;
  for (let i = 0; i < count; i++) {
    const size = 200 + (next() % (4096 - 200 + 1));
    const rel = treePath(i, exts[next() % 3]!);
    const buffer = Buffer.allocUnsafe(size);
    for (let o = 0; o + 4 <= size; o += 4) buffer.writeUInt32LE(next(), o);
    for (let o = size - (size % 4); o < size; o++) buffer[o] = next() & 0xff;
    const parent = dirname(join(dir, rel));
    if (!made.has(parent)) {
      await mkdir(parent, { recursive: true });
      made.add(parent);
    }
    await writeFile(join(dir, rel), buffer);
    paths.push(rel);
    bytes += size;
    if (rel.startsWith("val/c03/")) includeCount++;
  }
  return { dir, paths, bytes, include: "val/c03/**", includeCount };
}

// ---------------------------------------------------------------------------------------------
// Child processes: wall time and peak RSS (GNU time's %M, KiB), killed after the step timeout.

interface Run {
  ms: number;
  code: number | null;
  stdout: string;
  stderr: string;
  rssMiB?: number;
  timedOut: boolean;
}

async function run(
  command: string,
  args: string[],
  options: { timeoutS: number; env?: NodeJS.ProcessEnv; cwd?: string; measureRss?: boolean },
): Promise<Run> {
  const rssFile =
    options.measureRss && TIME_BIN ? join(tmpdir(), `llmops-bench-rss-${process.pid}-${Math.random().toString(36).slice(2)}`) : undefined;
  const [bin, argv] = rssFile ? [TIME_BIN!, ["-f", "%M", "-o", rssFile, command, ...args]] : [command, args];
  const start = performance.now();
  const child = spawn(bin, argv, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true, // its own process group, so a timeout ends it and anything it started
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => {
    if (stdout.length < 1 * MiB) stdout += d.toString();
  });
  child.stderr.on("data", (d: Buffer) => {
    if (stderr.length < 1 * MiB) stderr += d.toString();
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // already gone
    }
  }, options.timeoutS * 1000);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (c) => resolve(c));
  });
  clearTimeout(timer);
  const ms = performance.now() - start;
  const result: Run = { ms, code, stdout, stderr, timedOut };
  if (rssFile) {
    const text = await readFile(rssFile, "utf8").catch(() => "");
    await rm(rssFile, { force: true });
    // GNU time writes "Command exited with non-zero status N" before the figure when the command fails.
    const kib = Number(text.trim().split("\n").pop());
    if (Number.isFinite(kib) && kib > 0) result.rssMiB = kib / 1024;
  }
  return result;
}

function sh(script: string, timeoutS: number): Promise<Run> {
  return run("sh", ["-c", script], { timeoutS });
}

const q = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

// ---------------------------------------------------------------------------------------------
// The baseline image: the same files as plain tar layers (application/vnd.oci.image.layer.v1.tar),
// split at path boundaries into `layers` parts of about equal bytes, in a hand-written OCI layout.

async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  const { createReadStream } = await import("node:fs");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

async function writeBlob(layout: string, data: Buffer | string): Promise<{ digest: string; size: number }> {
  const bytes = Buffer.from(data);
  const hex = createHash("sha256").update(bytes).digest("hex");
  await writeFile(join(layout, "blobs", "sha256", hex), bytes);
  return { digest: `sha256:${hex}`, size: bytes.length };
}

export async function buildTarImage(
  tree: Tree,
  layout: string,
  layers: number,
  sizes: Map<string, number>,
  timeoutS: number,
): Promise<void> {
  await mkdir(join(layout, "blobs", "sha256"), { recursive: true });
  const sorted = [...tree.paths].sort();
  const target = tree.bytes / layers;
  const groups: string[][] = [[]];
  let acc = 0;
  for (const p of sorted) {
    if (acc >= target && groups.length < layers) {
      groups.push([]);
      acc = 0;
    }
    groups[groups.length - 1]!.push(p);
    acc += sizes.get(p) ?? 0;
  }
  const descriptors: { mediaType: string; digest: string; size: number }[] = [];
  for (const [n, group] of groups.entries()) {
    const list = join(layout, `files-${n}`);
    const tmp = join(layout, `layer-${n}.tar`);
    await writeFile(list, `${group.join("\0")}\0`);
    const made = await run("tar", ["cf", tmp, "-C", tree.dir, "--null", "--no-recursion", "-T", list], { timeoutS });
    if (made.code !== 0) throw new Error(`tar cf failed: ${made.stderr}`);
    const hex = await sha256File(tmp);
    const size = (await stat(tmp)).size;
    await rename(tmp, join(layout, "blobs", "sha256", hex));
    await rm(list);
    descriptors.push({ mediaType: TAR_LAYER, digest: `sha256:${hex}`, size });
  }
  const config = await writeBlob(
    layout,
    JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: descriptors.map((d) => d.digest) } }),
  );
  const manifest = await writeBlob(
    layout,
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: "application/vnd.oci.image.config.v1+json", ...config },
      layers: descriptors,
    }),
  );
  await writeFile(join(layout, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
  await writeFile(
    join(layout, "index.json"),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [{ mediaType: OCI_MANIFEST, ...manifest, annotations: { "org.opencontainers.image.ref.name": "v1" } }],
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// Helpers reading what llmops wrote.

interface ManifestJson {
  config?: { mediaType: string; digest: string; size: number };
  layers?: { mediaType: string; digest: string; size: number; annotations?: Record<string, string> }[];
  [key: string]: unknown;
}

/** Every `{ digest, mediaType, size }` object anywhere in a manifest (config, layers, anything else that references a blob). */
function descriptorsIn(value: unknown, out: Map<string, { mediaType: string; size: number; where: string }>, where = ""): void {
  if (Array.isArray(value)) {
    for (const v of value) descriptorsIn(v, out, where);
    return;
  }
  if (value && typeof value === "object") {
    const o = value as Record<string, unknown>;
    if (typeof o.digest === "string" && typeof o.mediaType === "string" && typeof o.size === "number") {
      out.set(o.digest, { mediaType: o.mediaType, size: o.size, where });
    }
    for (const [k, v] of Object.entries(o)) if (k !== "annotations") descriptorsIn(v, out, where ? `${where}.${k}` : k);
  }
}

async function registryBlobs(registry: TestRegistry): Promise<Map<string, number>> {
  const root = join(registry.storageDir, "docker", "registry", "v2", "blobs", "sha256");
  const out = new Map<string, number>();
  if (!existsSync(root)) return out;
  for (const prefix of await readdir(root)) {
    for (const hex of await readdir(join(root, prefix))) {
      const data = join(root, prefix, hex, "data");
      if (existsSync(data)) out.set(`sha256:${hex}`, (await stat(data)).size);
    }
  }
  return out;
}

async function registryManifest(registry: TestRegistry, repo: string, reference: string): Promise<{ raw: Buffer; json: ManifestJson }> {
  const r = await fetch(`${registry.url}/v2/${repo}/manifests/${reference}`, { headers: { accept: OCI_MANIFEST } });
  if (!r.ok) throw new Error(`GET manifest ${repo}:${reference}: HTTP ${r.status}`);
  const raw = Buffer.from(await r.arrayBuffer());
  return { raw, json: JSON.parse(raw.toString("utf8")) as ManifestJson };
}

async function countFiles(dir: string): Promise<{ files: number; bytes: number }> {
  let files = 0;
  let bytes = 0;
  if (!existsSync(dir)) return { files, bytes };
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    files++;
    bytes += (await stat(join(entry.parentPath, entry.name))).size;
  }
  return { files, bytes };
}

// ---------------------------------------------------------------------------------------------
// The table.

type Verdict = "PASS" | "FAIL" | "";
interface Row {
  what: string;
  time: string;
  ratio: string;
  target: string;
  verdict: Verdict | "n/a";
  rss: string;
}

const fmtS = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const fmtX = (x: number) => `${x.toFixed(x < 1 ? 3 : 2)}x`;
const fmtB = (b: number) => (b >= MiB ? `${(b / MiB).toFixed(2)} MiB` : b >= KiB ? `${(b / KiB).toFixed(1)} KiB` : `${b} B`);
const fmtRss = (r: Run | undefined) => (r?.rssMiB ? `${r.rssMiB.toFixed(0)} MiB` : "");
const verdict = (ok: boolean): Verdict => (ok ? "PASS" : "FAIL");

function status(r: Run): string {
  if (r.timedOut) return "timeout";
  if (r.code !== 0) return `exit ${r.code}`;
  return fmtS(r.ms);
}

function failed(r: Run): boolean {
  return r.timedOut || r.code !== 0;
}

export function renderTable(rows: Row[]): string {
  const head: Row = { what: "measurement", time: "time / size", ratio: "ratio", target: "target", verdict: "", rss: "peak RSS" };
  const cells = (r: Row) => [r.what, r.time, r.ratio, r.target, r.verdict, r.rss];
  const all = [head, ...rows].map(cells);
  const widths = all[0]!.map((_, i) => Math.max(...all.map((c) => c[i]!.length)));
  const line = (c: string[]) => `| ${c.map((v, i) => v.padEnd(widths[i]!)).join(" | ")} |`;
  return [line(all[0]!), line(widths.map((w) => "-".repeat(w))), ...all.slice(1).map(line)].join("\n");
}

// ---------------------------------------------------------------------------------------------

interface SizeResult {
  count: number;
  rows: Row[];
  notes: string[];
  startupRss?: number;
  coldRss?: number;
  fetchRss?: number;
}

interface Timed<T> {
  ms: number;
  value?: T;
  error?: string;
}

async function timed<T>(fn: () => Promise<T>): Promise<Timed<T>> {
  const start = performance.now();
  try {
    const value = await fn();
    return { ms: performance.now() - start, value };
  } catch (error) {
    return { ms: performance.now() - start, error: (error as Error).message.split("\n")[0]! };
  }
}

const shown = (t: Timed<unknown>) => (t.error === undefined ? fmtS(t.ms) : "error");

async function benchOneSize(root: string, registry: TestRegistry, count: number, timeoutS: number): Promise<SizeResult> {
  const rows: Row[] = [];
  const notes: string[] = [];
  const add = (what: string, time: string, ratio = "", target = "", v: Verdict | "n/a" = "", rss = "") =>
    rows.push({ what, time, ratio, target, verdict: v, rss });
  const base = join(root, `n${count}`);
  await mkdir(base, { recursive: true });
  const name = `bench/many-${count}`;
  const layout = join(base, "layout");
  const cacheDir = join(base, "cache");
  const remoteSpec = `oci://${registry.host}/ours`;
  const remoteRepo = `ours/${name}`;
  const store = openStore(layout, { logger: silentLogger, cacheDir });
  const remote = openStore(remoteSpec, { logger: silentLogger, cacheDir });
  const version = (s: Store) => timed(() => s.version({ path: tree.dir, name, kind: "dataset", created: CREATED }));
  const llmops = (args: string[], cache: string) =>
    run(process.execPath, [CLI, ...args], { timeoutS, env: { LLMOPS_CACHE_DIR: cache, NO_COLOR: "1" }, cwd: base, measureRss: true });
  const tell = (text: string) => process.stderr.write(`[many-files ${count}] ${text}\n`);
  const errorNote = (what: string, r: Run | Timed<unknown>) => {
    if ("error" in r && r.error !== undefined) notes.push(`${what}: ${r.error}`);
    else if ("timedOut" in r && failed(r))
      notes.push(
        `${what}: ${r.timedOut ? `killed after ${timeoutS} s` : `exit ${r.code}: ${r.stderr.trim().split("\n").slice(-3).join(" / ")}`}`,
      );
  };
  const bad = (...ts: (Timed<unknown> | Run | undefined)[]) =>
    ts.some((t) => !t || ("error" in t && t.error !== undefined) || ("timedOut" in t && failed(t)));

  tell(`generating ${count} files under ${base}/src`);
  const tree = await generateTree(join(base, "src"), count);
  const sizes = new Map<string, number>();
  for (const p of tree.paths) sizes.set(p, (await stat(join(tree.dir, p))).size);
  // The stat cache does not trust a file seen within 2 s of its mtime (racy-git rule) and re-hashes
  // it on the next run: let the tree settle first, so the warm run measures the steady state.
  await sleep(2500);
  add(`tree: ${count} files, ${fmtB(tree.bytes)}`, "");

  // 1. cold version vs tar | sha256sum (baseline first: both read a warm page cache)
  tell("tar | sha256sum, then cold version");
  const tarSha = await sh(`tar cf - -C ${q(tree.dir)} . | sha256sum`, timeoutS);
  add("tar cf - DIR | sha256sum (baseline)", status(tarSha), "1.00x");
  const cold = await version(store);
  errorNote("cold version", cold);
  const coldRatio = cold.ms / tarSha.ms;
  add("cold version -> layout", shown(cold), fmtX(coldRatio), "<= 2x tar|sha256sum", bad(cold, tarSha) ? "FAIL" : verdict(coldRatio <= 2));

  tell("warm re-version");
  const warm = await version(store);
  errorNote("warm re-version", warm);
  const warmRatio = warm.ms / cold.ms;
  add(
    "warm re-version (unchanged tree)",
    shown(warm),
    fmtX(warmRatio),
    "<= 0.1x cold",
    bad(warm, cold) ? "FAIL" : verdict(warmRatio <= 0.1),
  );

  // Our manifest in the layout: its size, and how many tar packs it has (the baseline image gets as many layers).
  const digest = cold.value?.digest;
  let packs = Math.max(1, Math.ceil(tree.bytes / (64 * MiB)));
  if (digest) {
    const raw = await readFile(join(layout, "blobs", "sha256", digest.slice("sha256:".length)));
    const m = JSON.parse(raw.toString("utf8")) as ManifestJson;
    const layerCount = m.layers?.length ?? 0;
    const tarLayers = (m.layers ?? []).filter((l) => l.mediaType === TAR_LAYER).length;
    if (tarLayers > 0) packs = tarLayers;
    else notes.push(`the version's manifest has no ${TAR_LAYER} layer (${layerCount} layers): files are not packed`);
    add("manifest size", fmtB(raw.length), "", "<= 256 KiB", verdict(raw.length <= 256 * KiB));
    add(`  layers in the manifest (tar packs: ${tarLayers})`, String(layerCount));
  } else add("manifest size", "n/a (no version)", "", "<= 256 KiB", "FAIL");

  // 2. push: skopeo copy of a tar-layer image with as many layers vs `version` into the registry store
  tell(`building the baseline image (${packs} tar layers) and pushing it with skopeo`);
  const image = join(base, "tar-image");
  await buildTarImage(tree, image, packs, sizes, timeoutS);
  // --preserve-digests: skopeo must send the layers as they are (no recompression): the same kind of bytes as ours.
  const skopeoPush = await run(
    "skopeo",
    ["copy", "-q", "--preserve-digests", "--dest-tls-verify=false", `oci:${image}:v1`, `docker://${registry.host}/skopeo/${name}:v1`],
    { timeoutS },
  );
  errorNote("skopeo copy (push baseline)", skopeoPush);
  add(`skopeo copy oci: -> registry, ${packs} tar layer(s) (baseline)`, status(skopeoPush), "1.00x");
  tell("push");
  const push = await version(remote);
  errorNote("push", push);
  const pushRatio = push.ms / skopeoPush.ms;
  add(
    "push: version -> registry (warm stat cache)",
    shown(push),
    fmtX(pushRatio),
    "<= 1.5x skopeo copy",
    bad(push, skopeoPush) ? "FAIL" : verdict(pushRatio <= 1.5),
  );
  const pushDigest = push.value?.digest;
  if (pushDigest && digest && pushDigest !== digest)
    notes.push(`layout and registry versions of the same tree differ: ${digest} vs ${pushDigest}`);

  const result: SizeResult = { count, rows, notes };
  if (pushDigest) {
    const ref = `${name}@${pushDigest}`;
    const listed = await timed(async () => {
      let n = 0;
      for await (const _ of remote.files(ref)) n++;
      return n;
    });
    errorNote("files (ls --files)", listed);
    add(`list files from the index (ls --files): ${listed.value ?? "?"} files`, shown(listed));

    // 3. fetch vs skopeo copy registry -> oci: + tar x of every layer
    tell("fetch baseline (skopeo copy + tar x), then fetch");
    const pulled = join(base, "pulled-image");
    const untarred = join(base, "untarred");
    const start = performance.now();
    const skopeoPull = await run(
      "skopeo",
      ["copy", "-q", "--preserve-digests", "--src-tls-verify=false", `docker://${registry.host}/skopeo/${name}:v1`, `oci:${pulled}:v1`],
      { timeoutS },
    );
    errorNote("skopeo copy (fetch baseline)", skopeoPull);
    let untar: Run | undefined;
    if (!failed(skopeoPull)) {
      const index = JSON.parse(await readFile(join(pulled, "index.json"), "utf8")) as { manifests: { digest: string }[] };
      const m = JSON.parse(await readFile(join(pulled, "blobs", "sha256", index.manifests[0]!.digest.slice(7)), "utf8")) as ManifestJson;
      await mkdir(untarred, { recursive: true });
      const blobs = (m.layers ?? []).map((l) => q(join(pulled, "blobs", "sha256", l.digest.slice(7))));
      untar = await sh(`for b in ${blobs.join(" ")}; do tar xf "$b" -C ${q(untarred)} || exit 1; done`, timeoutS);
      errorNote("tar x (fetch baseline)", untar);
    }
    const baselineFetchMs = performance.now() - start;
    add(
      `skopeo copy registry -> oci: + tar x (baseline; tar x ${untar ? fmtS(untar.ms) : "-"})`,
      bad(skopeoPull, untar) ? "failed" : fmtS(baselineFetchMs),
      "1.00x",
    );
    const out = join(base, "fetched");
    const full = await timed(() => openStore(remoteSpec, { logger: silentLogger, cacheDir: join(base, "cache-fetch") }).fetch(ref, out));
    errorNote("fetch", full);
    const got = await countFiles(out);
    const fetchRatio = full.ms / baselineFetchMs;
    add(
      `fetch -> empty dir (${got.files} files, ${fmtB(got.bytes)})`,
      shown(full),
      fmtX(fetchRatio),
      "<= 1.5x skopeo + tar x",
      bad(full, skopeoPull, untar) ? "FAIL" : verdict(fetchRatio <= 1.5),
    );
    if (!bad(full) && (got.files !== count || got.bytes !== tree.bytes))
      notes.push(`fetch wrote ${got.files} files / ${got.bytes} B, expected ${count} / ${tree.bytes}`);

    const outSome = join(base, "fetched-include");
    const some = await timed(() =>
      openStore(remoteSpec, { logger: silentLogger, cacheDir: join(base, "cache-include") }).fetch(ref, outSome, {
        include: [tree.include],
      }),
    );
    errorNote("fetch --include", some);
    const gotSome = await countFiles(outSome);
    const includeRatio = some.ms / full.ms;
    add(
      `fetch --include '${tree.include}' (${gotSome.files} of ${count} files, ${fmtB(some.value?.downloadedBytes ?? 0)} downloaded)`,
      shown(some),
      fmtX(includeRatio),
      "<= 0.1x full fetch",
      bad(some, full) ? "FAIL" : verdict(includeRatio <= 0.1),
    );
    if (!bad(some) && gotSome.files !== tree.includeCount)
      notes.push(`fetch --include wrote ${gotSome.files} files, expected ${tree.includeCount}`);

    // 4. The CLI as a user runs it, one process each, for its wall time and peak RSS (GNU time).
    tell("CLI runs for peak RSS");
    const startup = await llmops(["--help"], join(base, "cache-cli-help"));
    add("CLI: llmops --help (start-up alone)", status(startup), "", "", "", fmtRss(startup));
    const cliVersion = await llmops(
      ["version", tree.dir, "--name", name, "--kind", "dataset", "--store", join(base, "layout-cli"), "--created", CREATED],
      join(base, "cache-cli-version"),
    );
    errorNote("CLI version", cliVersion);
    add("CLI: llmops version -> fresh layout (cold)", status(cliVersion), "", "", "", fmtRss(cliVersion));
    const cliFetch = await llmops(["fetch", ref, join(base, "fetched-cli"), "--store", remoteSpec], join(base, "cache-cli-fetch"));
    errorNote("CLI fetch", cliFetch);
    add("CLI: llmops fetch <- registry", status(cliFetch), "", "", "", fmtRss(cliFetch));
    if (cliVersion.rssMiB && !failed(cliVersion)) result.coldRss = cliVersion.rssMiB;
    if (cliFetch.rssMiB && !failed(cliFetch)) result.fetchRss = cliFetch.rssMiB;
    if (startup.rssMiB && !failed(startup)) result.startupRss = startup.rssMiB;

    // 5. change one file; re-version into the layout, re-push to the registry; what the registry gained (new blob files on its disk)
    tell("change one file, re-version, re-push");
    const changed = tree.paths[Math.floor(count / 2)]!;
    const old = await readFile(join(tree.dir, changed));
    old[0] = old[0]! ^ 0xff;
    await writeFile(join(tree.dir, changed), old);
    const reversion = await version(store);
    errorNote("re-version after 1 change", reversion);
    add(`re-version after changing ${changed}`, shown(reversion), fmtX(reversion.ms / cold.ms), "(vs cold)");
    const before = await registryBlobs(registry);
    const repush = await version(remote);
    errorNote("re-push after 1 change", repush);
    const after = await registryBlobs(registry);
    add("re-push after changing 1 file", shown(repush));
    const repushDigest = repush.value?.digest;
    if (repushDigest) {
      const { json } = await registryManifest(registry, remoteRepo, repushDigest);
      const known = new Map<string, { mediaType: string; size: number; where: string }>();
      descriptorsIn(json, known);
      const added = [...after].filter(([d]) => !before.has(d));
      let packBytes = 0;
      let packCount = 0;
      let indexBytes = 0;
      let otherBytes = 0;
      const parts: string[] = [];
      for (const [d, size] of added) {
        const desc = known.get(d);
        if (d === repushDigest) parts.push(`manifest ${fmtB(size)}`);
        else if (!desc) {
          otherBytes += size;
          parts.push(`unreferenced ${fmtB(size)}`);
        } else if (desc.mediaType === TAR_LAYER) {
          packBytes += size;
          packCount++;
          parts.push(`pack ${fmtB(size)}`);
        } else if (desc.where === "config") parts.push(`config ${fmtB(size)}`);
        else if (desc.mediaType === "application/octet-stream") {
          otherBytes += size;
          parts.push(`file layer ${fmtB(size)}`);
        } else {
          indexBytes += size;
          parts.push(`${desc.mediaType} ${fmtB(size)}`);
        }
      }
      const largestPack = Math.max(0, ...[...known.values()].filter((v) => v.mediaType === TAR_LAYER).map((v) => v.size));
      const indexSize = [...known.values()]
        .filter((v) => v.mediaType !== TAR_LAYER && v.where !== "config" && v.mediaType !== "application/octet-stream")
        .reduce((a, v) => a + v.size, 0);
      const total = added.reduce((a, [, s]) => a + s, 0);
      const budget = largestPack + indexSize;
      add(
        "  new blob files on the registry's disk",
        fmtB(total),
        `${packCount} pack(s)`,
        `packs+index+other <= largest pack + index (${fmtB(budget)})`,
        largestPack === 0 ? "FAIL" : verdict(packCount <= 1 && packBytes + indexBytes + otherBytes <= budget),
      );
      add(`  = ${parts.join(" + ") || "nothing"}`, "");
      add("  uploadedBytes the store reports", fmtB(repush.value?.uploadedBytes ?? 0));
    }
  } else {
    notes.push("no digest from the push: skipped listing, fetch, --include, CLI runs and re-push");
  }
  return result;
}

export async function runManyFiles(options: ManyFilesOptions): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), "llmops-bench-many-"));
  const registry = await startRegistry();
  const results: SizeResult[] = [];
  const loadBefore = loadavg()[0]!;
  process.stderr.write(
    `many-files: trees of ${options.counts.join(", ")} files under ${root}; registry ${registry.host}; peak RSS ${TIME_BIN ? "from /usr/bin/time %M" : "not measured (no /usr/bin/time)"}\n`,
  );
  try {
    for (const count of options.counts) {
      results.push(await benchOneSize(root, registry, count, options.stepTimeoutS));
      // Each size's trees and copies take up to ~1 GB at 100k files: drop them before the next.
      await rm(join(root, `n${count}`), { recursive: true, force: true });
    }
  } finally {
    await registry.close();
    await rm(root, { recursive: true, force: true });
  }
  const out: string[] = ["", "## many files (issue #14)", ""];
  for (const r of results) {
    out.push(`### ${r.count} files`, "", renderTable(r.rows), "");
    for (const n of r.notes) out.push(`note: ${n}`);
    if (r.notes.length) out.push("");
  }
  const small = results.find((r) => r.count === Math.min(...options.counts));
  const large = results.find((r) => r.count === Math.max(...options.counts));
  if (small && large && small !== large) {
    const rows: Row[] = [];
    for (const [what, a, b] of [
      ["llmops version (cold)", small.coldRss, large.coldRss],
      ["llmops fetch", small.fetchRss, large.fetchRss],
      ["llmops --help (start-up alone)", small.startupRss, large.startupRss],
    ] as const) {
      if (a && b) {
        const ratio = b / a;
        rows.push({
          what: `peak RSS, ${what}: ${large.count} vs ${small.count} files`,
          time: `${b.toFixed(0)} vs ${a.toFixed(0)} MiB`,
          ratio: fmtX(ratio),
          target: what === "llmops version (cold)" ? "<= 1.5x" : "(information)",
          verdict: what === "llmops version (cold)" ? verdict(ratio <= 1.5) : "",
          rss: "",
        });
      } else
        rows.push({
          what: `peak RSS, ${what}: ${large.count} vs ${small.count} files`,
          time: "n/a",
          ratio: "",
          target: "",
          verdict: "n/a",
          rss: "",
        });
    }
    out.push("### scaling", "", renderTable(rows), "");
  }
  out.push(
    "Times are wall clock of one run each. The measured operations call the store library in this process (as sections 1-5 do);",
    "the CLI: rows run `node packages/cli/bin/llmops.js` as a child process under /usr/bin/time, for its peak RSS (and wall time, start-up included).",
    "Targets are reported, not enforced: the bench exits 0 whatever they show.",
    `Load average (1 min) ${loadBefore.toFixed(1)} before and ${loadavg()[0]!.toFixed(1)} after this section: one run each, so ratios are as steady as the machine.`,
    "Run this section alone: pnpm bench:store --many-files [--counts 10000,100000] [--step-timeout 900]",
  );
  process.stdout.write(`${out.join("\n")}\n`);
}

export function parseCounts(value: string): number[] {
  const counts = value.split(",").map((s) => Number(s.trim()));
  if (counts.some((n) => !Number.isInteger(n) || n < 100)) throw new Error(`--counts ${value}: expected integers >= 100, comma-separated`);
  return counts;
}
