import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { buildRunSummary } from "../src/results/summary.ts";
import { readRunOutputs, writeRunOutputs } from "../src/results/write.ts";
import type { Scorer } from "../src/scorers/types.ts";
import { combineShards, inShard, parseShard, type ShardOutput, shardOf } from "../src/shard.ts";
import { scored } from "./aggregate/rows.ts";

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

const exact: Scorer = {
  name: "exact",
  type: "equals",
  weight: 1,
  higherIsBetter: true,
  scoreCase: async () => ({ score: 0, pass: false }),
};
const DIGEST = `sha256:${"ab".repeat(32)}`;

describe("parseShard", () => {
  it("accepts i/n with 1 <= i <= n", () => {
    expect(parseShard("2/4")).toEqual({ index: 2, count: 4 });
    expect(parseShard("1/1")).toEqual({ index: 1, count: 1 });
  });
  it.each(["0/4", "5/4", "2", "a/b", "2/0", "-1/3", "1/2/3"])("refuses %s as a usage error", (text) => {
    expect(() => parseShard(text)).toThrow(/expected i\/n with 1 <= i <= n/);
  });
});

describe("shard assignment", () => {
  const ids = Array.from({ length: 1000 }, (_, i) => `case-${i}`);
  it("puts every case in exactly one shard", () => {
    for (const id of ids) {
      const owners = [1, 2, 3, 4].filter((index) => inShard(id, { index, count: 4 }));
      expect(owners).toHaveLength(1);
    }
  });
  it("depends only on the id (stable across runs and orderings) and spreads cases evenly", () => {
    const counts = [0, 0, 0, 0];
    for (const id of ids) counts[shardOf(id, 4) - 1]!++;
    // 1000 cases over 4 shards: each within ±60 of 250 (≈ 4.4 binomial standard deviations).
    for (const count of counts) expect(Math.abs(count - 250)).toBeLessThan(60);
    expect(ids.map((id) => shardOf(id, 4))).toEqual(
      [...ids]
        .reverse()
        .map((id) => shardOf(id, 4))
        .reverse(),
    );
  });
});

describe("merging shards", () => {
  const rows = Array.from({ length: 40 }, (_, i) =>
    scored(i, { exact: i % 3 === 0 ? 0 : 1 }, { id: `case-${i}`, tags: { lang: i % 2 ? "de" : "en" }, latencyMs: 10 + i }),
  );
  const base = {
    suite: "s",
    suiteDigest: DIGEST,
    scorers: [exact],
    gates: [
      { metric: "exact", min: 0.6 },
      { metric: "exact", maxGap: 0.5, across: "lang" },
    ],
    sliceKeys: ["lang"],
    providers: ["p"],
  };

  it("gives the summary of the unsharded run", async () => {
    const whole = buildRunSummary({
      ...base,
      rows,
      startedAt: "2026-01-01T00:00:00.000Z",
      finishedAt: "2026-01-01T00:10:00.000Z",
      complete: true,
    });
    const outputs: ShardOutput[] = [];
    for (const index of [3, 1, 2]) {
      const shard = { index, count: 3 };
      const part = rows.filter((r) => inShard(r.id, shard));
      const summary = buildRunSummary({
        ...base,
        rows: part,
        shard,
        startedAt: `2026-01-01T00:0${index}:00.000Z`,
        finishedAt: `2026-01-01T00:0${index + 5}:00.000Z`,
        complete: true,
      });
      expect(summary.complete).toBe(false);
      expect(summary.gates).toEqual([]);
      const dir = await mkdtemp(join(tmpdir(), "llmops-shard-"));
      dirs.push(dir);
      await writeRunOutputs(dir, summary, part);
      outputs.push({ dir, ...(await readRunOutputs(dir)) });
    }
    const combined = combineShards(outputs);
    const merged = buildRunSummary({
      ...base,
      rows: combined.rows,
      startedAt: combined.startedAt,
      finishedAt: combined.finishedAt,
      complete: true,
    });
    expect(combined.rows).toEqual(rows);
    expect({ ...merged, startedAt: "", finishedAt: "" }).toEqual({ ...whole, startedAt: "", finishedAt: "" });
    expect(merged.gates.length).toBe(2);
    expect(merged.complete).toBe(true);
  });

  it("refuses shards of different suites, counts, duplicates and missing shards", () => {
    const shardSummary = (index: number, count: number, over: Partial<ReturnType<typeof buildRunSummary>> = {}) => ({
      dir: `d${index}`,
      rows: [],
      summary: {
        ...buildRunSummary({ ...base, rows: [], shard: { index, count }, startedAt: "a", finishedAt: "b", complete: true }),
        ...over,
      },
    });
    expect(() => combineShards([shardSummary(1, 2), shardSummary(2, 2, { suite: "t" })])).toThrow('d2: suite "t" differs from "s" in d1');
    expect(() => combineShards([shardSummary(1, 2), shardSummary(2, 2, { suiteDigest: `sha256:${"cd".repeat(32)}` })])).toThrow(
      /suite digest .* differs/,
    );
    expect(() => combineShards([shardSummary(1, 2), shardSummary(2, 3)])).toThrow("d2: shard 2/3 is not one of 2 shards");
    expect(() => combineShards([shardSummary(1, 2), shardSummary(1, 2)])).toThrow("d1: shard 1/2 is also d1");
    expect(() => combineShards([shardSummary(1, 3)])).toThrow("eval merge: missing shard 2/3, 3/3");
  });
});
