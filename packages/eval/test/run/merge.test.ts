import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InputError, silentLogger } from "@llmops/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { buildRunSummary, suiteDigest } from "../../src/results/summary.ts";
import { writeRunOutputs } from "../../src/results/write.ts";
import { mergeEvalShards } from "../../src/run/evaluate.ts";
import { scored } from "../aggregate/rows.ts";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "llmops-merge-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A well-formed shard 1/2 in `shard1/`, whose summary the tests then break. */
async function goodShard(): Promise<string> {
  const rows = [scored(0, { exact: 1 })];
  const summary = buildRunSummary({
    suite: "qa",
    suiteDigest: suiteDigest({}),
    rows,
    scorers: [],
    gates: [],
    sliceKeys: [],
    providers: ["p"],
    startedAt: "2024-01-01T00:00:00Z",
    finishedAt: "2024-01-01T00:00:01Z",
    complete: false,
    shard: { index: 1, count: 2 },
  });
  const shard = join(dir, "shard1");
  await writeRunOutputs(shard, summary, rows);
  return shard;
}

async function mergeError(dirs: string[]): Promise<InputError> {
  const error = await mergeEvalShards({ dirs, out: join(dir, "merged"), cwd: dir, env: {}, logger: silentLogger }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InputError);
  expect((error as InputError).exitCode).toBe(2);
  expect((error as Error).message).not.toContain("\n");
  return error as InputError;
}

describe("eval merge reads shard summaries through their schema", () => {
  it("a summary with a field of the wrong type is a one-line error naming the file and the field", async () => {
    const shard = await goodShard();
    const summaryFile = join(shard, "summary.json");
    const broken = { ...JSON.parse(await readFile(summaryFile, "utf8")), cases: "ten" };
    await writeFile(summaryFile, JSON.stringify(broken));
    const error = await mergeError([shard]);
    expect(error.message.startsWith(`${summaryFile}: not an eval summary: cases: `)).toBe(true);
  });

  it("a summary that is not JSON, or missing, is a one-line error naming the file", async () => {
    const shard = join(dir, "junk");
    await mkdir(shard);
    expect((await mergeError([shard])).message).toBe(
      `${join(shard, "summary.json")}: not found (expected the output directory of an eval run)`,
    );
    await writeFile(join(shard, "summary.json"), "{ not json");
    expect((await mergeError([shard])).message.startsWith(`${join(shard, "summary.json")}: not valid JSON (`)).toBe(true);
  });

  it("a summary whose results file points outside its directory is refused before anything is read", async () => {
    const shard = await goodShard();
    const summaryFile = join(shard, "summary.json");
    for (const results of ["../../../../etc/passwd", "/etc/passwd"]) {
      await writeFile(summaryFile, JSON.stringify({ ...JSON.parse(await readFile(summaryFile, "utf8")), results }));
      expect((await mergeError([shard])).message).toBe(
        `${summaryFile}: results "${results}" is not a file path inside the summary's directory`,
      );
    }
  });
});
