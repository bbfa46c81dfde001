import { createHash } from "node:crypto";
import { type CaseResult, InputError, type RunSummary, UsageError } from "@llmops/core";

export interface Shard {
  /** 1-based, as users write `--shard 2/4` and matrices count. */
  index: number;
  count: number;
}

export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = match ? Number(match[1]) : Number.NaN;
  const count = match ? Number(match[2]) : Number.NaN;
  if (!match || count < 1 || index < 1 || index > count) {
    throw new UsageError(`--shard ${text}: expected i/n with 1 <= i <= n, e.g. 2/4`);
  }
  return { index, count };
}

/**
 * Which shard a case belongs to, from a hash of its id: stable when cases are added or
 * reordered, and independent of the machine that runs it.
 */
export function shardOf(caseId: string, count: number): number {
  const digest = createHash("sha256").update(caseId).digest();
  return (digest.readUInt32BE(0) % count) + 1;
}

export function inShard(caseId: string, shard: Shard): boolean {
  return shardOf(caseId, shard.count) === shard.index;
}

export interface ShardOutput {
  dir: string;
  summary: RunSummary;
  rows: CaseResult[];
}

/**
 * Checks that shard outputs are the shards of one run (same suite, digest and count, each index
 * once, all present) and returns their rows in case order plus the run's time span. Whether every
 * case ran (a shard may have been interrupted) is for the caller to check against the suite's cases.
 */
export function combineShards(outputs: ShardOutput[]): { rows: CaseResult[]; startedAt: string; finishedAt: string; first: RunSummary } {
  const first = outputs[0];
  if (!first) throw new UsageError("eval merge: expected at least one results directory");
  const count = first.summary.shard?.count ?? 1;
  const seen = new Map<number, string>();
  for (const output of outputs) {
    const { summary } = output;
    if (summary.suite !== first.summary.suite) {
      throw new InputError(`${output.dir}: suite "${summary.suite}" differs from "${first.summary.suite}" in ${first.dir}`);
    }
    if (summary.suiteDigest !== first.summary.suiteDigest) {
      throw new InputError(
        `${output.dir}: suite digest ${summary.suiteDigest} differs from ${first.summary.suiteDigest} in ${first.dir} (the suite config changed between shards)`,
      );
    }
    if (!summary.shard) throw new InputError(`${output.dir}: not a shard (its summary has no shard field)`);
    if (summary.shard.count !== count)
      throw new InputError(`${output.dir}: shard ${summary.shard.index}/${summary.shard.count} is not one of ${count} shards`);
    const other = seen.get(summary.shard.index);
    if (other) throw new InputError(`${output.dir}: shard ${summary.shard.index}/${count} is also ${other}`);
    seen.set(summary.shard.index, output.dir);
  }
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !seen.has(i));
  if (missing.length > 0) throw new InputError(`eval merge: missing shard ${missing.map((i) => `${i}/${count}`).join(", ")}`);
  const rows = outputs.flatMap((o) => o.rows).sort((a, b) => a.index - b.index || a.repeat - b.repeat);
  const keys = new Set<string>();
  for (const row of rows) {
    const key = `${row.index}/${row.repeat}`;
    if (keys.has(key)) throw new InputError(`eval merge: case ${row.id} (repeat ${row.repeat}) appears in more than one shard`);
    keys.add(key);
  }
  const startedAt = outputs.map((o) => o.summary.startedAt).sort()[0]!;
  const finishedAt = outputs
    .map((o) => o.summary.finishedAt)
    .sort()
    .at(-1)!;
  return { rows, startedAt, finishedAt, first: first.summary };
}
