// Dataset checks as gates: `llmops version` checks a declared dataset before storing it, and
// `llmops eval --check` checks the dataset versions its suites read before running them.
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CHECK_ARTIFACT_TYPE, silentLogger } from "@llmops/core";
import { evaluate } from "@llmops/eval";
import { readCheckRecords } from "@llmops/operate";
import { openStore } from "@llmops/store";
import { afterEach, describe, expect, it } from "vitest";
import { type OpenAIServer, startOpenAIServer } from "../../../test/src/openai-server.ts";
import { runMain } from "./helpers.ts";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((f) => f()));
});

async function workspace(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "llmops-cli-check-gates-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function server(): Promise<OpenAIServer> {
  const s = await startOpenAIServer();
  cleanups.push(() => s.close());
  return s;
}

async function write(root: string, files: Record<string, string>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(root, path, ".."), { recursive: true });
    await writeFile(join(root, path), text);
  }
}

const jsonl = (rows: unknown[]) => `${rows.map((r) => JSON.stringify(r)).join("\n")}\n`;
const CLEAN = jsonl([
  { id: "a", vars: { text: "answer 1" }, expected: "answer 1" },
  { id: "b", vars: { text: "answer 2" }, expected: "answer 2" },
]);
const DIRTY = jsonl([
  { id: "a", vars: { text: "mail me: jane@example.com" }, expected: "ok" },
  { id: "b", vars: { text: "answer 2" }, expected: "answer 2" },
]);
const ARTIFACTS = ["artifacts:", "  acme/train:", "    kind: dataset", "    path: data", "    checks: { pii: { max: 0 } }", ""].join("\n");

function llmops(args: string[], cwd: string) {
  return runMain(args, { cwd, env: { PATH: process.env.PATH, LLMOPS_CACHE_DIR: join(cwd, ".cache") } });
}

const storeOf = (cwd: string) => openStore(join(cwd, "store"), { logger: silentLogger, cwd, cacheDir: join(cwd, ".cache") });

describe("llmops version: declared datasets are checked before they are stored", () => {
  it("refuses a dataset whose checks fail (exit 1, the reasons, nothing stored); --no-check stores it unchecked", async () => {
    const cwd = await workspace();
    await write(cwd, { "llmops.yaml": ARTIFACTS, "data/train.jsonl": DIRTY });
    const refused = await llmops(["version", "--store", "store"], cwd);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("acme/train: failed its checks (pii: 1 personal data or secrets (max 0; email 1)); nothing stored");
    expect(refused.stdout).toContain("FAILED");
    expect(refused.stdout).not.toContain("jane@");
    await expect(storeOf(cwd).resolve("acme/train:v1")).rejects.toThrow();

    const json = await llmops(["version", "--store", "store", "--json"], cwd);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ passed: false, checks: [{ passed: false, dataset: { name: "acme/train" } }] });

    const unchecked = await llmops(["version", "--store", "store", "--no-check"], cwd);
    expect(unchecked.stderr).not.toMatch(/fail|error/i);
    expect(unchecked.code).toBe(0);
    const version = await storeOf(cwd).resolve("acme/train:v1");
    expect(await storeOf(cwd).listEvidence(version, CHECK_ARTIFACT_TYPE)).toEqual([]);
  });

  it("stores a clean dataset and records the check on the version, once while it is unchanged", async () => {
    const cwd = await workspace();
    await write(cwd, { "llmops.yaml": ARTIFACTS, "data/train.jsonl": CLEAN });
    const stored = await llmops(["version", "--store", "store"], cwd);
    expect(stored.stderr).not.toMatch(/fail|error/i);
    expect(stored.code).toBe(0);
    expect(stored.stdout).toMatch(
      /^acme\/train:v1 {2}sha256:[0-9a-f]{64} {2}\(1 files, .*\)\n {2}checks passed: 2 cases, recorded sha256:/,
    );
    const store = storeOf(cwd);
    const version = await store.resolve("acme/train:v1");
    expect(await store.listEvidence(version, CHECK_ARTIFACT_TYPE)).toHaveLength(1);
    const [record] = await readCheckRecords(store, version, { logger: silentLogger });
    expect(record!.result).toMatchObject({
      passed: true,
      cases: 2,
      dataset: { ref: "acme/train:v1", name: "acme/train", digest: version.digest, version: "v1" },
    });

    const again = await llmops(["version", "--store", "store", "--json"], cwd);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).versions[0]).toMatchObject({ unchanged: true, check: { passed: true } });
    expect(await store.listEvidence(version, CHECK_ARTIFACT_TYPE)).toHaveLength(1);
  });

  it("with <path> checks only with --check, by the --name declared in llmops.yaml", async () => {
    const cwd = await workspace();
    await write(cwd, { "llmops.yaml": ARTIFACTS, "data/train.jsonl": DIRTY });
    const args = ["version", "data", "--name", "acme/train", "--kind", "dataset", "--store", "store"];
    const refused = await llmops([...args, "--check"], cwd);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("pii: 1 personal data or secrets");
    await expect(storeOf(cwd).resolve("acme/train:v1")).rejects.toThrow();

    const undeclared = await llmops(["version", "data", "--name", "acme/other", "--kind", "dataset", "--store", "store", "--check"], cwd);
    expect(undeclared.code).toBe(2);
    expect(undeclared.stderr).toMatch(/llmops\.yaml declares no artifact acme\/other with checks:/);

    const unchecked = await llmops(args, cwd);
    expect(unchecked.code).toBe(0);

    await write(cwd, { "data/train.jsonl": CLEAN });
    const checked = await llmops([...args, "--check"], cwd);
    expect(checked.stderr).not.toMatch(/fail|error/i);
    expect(checked.code).toBe(0);
    expect(checked.stdout).toContain("checks passed: 2 cases, recorded sha256:");
    const store = storeOf(cwd);
    expect(await store.listEvidence(await store.resolve("acme/train:v2"), CHECK_ARTIFACT_TYPE)).toHaveLength(1);
  });
});

describe("llmops eval --check", () => {
  async function setup(cases: string): Promise<{ cwd: string; s: OpenAIServer }> {
    const s = await server();
    const cwd = await workspace();
    await write(cwd, { "data/cases.jsonl": cases });
    await storeOf(cwd).version({ path: join(cwd, "data"), name: "acme/train", kind: "dataset" });
    await write(cwd, {
      "llmops.yaml": [
        "store: store",
        ARTIFACTS,
        "suites:",
        "  - name: ds",
        `    provider: { type: openai, baseUrl: "${s.url}", model: m1, apiKeyEnv: null }`,
        '    prompt: "{{text}}"',
        "    casesFrom: { dataset: acme/train:v1, file: cases.jsonl }",
        "    scorers: [{ type: equals }]",
        "",
      ].join("\n"),
    });
    return { cwd, s };
  }

  it("runs no suite when a dataset a suite reads fails its checks; without --check the suite runs", async () => {
    const { cwd, s } = await setup(DIRTY);
    const refused = await llmops(["eval", "--check"], cwd);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("acme/train: failed its checks (pii: 1 personal data or secrets (max 0; email 1)); read by suite ds");
    expect(s.requests).toHaveLength(0);
    expect(existsSync(join(cwd, ".llmops", "results", "ds"))).toBe(false);

    const ran = await llmops(["eval"], cwd);
    expect(s.requests.length).toBeGreaterThan(0);
    expect(ran.stdout).toContain("ds:");
  });

  it("runs the suites when their datasets pass", async () => {
    const { cwd, s } = await setup(CLEAN);
    const ran = await llmops(["eval", "--check"], cwd);
    expect(ran.code).toBe(0);
    expect(ran.stdout).toContain("ds: passed");
    expect(s.requests).toHaveLength(2);
  });

  it("checks the version in the store even when a directory named like the ref exists", async () => {
    const { cwd, s } = await setup(DIRTY);
    await write(cwd, { "acme/train:v1/cases.jsonl": CLEAN });
    const refused = await llmops(["eval", "--check"], cwd);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("acme/train: failed its checks");
    expect(s.requests).toHaveLength(0);
  });

  it("reads the digest the gate checked: an alias moved after the check cannot bring in another version", async () => {
    const s = await server();
    const cwd = await workspace();
    await write(cwd, { "data/cases.jsonl": CLEAN });
    const store = storeOf(cwd);
    const checked = await store.version({ path: join(cwd, "data"), name: "acme/train", kind: "dataset", aliases: ["latest"] });
    await write(cwd, { "data/cases.jsonl": jsonl([{ id: "z", vars: { text: "moved" }, expected: "moved" }]) });
    await store.version({ path: join(cwd, "data"), name: "acme/train", kind: "dataset", aliases: ["latest"] });
    await write(cwd, {
      "llmops.yaml": [
        "store: store",
        "suites:",
        "  - name: ds",
        `    provider: { type: openai, baseUrl: "${s.url}", model: m1, apiKeyEnv: null }`,
        '    prompt: "{{text}}"',
        "    casesFrom: { dataset: acme/train:latest, file: cases.jsonl }",
        "    scorers: [{ type: equals }]",
        "",
      ].join("\n"),
    });
    const result = await evaluate({
      cwd,
      env: {},
      logger: silentLogger,
      cache: false,
      openStore: () => storeOf(cwd),
      datasetDigests: new Map([["acme/train:latest", checked.digest]]),
    });
    expect(result.suites[0]!.summary.cases).toBe(2);
    expect(result.suites[0]!.summary.dataset).toMatchObject({ ref: "acme/train:latest", digest: checked.digest });
  });
});
