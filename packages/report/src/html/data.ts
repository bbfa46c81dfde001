import type { CaseResult, Comparison, RunSummary } from "@llmops/core";
import { excerpt, stripControlChars } from "../escape.ts";
import { formatNumber, safeUrl } from "../format.ts";
import type {
  ComparisonData,
  Flip,
  HtmlReportHistory,
  HtmlReportInput,
  HtmlReportRun,
  RowBlock,
  RunData,
  ScoreBlock,
  ScoreData,
  SideBlock,
  Status,
  SuiteData,
  TextDelta,
  TrimmedText,
} from "./model.ts";

/**
 * From results to the page's data: one row per case and repeat with head and baseline side by
 * side, written as blocks of columns (`RowBlock`), suites' summaries and comparisons, and the
 * alias history. Every foreign string loses the characters a reader must not be shown (controls,
 * bidirectional overrides) as in the Markdown reports, and is cut to `maxTextLength`; the client
 * renders all of it as text.
 */

export const DEFAULT_MAX_TEXT_LENGTH = 20_000;

/** The page's default budget of case text: 100 MB, about what a browser still opens briskly. */
export const DEFAULT_MAX_TEXT_BYTES = 100_000_000;

/** Characters kept of each text of a row over the budget (`HtmlReportInput.maxTextBytes`). */
export const TRIMMED_TEXT_LENGTH = 200;

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;

/**
 * The text as a reader may see it (controls and bidirectional overrides removed), cut to `max`
 * characters (UTF-16 units). Only a bounded start of a long text is cleaned and cut: a model's
 * output of megabytes costs no more than one of `max` characters.
 */
export function cleanText(value: string, max: number): string {
  if (value.length <= max) return stripControlChars(value);
  for (let take = max + 64; ; take *= 2) {
    let end = Math.min(value.length, take);
    // Never end the window between the halves of a surrogate pair (the lone half would be dropped).
    if (end < value.length && isHighSurrogate(value.charCodeAt(end - 1))) end++;
    const clean = stripControlChars(value.slice(0, end));
    if (clean.length > max || end === value.length) return excerpt(clean, max, clean.length + value.length - end);
  }
}

/** The origin whose workflow-run URLs the page links: the GitHub server's (GITHUB_SERVER_URL), else github.com. */
export function trustedOrigin(serverUrl: string | undefined): string {
  try {
    const url = new URL(serverUrl ?? "");
    if (url.protocol === "https:" || url.protocol === "http:") return url.origin;
  } catch {
    // not a URL
  }
  return "https://github.com";
}

/**
 * A run URL from results or a store record, which anyone who can write those may have set: linked
 * (`runUrl`) only when it is an http(s) URL on the trusted origin, else shown as text (`runText`).
 */
function runLink(url: string | undefined, origin: string): { runUrl?: string; runText?: string } {
  if (!url) return {};
  const safe = safeUrl(url);
  if (safe) {
    try {
      if (new URL(safe).origin === origin) return { runUrl: safe };
    } catch {
      // not a URL after all: text
    }
  }
  return { runText: cleanText(url, 500) };
}

function expectedOf(c: CaseResult): string | null {
  if (c.expected === undefined) return null;
  return typeof c.expected === "string" ? c.expected : (JSON.stringify(c.expected) ?? null);
}

/**
 * A per-case number (score, latency, cost) as the page shows it, formatNumber's digits: a row
 * carries no more precision than anyone reads, which keeps reports of many cases small.
 */
const shownNumber = (value: number) => (Number.isFinite(value) ? Number(formatNumber(value)) : value);

/** Shared start and end shorter than this are not worth a `TextDelta`. */
const MIN_SHARED = 24;

/** `text` as a delta against `base` when they share enough of their start and end (see `TextDelta`). */
export function textDelta(text: string, base: string): string | TextDelta {
  const limit = Math.min(text.length, base.length);
  let prefix = 0;
  while (prefix < limit && text.charCodeAt(prefix) === base.charCodeAt(prefix)) prefix++;
  let suffix = 0;
  while (suffix < limit - prefix && text.charCodeAt(text.length - 1 - suffix) === base.charCodeAt(base.length - 1 - suffix)) suffix++;
  // Never split a surrogate pair: the middle must be well-formed text on its own.
  const high = (code: number) => code >= 0xd800 && code <= 0xdbff;
  if (prefix > 0 && high(text.charCodeAt(prefix - 1))) prefix--;
  if (suffix > 0 && high(text.charCodeAt(text.length - suffix - 1))) suffix--;
  if (prefix + suffix < MIN_SHARED) return text;
  return [prefix, text.slice(prefix, text.length - suffix), suffix];
}

function statusOf(c: CaseResult): Status {
  return c.error !== null ? 2 : c.pass ? 1 : 0;
}

function runData(summary: RunSummary, max: number, origin: string): RunData {
  const text = (s: string) => cleanText(s, max);
  const data: RunData = {
    suite: text(summary.suite),
    providers: summary.providers.map(text),
    startedAt: text(summary.startedAt),
    finishedAt: text(summary.finishedAt),
    complete: summary.complete,
    cases: summary.cases,
    errors: summary.errors,
    passed: summary.passed,
    metrics: summary.metrics.map((m) => ({ ...m, name: text(m.name) })),
    slices: summary.slices.map((s) => ({
      key: text(s.key),
      value: text(s.value),
      metrics: s.metrics.map((m) => ({ ...m, name: text(m.name) })),
    })),
    gates: summary.gates.map((g) => ({
      ...g,
      description: text(g.description),
      metric: text(g.metric),
      ...(g.slice !== undefined ? { slice: text(g.slice) } : {}),
      ...(g.reason !== undefined ? { reason: text(g.reason) } : {}),
    })),
  };
  if (summary.model) data.model = { ref: text(summary.model.ref), digest: summary.model.digest };
  if (summary.dataset) data.dataset = { ref: text(summary.dataset.ref), digest: summary.dataset.digest };
  Object.assign(data, runLink(summary.runUrl, origin));
  if (summary.git?.commit) data.commit = text(summary.git.commit);
  return data;
}

function comparisonData(c: Comparison, max: number): ComparisonData {
  const text = (s: string) => cleanText(s, max);
  return {
    verdict: c.verdict,
    baseline: { ...c.baseline, description: text(c.baseline.description) },
    matched: c.matched,
    added: c.added.length,
    removed: c.removed.length,
    changed: c.changed.length,
    metrics: c.metrics.map((m) => ({ ...m, name: text(m.name), ...(m.note !== undefined ? { note: text(m.note) } : {}) })),
    gates: c.gates.map((g) => ({
      ...g,
      description: text(g.description),
      metric: text(g.metric),
      ...(g.slice !== undefined ? { slice: text(g.slice) } : {}),
      ...(g.reason !== undefined ? { reason: text(g.reason) } : {}),
    })),
    passToFail: c.flips.filter((f) => f.direction === "pass-to-fail").length,
    failToPass: c.flips.filter((f) => f.direction === "fail-to-pass").length,
  };
}

export function historyData(
  history: HtmlReportHistory | null | undefined,
  max: number,
  origin: string = trustedOrigin(undefined),
): HtmlReportHistory | null {
  if (!history) return null;
  const text = (s: string) => cleanText(s, max);
  return {
    name: text(history.name),
    alias: text(history.alias),
    moves: history.moves.map((m) => {
      const move: HtmlReportHistory["moves"][number] = { when: text(m.when), from: m.from === null ? null : text(m.from), to: text(m.to) };
      if (m.actor !== undefined) move.actor = text(m.actor);
      return Object.assign(move, runLink(m.runUrl, origin));
    }),
    versions: history.versions.map((v) => ({
      digest: text(v.digest),
      label: text(v.label),
      ...(v.created !== undefined ? { created: text(v.created) } : {}),
      evidence: v.evidence.map((e) => ({
        suite: text(e.suite),
        ...(e.when !== undefined ? { when: text(e.when) } : {}),
        passed: e.passed,
        complete: e.complete,
        metrics: e.metrics.map((m) => ({ ...m, name: text(m.name) })),
      })),
      promotions: v.promotions.map((p) => ({
        digest: text(p.digest),
        ...(p.when !== undefined ? { when: text(p.when) } : {}),
        annotations: Object.fromEntries(Object.entries(p.annotations).map(([k, value]) => [text(k), text(value)])),
      })),
    })),
  };
}

/** A side of a row while its block is built. */
interface Side {
  status: Status;
  output: string | null | TextDelta;
  error: string | null;
  latency: number;
  cost: number | null;
  scores: (ScoreData | 0)[];
}

/** A row while its block is built (see `RowBlock`). */
interface Row {
  id: string;
  repeat: number;
  input: string | (string | null)[];
  expected: string | null;
  tags: number;
  flip: Flip;
  head: Side | null;
  baseline: Side | null;
}

/** Tag sets shared by rows: each distinct set (its key, value pairs) once, rows hold its index. */
class TagSets {
  readonly sets: [string, string][][] = [];
  private readonly index = new Map<string, number>();

  of(tags: [string, string][]): number {
    const key = JSON.stringify(tags);
    let at = this.index.get(key);
    if (at === undefined) {
      at = this.sets.length;
      this.sets.push(tags);
      this.index.set(key, at);
    }
    return at;
  }
}

/** The page's budget of case text (`HtmlReportInput.maxTextBytes`), shared by every suite's rows. */
class TextBudget {
  used = 0;
  trimmedRows = 0;
  readonly max: number;

  constructor(max: number) {
    this.max = max;
  }
}

const bytes = (text: string | null | TextDelta) =>
  text === null ? 0 : typeof text === "string" ? Buffer.byteLength(text, "utf8") : Buffer.byteLength(text[1], "utf8");

function sideBytes(side: Side | null): number {
  if (!side) return 0;
  let n = bytes(side.output) + bytes(side.error);
  for (const score of side.scores) if (score && score[2] !== undefined) n += bytes(score[2]);
  return n;
}

function rowBytes(row: Row): number {
  let n = bytes(row.expected) + sideBytes(row.head) + sideBytes(row.baseline);
  if (typeof row.input === "string") n += bytes(row.input);
  else for (const value of row.input) n += bytes(value);
  return n;
}

/** Builds rows of one suite, and the suite's scorer, var and tag lists as its rows reveal them. */
class SuiteRows {
  readonly scorers: string[] = [];
  readonly vars: string[] = [];
  readonly tagKeys = new Set<string>();
  private readonly scorerIndex = new Map<string, number>();
  private readonly varIndex = new Map<string, number>();
  private readonly max: number;
  private readonly flips: Map<string, Flip> | undefined;
  private readonly tagSets: TagSets;
  private readonly budget: TextBudget;

  constructor(max: number, flips: Map<string, Flip> | undefined, tagSets: TagSets, budget: TextBudget) {
    this.max = max;
    this.flips = flips;
    this.tagSets = tagSets;
    this.budget = budget;
  }

  private scorer(name: string): number {
    let index = this.scorerIndex.get(name);
    if (index === undefined) {
      index = this.scorers.length;
      this.scorers.push(name);
      this.scorerIndex.set(name, index);
    }
    return index;
  }

  private side(c: CaseResult, max: number): Side {
    const scores: (ScoreData | 0)[] = [];
    for (const s of c.scores) {
      const index = this.scorer(s.name);
      while (scores.length <= index) scores.push(0);
      const score: ScoreData = [shownNumber(s.score), s.pass ? 1 : 0];
      if (s.reason) score.push(cleanText(s.reason, max));
      scores[index] = score;
    }
    return {
      status: statusOf(c),
      output: c.output === null ? null : cleanText(c.output, max),
      error: c.error === null ? null : cleanText(c.error, max),
      latency: shownNumber(c.latencyMs),
      cost: c.cost === null ? null : shownNumber(c.cost),
      scores,
    };
  }

  /**
   * What a case was asked, for people: its vars (the case's own data), each value a text in the
   * order of the suite's `vars`; the rendered prompt only when there are no vars. A prompt repeats
   * its template in every case, which a report of thousands of cases cannot afford, and the
   * template is in the config.
   */
  private input(c: CaseResult, max: number): string | (string | null)[] {
    const vars = Object.entries(c.vars);
    if (vars.length === 0 && c.prompt !== undefined) return cleanText(c.prompt, max);
    const values: (string | null)[] = [];
    for (const [name, value] of vars) {
      let index = this.varIndex.get(name);
      if (index === undefined) {
        index = this.vars.length;
        this.vars.push(name);
        this.varIndex.set(name, index);
      }
      while (values.length <= index) values.push(null);
      values[index] = cleanText(typeof value === "string" ? value : (JSON.stringify(value) ?? String(value)), max);
    }
    return values;
  }

  /** The row's texts cut to `max` characters each. */
  private texts(head: CaseResult | undefined, baseline: CaseResult | undefined, max: number) {
    const c = (head ?? baseline) as CaseResult;
    const expected = expectedOf(c);
    const headSide = head ? this.side(head, max) : null;
    const baselineSide = baseline ? this.side(baseline, max) : null;
    if (baselineSide && typeof headSide?.output === "string" && typeof baselineSide.output === "string")
      baselineSide.output = textDelta(baselineSide.output, headSide.output);
    return {
      input: this.input(c, max),
      expected: expected === null ? null : cleanText(expected, max),
      head: headSide,
      baseline: baselineSide,
    };
  }

  row(head: CaseResult | undefined, baseline: CaseResult | undefined): Row {
    const c = (head ?? baseline) as CaseResult;
    // Key, value pairs: a tag may be named anything, `__proto__` too.
    const tags: [string, string][] = [];
    for (const [key, value] of Object.entries(c.tags)) {
      const k = cleanText(key, this.max);
      tags.push([k, cleanText(value, this.max)]);
      this.tagKeys.add(k);
    }
    // A row is flipped when its own pass/fail changed, in the direction the comparison says its
    // case flipped (a case passes when every repeat passes: only the repeats that changed are marked).
    let flip: Flip = 0;
    if (head && baseline) {
      const before = statusOf(baseline) === 1;
      const after = statusOf(head) === 1;
      const own: Flip = before && !after ? 1 : !before && after ? 2 : 0;
      if (!this.flips || this.flips.get(c.id) === own) flip = own;
    }
    // The page's text budget: a row that does not fit keeps the start of each text, or none of it.
    // Once the budget is spent no row fits, so the texts are cut to nothing at once.
    const budget = this.budget;
    const spent = budget.used > budget.max && this.max > 0;
    const row: Row = {
      id: cleanText(c.id, this.max),
      repeat: c.repeat,
      tags: this.tagSets.of(tags),
      flip,
      ...this.texts(head, baseline, spent ? 0 : this.max),
    };
    let size = rowBytes(row);
    let trimmed = spent;
    if (!spent)
      for (const length of [TRIMMED_TEXT_LENGTH, 0]) {
        if (budget.used + size <= budget.max) break;
        if (length >= this.max) continue;
        Object.assign(row, this.texts(head, baseline, length));
        size = rowBytes(row);
        trimmed = true;
      }
    if (trimmed) budget.trimmedRows++;
    budget.used += size;
    return row;
  }
}

/** The longest start two texts share, never ending inside a surrogate pair. */
function sharedStart(a: string, b: string): number {
  const limit = Math.min(a.length, b.length);
  let n = 0;
  while (n < limit && a.charCodeAt(n) === b.charCodeAt(n)) n++;
  const code = a.charCodeAt(n - 1);
  if (n > 0 && code >= 0xd800 && code <= 0xdbff) n--;
  return n;
}

function sideBlock(rows: readonly Row[], pick: (row: Row) => Side | null, scorers: number): SideBlock | undefined {
  if (!rows.some((row) => pick(row))) return undefined;
  const sides = rows.map(pick);
  const block: SideBlock = {
    status: sides.map((s) => (s ? String(s.status) : "-")).join(""),
    output: sides.map((s) => s?.output ?? null),
    latency: sides.map((s) => s?.latency ?? 0),
    scores: [],
  };
  const errors = sides.flatMap((s, i): [number, string][] => (s?.error != null ? [[i, s.error]] : []));
  if (errors.length > 0) block.error = errors;
  if (sides.some((s) => s?.cost != null)) block.cost = sides.map((s) => s?.cost ?? null);
  for (let j = 0; j < scorers; j++) {
    const scores = sides.map((s) => s?.scores[j] || 0);
    if (scores.every((score) => score === 0)) {
      block.scores.push({ score: [], pass: "" });
      continue;
    }
    const column: ScoreBlock = {
      score: scores.map((score) => (score ? score[0] : null)),
      pass: scores.map((score) => (score ? String(score[1]) : "-")).join(""),
    };
    const reasons = scores.flatMap((score, i): [number, string][] => (score && score[2] !== undefined ? [[i, score[2]]] : []));
    if (reasons.length > 0) column.reason = reasons;
    block.scores.push(column);
  }
  // Scorers none of these rows has at the end are left out.
  while (block.scores.length > 0 && block.scores[block.scores.length - 1]?.pass === "") block.scores.pop();
  return block;
}

/** Rows of one suite as a `RowBlock`. */
function rowBlock(suite: number, rows: readonly Row[], scorers: number): RowBlock {
  let prefix = rows[0]?.id ?? "";
  for (const row of rows) prefix = prefix.slice(0, sharedStart(prefix, row.id));
  const block: RowBlock = {
    suite,
    idPrefix: prefix,
    id: rows.map((row) => row.id.slice(prefix.length)),
    input: rows.map((row) => row.input),
    expected: rows.map((row) => row.expected),
  };
  if (rows.some((row) => row.repeat !== 0)) block.repeat = rows.map((row) => row.repeat);
  if (rows.some((row) => row.tags !== 0)) block.tags = rows.map((row) => row.tags);
  if (rows.some((row) => row.flip !== 0)) block.flip = rows.map((row) => row.flip).join("");
  const head = sideBlock(rows, (row) => row.head, scorers);
  if (head) block.head = head;
  const baseline = sideBlock(rows, (row) => row.baseline, scorers);
  if (baseline) block.baseline = baseline;
  return block;
}

async function* rowsOf(cases: HtmlReportRun["cases"]): AsyncGenerator<CaseResult> {
  for await (const c of cases) yield c;
}

const key = (c: Pick<CaseResult, "id" | "repeat">) => `${c.repeat}\u0000${c.id}`;

/** Rows per block: blocks of a few hundred kilobytes, the chunks the page is written in. */
export const ROWS_PER_BLOCK = 256;

/** What `reportRows` returns once every row has been given: what the rows revealed. */
export interface ReportRowsEnd {
  suites: SuiteData[];
  tagSets: [string, string][][];
  rows: number;
  trimmed: TrimmedText | null;
}

/**
 * The rows of every suite in blocks, head's in their order with the baseline's row of the same
 * case and repeat beside each, then the baseline's rows head lacks. Returns the suites' data once
 * every row has been given (their scorer, var and tag lists come from the rows). The baseline is
 * held in memory while head is read; head's rows pass through a block at a time.
 */
export async function* reportRows(input: HtmlReportInput): AsyncGenerator<RowBlock, ReportRowsEnd> {
  const max = input.maxTextLength ?? DEFAULT_MAX_TEXT_LENGTH;
  const budget = new TextBudget(input.maxTextBytes ?? DEFAULT_MAX_TEXT_BYTES);
  const origin = trustedOrigin(input.serverUrl);
  const suites: SuiteData[] = [];
  const tagSets = new TagSets();
  let count = 0;
  for (const [index, suite] of input.suites.entries()) {
    const comparison = suite.comparison ?? null;
    const flips = comparison
      ? new Map(comparison.flips.map((f): [string, Flip] => [f.id, f.direction === "pass-to-fail" ? 1 : 2]))
      : undefined;
    const builder = new SuiteRows(max, flips, tagSets, budget);
    const baseline = new Map<string, CaseResult>();
    if (suite.baseline) for await (const c of rowsOf(suite.baseline.cases)) baseline.set(key(c), c);
    let rows: Row[] = [];
    const block = () => {
      const built = rowBlock(index, rows, builder.scorers.length);
      count += rows.length;
      rows = [];
      return built;
    };
    for await (const c of rowsOf(suite.head.cases)) {
      const k = key(c);
      const before = baseline.get(k);
      baseline.delete(k);
      rows.push(builder.row(c, before));
      if (rows.length === ROWS_PER_BLOCK) yield block();
    }
    for (const c of baseline.values()) {
      rows.push(builder.row(undefined, c));
      if (rows.length === ROWS_PER_BLOCK) yield block();
    }
    if (rows.length > 0) yield block();
    suites.push({
      name: cleanText(suite.head.summary.suite, max),
      head: runData(suite.head.summary, max, origin),
      baseline: suite.baseline ? runData(suite.baseline.summary, max, origin) : null,
      comparison: comparison ? comparisonData(comparison, max) : null,
      scorers: builder.scorers.map((s) => cleanText(s, max)),
      vars: builder.vars.map((v) => cleanText(v, max)),
      tagKeys: [...builder.tagKeys].sort(),
    });
  }
  const trimmed = budget.trimmedRows > 0 ? { rows: budget.trimmedRows, maxBytes: budget.max, length: TRIMMED_TEXT_LENGTH } : null;
  return { suites, tagSets: tagSets.sets, rows: count, trimmed };
}
