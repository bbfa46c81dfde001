import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runSummarySchema } from "@llmops/core";
import { afterEach, describe, expect, it } from "vitest";
import { buildRunSummary, suiteDigest, suiteDigestOf } from "../../src/results/summary.ts";
import { readRunOutputs, writeRunOutputs } from "../../src/results/write.ts";
import { row, scored } from "../aggregate/rows.ts";

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});
async function temp() {
  const dir = await mkdtemp(join(tmpdir(), "llmops-results-"));
  dirs.push(dir);
  return dir;
}

const exact = { name: "exact", type: "equals", weight: 1, higherIsBetter: true, scoreCase: async () => ({ score: 0, pass: false }) };

describe("suiteDigest", () => {
  it("is the sha256 of the canonical JSON, independent of key order", () => {
    // printf '{"a":1,"b":[2,3]}' | sha256sum
    expect(suiteDigest({ b: [2, 3], a: 1 })).toBe("sha256:efbd0040190fb0871831e606c581f8a66db79d8e2bb836745a70051306956070");
  });

  it("suiteDigestOf hashes the cases one at a time to the same digest", () => {
    const cases = [
      { id: "a", vars: { q: "ünï 🎉", n: [1, undefined, { z: 1, a: null }] }, expected: undefined, tags: {} },
      { id: "b", vars: {}, expected: { y: 2, x: "\u2028" }, tags: { lang: "de" } },
      undefined,
    ];
    for (const material of [
      { suite: { name: "s", gates: [] }, prompts: [{ text: "{{q}}", messages: undefined }] },
      { suite: { name: "s" }, prompts: [], variant: { provider: "openai:m", prompt: 2 }, cases: "replaced" },
      { zeta: 1, alpha: undefined },
    ]) {
      expect(suiteDigestOf(material, () => cases)).toBe(suiteDigest({ ...material, cases }));
      expect(suiteDigestOf(material, () => [])).toBe(suiteDigest({ ...material, cases: [] }));
    }
    // printf '{"cases":[{"id":"a"}],"suite":1}' | sha256sum
    expect(suiteDigestOf({ suite: 1 }, () => [{ id: "a" }])).toBe(
      "sha256:957fda96839a103be2aed2c17550819956d0519fac88391906645a35cd2d0cab",
    );
  });

  it("suiteDigestOf fails as suiteDigest does, naming the value's place in the whole material", () => {
    const cases = [
      { id: "a", vars: {} },
      { id: "b", vars: { x: Number.POSITIVE_INFINITY } },
    ];
    expect(() => suiteDigest({ suite: 1, cases })).toThrow("$.cases[1].vars.x: Infinity cannot be represented in JSON");
    expect(() => suiteDigestOf({ suite: 1 }, () => cases)).toThrow("$.cases[1].vars.x: Infinity cannot be represented in JSON");
  });
});

describe("buildRunSummary", () => {
  const rows = [scored(0, { exact: 1 }), scored(1, { exact: 0 }), row({ index: 2, error: "HTTP 500: x", pass: false })];
  const input = {
    suite: "s",
    suiteDigest: suiteDigest({ s: 1 }),
    rows,
    scorers: [exact],
    gates: [{ metric: "pass_rate", min: 0.5 }],
    sliceKeys: [],
    providers: ["p"],
    startedAt: "2026-01-01T00:00:00.000Z",
    finishedAt: "2026-01-01T00:01:00.000Z",
  };
  it("produces a schema-valid summary and gates a complete run", () => {
    const summary = buildRunSummary({ ...input, complete: true });
    expect(runSummarySchema.parse(summary)).toEqual(summary);
    expect(summary).toMatchObject({ cases: 3, errors: 1, complete: true, passed: false });
    expect(summary.gates[0]).toMatchObject({ description: "pass_rate >= 0.5", passed: false });
  });
  it("never passes an interrupted run and lists no gates for it", () => {
    const summary = buildRunSummary({ ...input, gates: [], complete: false });
    expect(summary).toMatchObject({ complete: false, passed: false, gates: [] });
  });
});

describe("writeRunOutputs / readRunOutputs", () => {
  const rows = [scored(0, { exact: 1 }), scored(1, { exact: 0 })];
  const summary = buildRunSummary({
    suite: "s",
    suiteDigest: suiteDigest({}),
    rows,
    scorers: [exact],
    gates: [],
    sliceKeys: [],
    providers: ["p"],
    startedAt: "a",
    finishedAt: "b",
    complete: true,
  });

  it("writes every file with no temp file left behind, and reads them back", async () => {
    const dir = join(await temp(), "nested", "out");
    const written = await writeRunOutputs(dir, summary, rows, {
      junit: (s, cases) => `<testsuite name="${s.suite}" tests="${cases.length}"/>`,
      markdown: (s) => `# ${s.suite}`,
    });
    expect((await readdir(dir)).sort()).toEqual(["junit.xml", "results.jsonl", "summary.json", "summary.md"]);
    expect(await readFile(written.junitPath!, "utf8")).toBe('<testsuite name="s" tests="2"/>');
    const lines = (await readFile(written.resultsPath, "utf8")).trimEnd().split("\n");
    expect(lines).toHaveLength(2);
    const back = await readRunOutputs(dir);
    expect(back.summary).toEqual(summary);
    expect(back.rows).toEqual(rows);
  });

  it("names the file and line of a bad results row, and a missing summary", async () => {
    const dir = await temp();
    await expect(readRunOutputs(dir)).rejects.toThrow(`${join(dir, "summary.json")}: not found`);
    await writeRunOutputs(dir, summary, rows);
    await writeFile(join(dir, "results.jsonl"), `${JSON.stringify(rows[0])}\n{"id": 1}\n`);
    await expect(readRunOutputs(dir)).rejects.toThrow(`${join(dir, "results.jsonl")}:2: not a case result: `);
    await writeFile(join(dir, "summary.json"), "{}");
    await expect(readRunOutputs(dir)).rejects.toThrow(`${join(dir, "summary.json")}: not an eval summary: schemaVersion: `);
  });
});
