import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { InputError, recordingLogger } from "@llmops/core";
import { afterEach, describe, expect, it } from "vitest";
import { loadBaselineFromStore, readResultsSet, readRunResults } from "../../src/compare/index.ts";
import { memoryStore, run } from "./helpers.ts";

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "llmops-baseline-"));
  dirs.push(dir);
  return dir;
}

async function writeRun(dir: string, suite: string, results = "results.jsonl"): Promise<void> {
  const r = run(suite, [
    { id: "a", pass: true },
    { id: "b", pass: false },
  ]);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, "summary.json"), JSON.stringify({ ...r.summary, results }));
  await writeFile(path.join(dir, results), `${r.cases.map((c) => JSON.stringify(c)).join("\n")}\n\n`);
}

describe("reading results directories", () => {
  it("reads a run from its directory or its summary.json, following summary.results", async () => {
    const dir = await tempDir();
    await writeRun(dir, "s", "cases.jsonl");
    const fromDir = await readRunResults(dir);
    const fromFile = await readRunResults(path.join(dir, "summary.json"));
    expect(fromDir.summary.suite).toBe("s");
    expect(fromDir.cases.map((c) => c.id)).toEqual(["a", "b"]);
    expect(fromFile.cases).toEqual(fromDir.cases);
  });

  it("finds every suite below a parent directory, including variant paths", async () => {
    const dir = await tempDir();
    await writeRun(path.join(dir, "alpha"), "alpha");
    await writeRun(path.join(dir, "beta", "openai"), "beta/openai");
    const runs = await readResultsSet(dir);
    expect(runs.map((r) => r.summary.suite)).toEqual(["alpha", "beta/openai"]);
  });

  it("says what is missing or malformed, naming the file", async () => {
    const dir = await tempDir();
    await expect(readResultsSet(path.join(dir, "nope"))).rejects.toThrow(/results .*nope: not found/);
    await expect(readResultsSet(dir)).rejects.toThrow(/no summary.json found/);
    await writeFile(path.join(dir, "summary.json"), "{");
    await expect(readRunResults(dir)).rejects.toThrow(/summary\.json: not valid JSON/);
    await writeFile(path.join(dir, "summary.json"), JSON.stringify({ schemaVersion: 1, suite: "s" }));
    await expect(readRunResults(dir)).rejects.toThrow(/summary\.json: not an eval summary: suiteDigest: /);
    await writeRun(dir, "s");
    await rm(path.join(dir, "results.jsonl"));
    await expect(readRunResults(dir)).rejects.toThrow(InputError);
    await expect(readRunResults(dir)).rejects.toThrow(/results\.jsonl: not found \(the summary names it\)/);
    await writeFile(path.join(dir, "other.json"), "{}");
    await expect(readRunResults(path.join(dir, "other.json"))).rejects.toThrow(/expected a results directory or its summary\.json/);
  });
});

describe("baseline from store evidence", () => {
  const make = (suite: string, complete: boolean, passing: boolean) => {
    const r = run(suite, [{ id: "a", pass: passing }], { complete });
    return { summary: r.summary, results: r.cases.map((c) => JSON.stringify(c)).join("\n") };
  };

  it("takes the newest complete evidence of the suite", async () => {
    const logger = recordingLogger();
    const store = memoryStore([
      { created: "2026-01-01T00:00:00Z", suite: "s", ...make("s", true, false) },
      { created: "2026-01-03T00:00:00Z", suite: "other", ...make("other", true, true) },
      { created: "2026-01-04T00:00:00Z", suite: "s", ...make("s", false, true) },
      { created: "2026-01-02T00:00:00Z", suite: "s", ...make("s", true, true) },
    ]);
    const found = await loadBaselineFromStore({ store, ref: "m:production", suite: "s", logger });
    expect(found.results?.summary.suite).toBe("s");
    expect(found.results?.cases[0]?.pass).toBe(true); // the 01-02 run, not the incomplete 01-04 one
    expect(found.info).toEqual({
      source: "alias",
      description: 'suite "s" results recorded on m:production (v3)',
      digest: `sha256:${"c".repeat(64)}`,
    });
    expect(logger.lines.some((l) => l.message.includes("skipping incomplete eval evidence"))).toBe(true);
  });

  it("returns no baseline, saying why, when the suite has no evidence", async () => {
    const logger = recordingLogger();
    const store = memoryStore([{ created: "2026-01-01T00:00:00Z", suite: "other", ...make("other", true, true) }]);
    const found = await loadBaselineFromStore({ store, ref: "m:production", suite: "s", logger });
    expect(found.results).toBeNull();
    expect(found.info).toEqual({ source: "none", description: 'no eval results of suite "s" are recorded on m:production (v3)' });
  });

  it("lets a missing alias fail as the store reports it", async () => {
    await expect(
      loadBaselineFromStore({ store: memoryStore([]), ref: "m:staging", suite: "s", logger: recordingLogger() }),
    ).rejects.toThrow("ref m:staging: not found");
  });
});
