import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { silentLogger } from "@llmops/core";
import { checkResultSchema } from "@llmops/operate";
import { FILE_INDEX_MEDIA_TYPE, type Manifest, openStore } from "@llmops/store";
import { afterEach, describe, expect, it } from "vitest";
import { checkCommand } from "../src/commands/check.ts";
import { versionCommand } from "../src/commands/version.ts";
import { runMain } from "./helpers.ts";

// `llmops check` materializes the dataset version it checks; a dataset of many files is stored
// packed (tar packs + a file index), and materialize reads those too.

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

function run(args: string[], cwd: string) {
  return runMain(args, { cwd, env: { LLMOPS_CACHE_DIR: join(cwd, ".cache") }, commands: [versionCommand, checkCommand] });
}

describe("llmops check on a packed dataset version", () => {
  it("materializes the packs and checks every file", async () => {
    const cwd = await mkdtemp(join(tmpdir(), "llmops-cli-check-packed-"));
    dirs.push(cwd);
    const files = 40;
    for (let i = 0; i < files; i++) {
      const shard = join(cwd, "data", `part-${i % 4}`);
      await mkdir(shard, { recursive: true });
      const row = { question: `What is ${i} plus ${i}?`, expected: String(2 * i) };
      await writeFile(join(shard, `rows-${String(i).padStart(3, "0")}.jsonl`), `${JSON.stringify(row)}\n`);
    }
    // One row with personal data, so the check must have read the packed files to fail.
    await writeFile(join(cwd, "data", "part-0", "rows-999.jsonl"), `${JSON.stringify({ question: "mail jane@example.com" })}\n`);
    const versioned = await run(
      ["version", "data", "--name", "acme/many", "--kind", "dataset", "--store", "store", "--pack-min-files", "10", "--json"],
      cwd,
    );
    expect(versioned.stderr).not.toMatch(/error/i);
    expect(versioned.code).toBe(0);
    const { digest } = JSON.parse(versioned.stdout) as { digest: string };
    const store = openStore(join(cwd, "store"), { logger: silentLogger, cwd, cacheDir: join(cwd, ".cache") });
    const manifest = JSON.parse(await readFile(join(cwd, "store", "blobs", "sha256", digest.slice("sha256:".length)), "utf8")) as Manifest;
    expect(manifest.layers[0]!.mediaType).toBe(FILE_INDEX_MEDIA_TYPE);
    expect((await store.resolve("acme/many:v1")).digest).toBe(digest);

    const { code, stdout, stderr } = await run(["check", "acme/many:v1", "--store", "store", "--json"], cwd);
    expect(stderr).not.toMatch(/packed version|use fetch/);
    expect(code).toBe(1);
    const result = checkResultSchema.parse(JSON.parse(stdout));
    expect(result.dataset).toEqual({ ref: "acme/many:v1", name: "acme/many", digest, version: "v1" });
    expect(result.files.map((f) => f.path).sort()).toHaveLength(files + 1);
    expect(result.files.find((f) => f.path === "part-0/rows-999.jsonl")).toMatchObject({ rows: 1, format: "jsonl" });
    expect(result.cases).toBe(files + 1);
    expect(result.reasons).toEqual(["pii: 1 personal data or secrets (max 0; email 1)"]);
  });
});
