import type { CaseResult } from "@llmops/core";
import { type Scorer, type ScorerInput, scorerInputOf } from "../scorers/types.ts";

/**
 * What aggregation, bootstrap intervals and gates need of a run, one typed-array column per field,
 * so a run's summary does not need its case results in memory (those stream to results.jsonl):
 * 50 bytes per row plus 9 per scorer and 1–4 per slice key, against kilobytes for a parsed
 * row. Corpus scorers (BLEU, F1) are the exception: their statistic and its bootstrap need every
 * row's scorer input, so those inputs are kept when a suite has one.
 */

export interface ColumnsOptions {
  scorers: readonly Scorer[];
  /** Tag keys to keep (as small-int codes): slices and the keys gates filter on. */
  sliceKeys: readonly string[];
  /** Rows expected, to size the columns once (they grow as needed beyond it). */
  capacity?: number;
}

type Codes = Uint8Array | Uint16Array | Uint32Array;

/** One tag key's values as codes: 0 for a row without the tag, `i + 1` for `values[i]`. */
export class SliceColumn {
  codes: Codes;
  readonly values: string[] = [];
  private readonly lookup = new Map<string, number>();

  constructor(capacity: number) {
    this.codes = new Uint8Array(capacity);
  }

  set(row: number, value: string | undefined): void {
    if (value === undefined) return;
    let code = this.lookup.get(value);
    if (code === undefined) {
      this.values.push(value);
      code = this.values.length;
      this.lookup.set(value, code);
      // Codes start one byte wide and widen only when a key takes that many distinct values.
      if (code > 0xff && this.codes instanceof Uint8Array) this.codes = Uint16Array.from(this.codes);
      else if (code > 0xffff && this.codes instanceof Uint16Array) this.codes = Uint32Array.from(this.codes);
    }
    this.codes[row] = code;
  }

  grow(capacity: number): void {
    const wider = new (this.codes.constructor as new (n: number) => Codes)(capacity);
    wider.set(this.codes);
    this.codes = wider;
  }

  /** The code of `value`, or -1 when no row has it. */
  codeOf(value: string): number {
    return this.lookup.get(value) ?? -1;
  }
}

function grown<T extends Float64Array | Uint8Array | Uint32Array>(array: T, capacity: number): T {
  const wider = new (array.constructor as new (n: number) => T)(capacity);
  wider.set(array);
  return wider;
}

/** The columns of a run's rows, added in any order (a run adds them in case order). */
export class ResultColumns {
  length = 0;
  /** `row.index`: the case's position in the suite (repeats share it). */
  caseIndex: Uint32Array;
  pass: Uint8Array;
  /** 1 when the provider call failed. */
  error: Uint8Array;
  latencyMs: Float64Array;
  /** The cost, and 1 where it is not null. */
  cost: Float64Array;
  hasCost: Uint8Array;
  /** Total tokens, and 1 where they are not null. */
  tokens: Float64Array;
  hasTokens: Uint8Array;
  /** Streaming: time to first token (ms), and 1 where the row has one. */
  ttftMs: Float64Array;
  hasTtft: Uint8Array;
  /** Streaming: output tokens per second, and 1 where the row has a value. */
  tokensPerSecond: Float64Array;
  hasTokensPerSecond: Uint8Array;
  /** Per scorer, in `scorers` order: the row's score, and whether the row has one at all. */
  scores: Float64Array[];
  hasScore: Uint8Array[];
  readonly slices = new Map<string, SliceColumn>();
  /** Scorer inputs of every row, only when a scorer computes a corpus statistic. */
  readonly corpusInputs: ScorerInput[] | null;
  /** Rows were added in (index, repeat) order, as a run writes them. */
  ordered = true;
  private readonly scorerNames: string[];
  private lastIndex = -1;
  private lastRepeat = -1;

  constructor(options: ColumnsOptions) {
    const capacity = Math.max(16, options.capacity ?? 0);
    this.scorerNames = options.scorers.map((s) => s.name);
    this.caseIndex = new Uint32Array(capacity);
    this.pass = new Uint8Array(capacity);
    this.error = new Uint8Array(capacity);
    this.latencyMs = new Float64Array(capacity);
    this.cost = new Float64Array(capacity);
    this.hasCost = new Uint8Array(capacity);
    this.tokens = new Float64Array(capacity);
    this.hasTokens = new Uint8Array(capacity);
    this.ttftMs = new Float64Array(capacity);
    this.hasTtft = new Uint8Array(capacity);
    this.tokensPerSecond = new Float64Array(capacity);
    this.hasTokensPerSecond = new Uint8Array(capacity);
    this.scores = this.scorerNames.map(() => new Float64Array(capacity));
    this.hasScore = this.scorerNames.map(() => new Uint8Array(capacity));
    for (const key of new Set(options.sliceKeys)) this.slices.set(key, new SliceColumn(capacity));
    this.corpusInputs = options.scorers.some((s) => s.corpus) ? [] : null;
  }

  static from(rows: readonly CaseResult[], options: ColumnsOptions): ResultColumns {
    const columns = new ResultColumns({ ...options, capacity: rows.length });
    for (const row of rows) columns.add(row);
    return columns;
  }

  private grow(): void {
    const capacity = this.caseIndex.length * 2;
    this.caseIndex = grown(this.caseIndex, capacity);
    this.pass = grown(this.pass, capacity);
    this.error = grown(this.error, capacity);
    this.latencyMs = grown(this.latencyMs, capacity);
    this.cost = grown(this.cost, capacity);
    this.hasCost = grown(this.hasCost, capacity);
    this.tokens = grown(this.tokens, capacity);
    this.hasTokens = grown(this.hasTokens, capacity);
    this.ttftMs = grown(this.ttftMs, capacity);
    this.hasTtft = grown(this.hasTtft, capacity);
    this.tokensPerSecond = grown(this.tokensPerSecond, capacity);
    this.hasTokensPerSecond = grown(this.hasTokensPerSecond, capacity);
    this.scores = this.scores.map((c) => grown(c, capacity));
    this.hasScore = this.hasScore.map((c) => grown(c, capacity));
    for (const slice of this.slices.values()) slice.grow(capacity);
  }

  add(row: CaseResult): void {
    if (this.length === this.caseIndex.length) this.grow();
    const i = this.length++;
    if (row.index < this.lastIndex || (row.index === this.lastIndex && row.repeat < this.lastRepeat)) this.ordered = false;
    this.lastIndex = row.index;
    this.lastRepeat = row.repeat;
    this.caseIndex[i] = row.index;
    this.pass[i] = row.pass ? 1 : 0;
    this.error[i] = row.error !== null ? 1 : 0;
    this.latencyMs[i] = row.latencyMs;
    this.hasCost[i] = row.cost !== null ? 1 : 0;
    this.cost[i] = row.cost ?? 0;
    this.hasTokens[i] = row.tokens !== null ? 1 : 0;
    this.tokens[i] = row.tokens !== null ? row.tokens.total : 0;
    const ttft = row.ttftMs;
    this.hasTtft[i] = typeof ttft === "number" && Number.isFinite(ttft) ? 1 : 0;
    this.ttftMs[i] = this.hasTtft[i] ? (ttft as number) : 0;
    const rate = row.tokensPerSecond;
    this.hasTokensPerSecond[i] = typeof rate === "number" && Number.isFinite(rate) ? 1 : 0;
    this.tokensPerSecond[i] = this.hasTokensPerSecond[i] ? (rate as number) : 0;
    for (let s = 0; s < this.scorerNames.length; s++) {
      // The first score of that name, as the in-memory aggregation read it.
      const score = row.scores.find((x) => x.name === this.scorerNames[s]);
      (this.hasScore[s] as Uint8Array)[i] = score ? 1 : 0;
      (this.scores[s] as Float64Array)[i] = score ? score.score : 0;
    }
    for (const [key, slice] of this.slices) {
      const value = row.tags[key];
      slice.set(i, typeof value === "string" ? value : undefined);
    }
    if (this.corpusInputs) {
      this.corpusInputs.push(scorerInputOf(row));
    }
  }

  /** Position of `name` among the scorers the columns were made for; -1 when not among them. */
  scorerColumn(name: string): number {
    return this.scorerNames.indexOf(name);
  }
}
