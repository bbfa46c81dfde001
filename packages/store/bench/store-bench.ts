// Store benchmark (issue #3): prints a table of timings and ratios, no pass/fail.
//   node packages/store/bench/store-bench.ts [--mib 1024] [--files 64]
// 1. cold `version` into a fresh layout vs `openssl dgst -sha256` over the same files (target <= 1.25x),
//    and vs a durable copy of the same bytes (cp + sync), the floor when the disk is the bottleneck
// 2. warm re-version of unchanged files vs cold (target <= 0.05x)
// 3. push to a local CNCF Distribution vs `skopeo copy oci:... docker://...` of the same layout (target <= 1.0x)
// 4. re-push after changing one file: bytes uploaded vs that file's size
// 5. peak RSS of a `version` at two model sizes (should stay flat)
// 6. many files (issue #14), see many-files.ts: trees of 10,000 and 100,000 files of 200 B-4 KiB,
//    driven through the `llmops` CLI, against `tar | sha256sum`, `skopeo copy` of a tar-layer image
//    and `skopeo copy` + `tar x`, with PASS/FAIL per target (reported, never the exit code).
//      node packages/store/bench/store-bench.ts --many-files            only this section
//      node packages/store/bench/store-bench.ts --skip-many-files       only sections 1-5
//      [--counts 10000,100000] [--step-timeout 900]                     tree sizes; seconds per CLI run
import { execFile, execFileSync, spawn } from "node:child_process";
import { randomFillSync } from "node:crypto";
import { mkdir, mkdtemp, open, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs, promisify } from "node:util";
import { silentLogger } from "@llmops/core";
import { startRegistry } from "../../../test/src/registry.ts";
import { openStore } from "../src/index.ts";
import { parseCounts, runManyFiles } from "./many-files.ts";

const { values } = parseArgs({
  options: {
    mib: { type: "string", default: "1024" },
    files: { type: "string", default: "64" },
    child: { type: "string" },
    "many-files": { type: "boolean", default: false },
    "skip-many-files": { type: "boolean", default: false },
    counts: { type: "string", default: "10000,100000" },
    "step-timeout": { type: "string", default: "900" },
  },
});

// Child mode: version one directory and report peak RSS (measured in a fresh process).
if (values.child) {
  const [src, storeDir, cacheDir] = values.child.split("|") as [string, string, string];
  await openStore(storeDir, { logger: silentLogger, cacheDir }).version({
    path: src,
    name: "rss",
    kind: "model",
    created: "2024-01-01T00:00:00Z",
  });
  process.stdout.write(JSON.stringify({ maxRssKiB: process.resourceUsage().maxRSS }));
  process.exit(0);
}

const totalMiB = Number(values.mib);
const fileCount = Number(values.files);
const MiB = 1024 * 1024;

async function generate(dir: string, mib: number, files: number): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const perFile = Math.floor((mib * MiB) / files);
  const buffer = Buffer.alloc(Math.min(perFile, 8 * MiB));
  const paths: string[] = [];
  for (let i = 0; i < files; i++) {
    const path = join(dir, `shard-${String(i).padStart(3, "0")}.bin`);
    const handle = await open(path, "w");
    for (let written = 0; written < perFile; written += buffer.length) {
      randomFillSync(buffer);
      await handle.write(buffer, 0, Math.min(buffer.length, perFile - written));
    }
    await handle.close();
    paths.push(path);
  }
  return paths;
}

async function time<T>(fn: () => Promise<T> | T): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await fn();
  return { ms: performance.now() - start, value };
}

function childRss(src: string, storeDir: string, cacheDir: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [import.meta.filename, "--child", `${src}|${storeDir}|${cacheDir}`], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.on("error", reject);
    child.on("exit", () => resolve((JSON.parse(out) as { maxRssKiB: number }).maxRssKiB / 1024));
  });
}

if (!values["many-files"]) await largeFiles();
if (!values["skip-many-files"]) await runManyFiles({ counts: parseCounts(values.counts), stepTimeoutS: Number(values["step-timeout"]) });

async function largeFiles(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), "llmops-bench-"));
  const registry = await startRegistry();
  const rows: [string, string, string, string][] = [];
  const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  try {
    process.stderr.write(`generating ${totalMiB} MiB in ${fileCount} files under ${root}\n`);
    const src = join(root, "model");
    const paths = await generate(src, totalMiB, fileCount);

    // Baseline first, so both it and our cold run read from the same (warm) page cache.
    const openssl = await time(() => execFileSync("openssl", ["dgst", "-sha256", ...paths], { maxBuffer: 64 * MiB }));
    const layout = join(root, "layout");
    const cacheDir = join(root, "cache");
    const store = openStore(layout, { logger: silentLogger, cacheDir });
    const cold = await time(() => store.version({ path: src, name: "bench", kind: "model", created: "2024-01-01T00:00:00Z" }));
    // Versioning into the layout also writes every byte durably (fsync before rename), so the
    // disk's durable write speed is a floor too: the same bytes copied with cp, then synced.
    const copyDir = join(root, "copy");
    const durableCopy = await time(() => {
      execFileSync("cp", ["-r", src, copyDir]);
      execFileSync("sync", ["-f", copyDir]);
    });
    await rm(copyDir, { recursive: true, force: true });
    const floor = Math.max(openssl.ms, durableCopy.ms);
    rows.push(["openssl dgst -sha256 (baseline)", fmt(openssl.ms), "1.00x", ""]);
    rows.push(["cp + sync, same files (durable-write floor)", fmt(durableCopy.ms), `${(durableCopy.ms / openssl.ms).toFixed(2)}x`, ""]);
    rows.push(["cold version -> layout", fmt(cold.ms), `${(cold.ms / openssl.ms).toFixed(2)}x`, "<= 1.25x of openssl"]);
    rows.push([
      "cold version vs max(openssl, cp + sync)",
      fmt(cold.ms),
      `${(cold.ms / floor).toFixed(2)}x`,
      "~1.0x: bound by hash or disk",
    ]);

    // The files were written seconds before the cold run, inside the stat cache's 2 s racy window
    // (git's "racy git" rule), so the first re-version re-hashes them once and records them as
    // settled; every later one is the steady state a user sees.
    const firstWarm = await time(() => store.version({ path: src, name: "bench", kind: "model", created: "2024-01-01T00:00:00Z" }));
    rows.push([
      "re-version, files written < 2 s before cold",
      fmt(firstWarm.ms),
      `${(firstWarm.ms / cold.ms).toFixed(3)}x`,
      "re-hashed once (racy-git rule)",
    ]);
    const warm = await time(() => store.version({ path: src, name: "bench", kind: "model", created: "2024-01-01T00:00:00Z" }));
    rows.push(["warm re-version (unchanged)", fmt(warm.ms), `${(warm.ms / cold.ms).toFixed(3)}x`, "<= 0.05x of cold"]);

    const skopeo = await time(() =>
      promisify(execFile)("skopeo", [
        "copy",
        "--dest-tls-verify=false",
        `oci:${layout}:bench:v1`,
        `docker://${registry.host}/skopeo/bench:v1`,
      ]),
    );
    const remote = openStore(`oci://${registry.host}/ours`, { logger: silentLogger, cacheDir });
    const push = await time(() => remote.version({ path: src, name: "bench", kind: "model", created: "2024-01-01T00:00:00Z" }));
    rows.push(["skopeo copy oci: -> registry (baseline)", fmt(skopeo.ms), "1.00x", ""]);
    rows.push(["push version -> registry", fmt(push.ms), `${(push.ms / skopeo.ms).toFixed(2)}x`, "<= 1.0x of skopeo"]);

    const changed = paths[Math.floor(paths.length / 2)]!;
    await writeFile(changed, Buffer.alloc(Math.floor((totalMiB * MiB) / fileCount), 7));
    const repush = await time(() => remote.version({ path: src, name: "bench", kind: "model", created: "2024-01-01T00:00:00Z" }));
    const fileBytes = Math.floor((totalMiB * MiB) / fileCount);
    rows.push([
      "re-push after changing 1 file",
      fmt(repush.ms),
      `${repush.value.uploadedBytes} B sent`,
      `= that file's ${fileBytes} B: ${repush.value.uploadedBytes === fileBytes ? "yes" : "NO"}`,
    ]);

    const smallMiB = Math.max(16, Math.floor(totalMiB / 4));
    const small = join(root, "small");
    await generate(small, smallMiB, fileCount);
    const rssSmall = await childRss(small, join(root, "rss-small"), join(root, "rss-cache-small"));
    const rssLarge = await childRss(src, join(root, "rss-large"), join(root, "rss-cache-large"));
    rows.push([`peak RSS, version ${smallMiB} MiB`, `${rssSmall.toFixed(0)} MiB`, "1.00x", ""]);
    rows.push([`peak RSS, version ${totalMiB} MiB`, `${rssLarge.toFixed(0)} MiB`, `${(rssLarge / rssSmall).toFixed(2)}x`, "flat (~1.0x)"]);
  } finally {
    await registry.close();
    await rm(root, { recursive: true, force: true });
  }

  const widths = [0, 1, 2, 3].map((i) => Math.max(...[["measurement", "time", "ratio", "target"], ...rows].map((r) => r[i]!.length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  process.stdout.write(
    `${[line(["measurement", "time", "ratio", "target"]), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n")}\n(${totalMiB} MiB in ${fileCount} files)\n`,
  );
}
