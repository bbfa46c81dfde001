import type { CaseResult, Comparison, RunSummary } from "@llmops/core";
import { excerpt, stripControlChars } from "../escape.ts";
import { formatNumber, safeUrl } from "../format.ts";
import type {
  ComparisonData,
  EmbeddedRowData,
  EmbeddedSideData,
  Flip,
  HtmlReportHistory,
  HtmlReportInput,
  HtmlReportRun,
  RunData,
  ScoreData,
  SideData,
  Status,
  SuiteData,
  TextDelta,
} from "./model.ts";

/**
 * From results to the page's data: one row per case and repeat with head and baseline side by
 * side, suites' summaries and comparisons, and the alias history. Every foreign string loses the
 * characters a reader must not be shown (controls, bidirectional overrides) as in the Markdown
 * reports, and is cut to `maxTextLength`; the client renders all of it as text.
 */

export const DEFAULT_MAX_TEXT_LENGTH = 20_000;

export function cleanText(value: string, max: number): string {
  const clean = stripControlChars(value);
  return clean.length > max ? excerpt(clean, max) : clean;
}

/**
 * What a case was asked, for people: its vars (the case's own data) one per line as
 * `name: value` (strings as they are, other values as JSON); the rendered prompt only when there
 * are no vars. A prompt repeats its template in every case, which a report of thousands of cases
 * cannot afford, and the template is in the config.
 */
function inputOf(c: CaseResult): string {
  const vars = Object.entries(c.vars);
  if (vars.length === 0 && c.prompt !== undefined) return c.prompt;
  return vars.map(([name, value]) => `${name}: ${typeof value === "string" ? value : JSON.stringify(value)}`).join("\n");
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

function runData(summary: RunSummary, max: number): RunData {
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
  const runUrl = safeUrl(summary.runUrl);
  if (runUrl) data.runUrl = runUrl;
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

export function historyData(history: HtmlReportHistory | null | undefined, max: number): HtmlReportHistory | null {
  if (!history) return null;
  const text = (s: string) => cleanText(s, max);
  return {
    name: text(history.name),
    alias: text(history.alias),
    moves: history.moves.map((m) => {
      const move: HtmlReportHistory["moves"][number] = { when: text(m.when), from: m.from === null ? null : text(m.from), to: text(m.to) };
      if (m.actor !== undefined) move.actor = text(m.actor);
      const runUrl = safeUrl(m.runUrl);
      if (runUrl) move.runUrl = runUrl;
      return move;
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

/** Builds rows of one suite, and the suite's scorer and tag lists as its rows reveal them. */
/** Tag sets shared by rows: each distinct set once, rows hold its index. */
class TagSets {
  readonly sets: Record<string, string>[] = [];
  private readonly index = new Map<string, number>();

  of(tags: Record<string, string>): number {
    const key = JSON.stringify(Object.entries(tags));
    let at = this.index.get(key);
    if (at === undefined) {
      at = this.sets.length;
      this.sets.push(tags);
      this.index.set(key, at);
    }
    return at;
  }
}

class SuiteRows {
  readonly scorers: string[] = [];
  readonly tagKeys = new Set<string>();
  private readonly scorerIndex = new Map<string, number>();
  private readonly suite: number;
  private readonly max: number;
  private readonly flips: Map<string, Flip> | undefined;
  private readonly tagSets: TagSets;

  constructor(suite: number, max: number, flips: Map<string, Flip> | undefined, tagSets: TagSets) {
    this.suite = suite;
    this.max = max;
    this.flips = flips;
    this.tagSets = tagSets;
  }

  private side(c: CaseResult): SideData {
    const scores: (ScoreData | 0)[] = new Array(this.scorers.length).fill(0);
    for (const s of c.scores) {
      let index = this.scorerIndex.get(s.name);
      if (index === undefined) {
        index = this.scorers.length;
        this.scorers.push(s.name);
        this.scorerIndex.set(s.name, index);
      }
      while (scores.length <= index) scores.push(0);
      const score: ScoreData = [shownNumber(s.score), s.pass ? 1 : 0];
      if (s.reason) score.push(cleanText(s.reason, this.max));
      scores[index] = score;
    }
    return [
      statusOf(c),
      c.output === null ? null : cleanText(c.output, this.max),
      c.error === null ? null : cleanText(c.error, this.max),
      shownNumber(c.latencyMs),
      c.cost === null ? null : shownNumber(c.cost),
      scores,
    ];
  }

  row(head: CaseResult | undefined, baseline: CaseResult | undefined): EmbeddedRowData {
    const c = (head ?? baseline) as CaseResult;
    const tags: Record<string, string> = {};
    for (const [key, value] of Object.entries(c.tags)) {
      const k = cleanText(key, this.max);
      tags[k] = cleanText(value, this.max);
      this.tagKeys.add(k);
    }
    const expected = expectedOf(c);
    let flip: Flip = 0;
    if (this.flips) flip = this.flips.get(c.id) ?? 0;
    else if (head && baseline) {
      const before = statusOf(baseline) === 1;
      const after = statusOf(head) === 1;
      flip = before && !after ? 1 : !before && after ? 2 : 0;
    }
    const headSide = head ? this.side(head) : 0;
    let baselineSide: EmbeddedSideData | 0 = baseline ? this.side(baseline) : 0;
    const [headOutput, baselineOutput] = [headSide ? headSide[1] : null, baselineSide ? baselineSide[1] : null];
    if (baselineSide && typeof headOutput === "string" && typeof baselineOutput === "string") {
      const [status, , error, latency, cost, scores] = baselineSide;
      baselineSide = [status, textDelta(baselineOutput, headOutput), error, latency, cost, scores];
    }
    return [
      this.suite,
      cleanText(c.id, this.max),
      c.repeat,
      cleanText(inputOf(c), this.max),
      expected === null ? null : cleanText(expected, this.max),
      this.tagSets.of(tags),
      headSide,
      baselineSide,
      flip,
    ];
  }
}

async function* rowsOf(cases: HtmlReportRun["cases"]): AsyncGenerator<CaseResult> {
  for await (const c of cases) yield c;
}

const key = (c: Pick<CaseResult, "id" | "repeat">) => `${c.repeat}\u0000${c.id}`;

/**
 * The rows of every suite, head's in their order with the baseline's row of the same case and
 * repeat beside each, then the baseline's rows head lacks. Returns the suites' data once every
 * row has been produced (their scorer and tag lists come from the rows). The baseline is held in
 * memory while head is read; head's rows pass through one at a time.
 */
export async function* reportRows(
  input: HtmlReportInput,
): AsyncGenerator<EmbeddedRowData, { suites: SuiteData[]; tagSets: Record<string, string>[] }> {
  const max = input.maxTextLength ?? DEFAULT_MAX_TEXT_LENGTH;
  const suites: SuiteData[] = [];
  const tagSets = new TagSets();
  for (const [index, suite] of input.suites.entries()) {
    const comparison = suite.comparison ?? null;
    const flips = comparison
      ? new Map(comparison.flips.map((f): [string, Flip] => [f.id, f.direction === "pass-to-fail" ? 1 : 2]))
      : undefined;
    const builder = new SuiteRows(index, max, flips, tagSets);
    const baseline = new Map<string, CaseResult>();
    if (suite.baseline) for await (const c of rowsOf(suite.baseline.cases)) baseline.set(key(c), c);
    for await (const c of rowsOf(suite.head.cases)) {
      const k = key(c);
      const before = baseline.get(k);
      baseline.delete(k);
      yield builder.row(c, before);
    }
    for (const c of baseline.values()) yield builder.row(undefined, c);
    suites.push({
      name: cleanText(suite.head.summary.suite, max),
      head: runData(suite.head.summary, max),
      baseline: suite.baseline ? runData(suite.baseline.summary, max) : null,
      comparison: comparison ? comparisonData(comparison, max) : null,
      scorers: builder.scorers.map((s) => cleanText(s, max)),
      tagKeys: [...builder.tagKeys].sort(),
    });
  }
  return { suites, tagSets: tagSets.sets };
}
