import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { silentLogger } from "@llmops/core";
import { type GitHubServer, startGitHubServer } from "@llmops/test/github-server";
import { zipSync } from "fflate";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { downloadRunArtifact, extractZip } from "../src/artifacts.ts";
import { ArtifactTooLargeError, UnsafeArtifactError } from "../src/errors.ts";
import { createOctokit, type GitHubClient } from "../src/octokit.ts";

const owner = "octo-org";
const repo = "octo-repo";
const MiB = 1024 * 1024;
let server: GitHubServer;
let octokit: GitHubClient;
let dir: string;

beforeEach(async () => {
  server = await startGitHubServer({ owner, repo });
  octokit = createOctokit({ token: "t0ken", baseUrl: server.url, logger: silentLogger, retries: 0, pace: false });
  dir = await mkdtemp(join(tmpdir(), "llmops-artifacts-"));
});
afterEach(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

const text = (s: string) => new TextEncoder().encode(s);

/** Patches every central-directory record's uncompressed size to `size`: what a zip bomb declares. */
function lieAboutSizes(zip: Uint8Array, size: number): Uint8Array {
  const out = Buffer.from(zip);
  for (let at = 0; at + 4 <= out.length; at++) if (out.readUInt32LE(at) === 0x02014b50) out.writeUInt32LE(size, at + 24);
  return out;
}

function seed(zip: Uint8Array, extra: Record<string, unknown> = {}) {
  server.state.artifacts.push({ name: "report", workflow_run: { id: 900 }, zip, ...extra });
}

const download = (dest: string, limits = {}) => downloadRunArtifact({ octokit, owner, repo, runId: 900, name: "report", dest, limits });

describe("downloadRunArtifact", () => {
  it("streams the zip from the redirect and extracts it", async () => {
    seed(zipSync({ "report.json": text("{}"), "qa/comparison.json": text("[]") }));
    const found = await download(join(dir, "out"));
    expect(found?.files).toEqual(["qa/comparison.json", "report.json"]);
    expect(await readFile(join(dir, "out/qa/comparison.json"), "utf8")).toBe("[]");
    const blob = server.calls.find((c) => c.path.startsWith("/_blobs/"));
    expect(blob?.status).toBe(200);
  });

  it("extracts only the entries asked for", async () => {
    seed(zipSync({ "report.json": text("{}"), "baseline/results.jsonl": text("x"), "qa/comparison.json": text("[]") }));
    const found = await downloadRunArtifact({
      octokit,
      owner,
      repo,
      runId: 900,
      name: "report",
      dest: join(dir, "out"),
      include: (p) => p === "report.json",
    });
    expect(found?.files).toEqual(["report.json"]);
    expect(existsSync(join(dir, "out/baseline"))).toBe(false);
  });

  it("refuses an artifact GitHub lists as over the zip limit, before downloading it", async () => {
    seed(zipSync({ "big.bin": crypto.getRandomValues(new Uint8Array(64 * 1024)) }, { level: 0 }));
    const error = await download(join(dir, "out"), { maxZipBytes: 16 * 1024 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArtifactTooLargeError);
    expect((error as Error).message).toMatch(/^artifact report of workflow run 900 is \d+ bytes; at most 16384 are downloaded$/);
    expect(server.calls.some((c) => c.path.startsWith("/_blobs/"))).toBe(false);
    expect(existsSync(join(dir, "out"))).toBe(false);
  });

  it("stops a download larger than the listing said", async () => {
    seed(zipSync({ "big.bin": crypto.getRandomValues(new Uint8Array(64 * 1024)) }, { level: 0 }), { size_in_bytes: 100 });
    const error = await download(join(dir, "out"), { maxZipBytes: 16 * 1024 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArtifactTooLargeError);
    expect(existsSync(join(dir, "out"))).toBe(false);
  });

  it("stops inflating a zip bomb at the entry limit, whatever sizes its headers declare", async () => {
    // 32 MiB of zeros deflate to about 32 KiB; the central directory claims 100 bytes.
    const bomb = lieAboutSizes(zipSync({ "report.json": new Uint8Array(32 * MiB) }, { level: 9 }), 100);
    expect(bomb.length).toBeLessThan(MiB);
    seed(bomb);
    const error = await download(join(dir, "out"), { maxEntryBytes: 4 * MiB }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArtifactTooLargeError);
    expect((error as Error).message).toBe('artifact entry "report.json" inflates past 4194304 bytes');
    expect(existsSync(join(dir, "out"))).toBe(false);
    expect((await readdir(dir)).filter((f) => f.startsWith("out"))).toEqual([]);
  });

  it("stops at the total limit across many entries", async () => {
    const files = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`f${i}.bin`, new Uint8Array(MiB)]));
    seed(zipSync(files, { level: 9 }));
    const error = await download(join(dir, "out"), { maxTotalBytes: 3 * MiB }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArtifactTooLargeError);
    expect((error as Error).message).toBe("artifact inflates past 3145728 bytes in all");
  });

  it("refuses more entries than allowed", async () => {
    const files = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`f${i}`, text("x")]));
    seed(zipSync(files));
    await expect(download(join(dir, "out"), { maxEntries: 10 })).rejects.toThrow(ArtifactTooLargeError);
  });
});

describe("extractZip", () => {
  for (const name of ["../evil.txt", "a/../../evil.txt", "/etc/evil", "C:/evil.txt", "..\\evil.txt", "a\\..\\..\\evil.txt"]) {
    it(`refuses ${JSON.stringify(name)} and writes nothing`, async () => {
      const zip = zipSync({ "ok.txt": text("fine"), [name]: text("x") });
      const error = await extractZip(zip, join(dir, "sub", "out")).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UnsafeArtifactError);
      expect(existsSync(join(dir, "evil.txt"))).toBe(false);
      expect(existsSync(join(dir, "sub", "out"))).toBe(false);
    });
  }

  it("refuses symbolic links", async () => {
    const zip = zipSync({ link: [text("/etc/passwd"), { os: 3, attrs: 0o120777 << 16 }] });
    await expect(extractZip(zip, join(dir, "out"))).rejects.toThrow(/is a symbolic link/);
  });

  it("reads zips with data descriptors and ZIP64 fields written by another implementation", async () => {
    // Written by CPython's zipfile (fixtures/make_zips.py), streaming as upload-artifact's zipper does.
    for (const fixture of ["streamed.zip", "zip64.zip"]) {
      const zip = await readFile(join(import.meta.dirname, "fixtures", fixture));
      const out = join(dir, fixture);
      expect(await extractZip(zip, out)).toEqual(["qa/comparison.json", "report.json"]);
      expect(await readFile(join(out, "report.json"), "utf8")).toBe('{"schemaVersion":1}\n');
      expect(await readFile(join(out, "qa/comparison.json"), "utf8")).toBe(`${"é".repeat(5000)}\n`);
    }
  });

  it("refuses a file where another entry needs a directory, with a named error", async () => {
    const zip = zipSync({ a: text("file"), "a/b": text("under a file") });
    await expect(extractZip(zip, join(dir, "out"))).rejects.toThrow(UnsafeArtifactError);
    expect(existsSync(join(dir, "out"))).toBe(false);
  });

  it("refuses a corrupted entry", async () => {
    const zip = Buffer.from(zipSync({ "a.txt": text("hello hello hello") }, { level: 0 }));
    zip[zip.indexOf("hello")] = "j".charCodeAt(0);
    await expect(extractZip(zip, join(dir, "out"))).rejects.toThrow(/does not match its recorded size and checksum/);
  });
});
