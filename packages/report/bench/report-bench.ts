// `pnpm bench:report`: the HTML report of 10,000 cases × 2 runs (head and baseline) with text of
// realistic length — its size, how long it takes to write, and how soon it is usable in headless
// Chromium (Debian's `chromium`, see test/prerequisites.yaml): DOMContentLoaded, the case table's
// first rows, and a text search answering. Prints each figure against its target and PASS/MISS;
// always exits 0 (a benchmark informs, the tests decide).
//
// Usage: node packages/report/bench/report-bench.ts [--cases N] [--keep]
//   --keep leaves the report in .bench/report/report.html to open by hand.
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { CaseResult, Comparison, MetricSummary, RunSummary } from "@llmops/core";
import { requireProgram } from "../../../test/src/prerequisites.ts";
import { writeHtmlReport } from "../src/html/write.ts";
import { launchChromium, openReport } from "../test/html/browser.ts";

const { values } = parseArgs({ options: { cases: { type: "string" }, keep: { type: "boolean" } } });
const CASES = Number(values.cases ?? 10_000);
const MiB = 1024 * 1024;
/** The "< 15 MB": decimal megabytes. */
const TARGET_BYTES = 15e6;
const TARGET_INTERACTIVE_MS = 2000;

const root = fileURLToPath(new URL("../../../", import.meta.url));
const outDir = join(root, ".bench", "report");
const file = join(outDir, "report.html");

// ---- realistic cases (seeded, so every run measures the same report) -------------------------
let seed = 42;
const random = () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
  return seed / 2 ** 31;
};
const WORDS =
  "the a of to and in is for on that with as refund order account customer support delivery payment invoice please thank you we your can will be has been shipped return policy days within contact team issue resolved update information request help product service number email address"
    .split(" ")
    .concat(["Überweisung", "Rückerstattung", "commande", "livraison", "注文", "返金"]);
function sentence(chars: number): string {
  const out: string[] = [];
  let length = 0;
  while (length < chars) {
    const word = WORDS[Math.floor(random() * WORDS.length)] as string;
    out.push(word);
    length += word.length + 1;
  }
  const text = out.join(" ");
  return `${text[0]?.toUpperCase()}${text.slice(1)}.`;
}
/** A length around `mean` (±50%). */
const around = (mean: number) => Math.round(mean * (0.5 + random()));

const LENGTHS = { question: 280, context: 120, expected: 90, output: 420, reason: 140 };

function caseResult(index: number, base: { output: string; pass: boolean } | undefined): CaseResult {
  const error = random() < 0.01 ? "provider error: 429 Too Many Requests (after 3 retries)" : null;
  // Head mostly rewrites the output; a fifth of the time it keeps the baseline's with one word changed.
  const output = error ? null : base && random() < 0.2 ? base.output.replace(/\b\w+\b/, "Changed") : sentence(around(LENGTHS.output));
  const pass = error === null && (base ? (random() < 0.9 ? base.pass : !base.pass) : random() < 0.8);
  const judge = pass ? 0.7 + random() * 0.3 : random() * 0.5;
  return {
    id: `support-${String(index).padStart(5, "0")}`,
    index,
    repeat: 0,
    vars: { question: sentence(around(LENGTHS.question)), order: `A-${100_000 + index}`, context: sentence(around(LENGTHS.context)) },
    expected: sentence(around(LENGTHS.expected)),
    tags: { language: ["en", "de", "fr", "ja"][index % 4] as string, channel: index % 3 === 0 ? "email" : "chat" },
    provider: "openai:gpt-4o-mini",
    output,
    error,
    scores: error
      ? []
      : [
          { name: "mentions_refund", type: "contains", score: pass ? 1 : 0, pass, weight: 1 },
          {
            name: "judge",
            type: "llm-judge",
            score: judge,
            pass: judge >= 0.5,
            weight: 1,
            ...(judge < 0.5 ? { reason: sentence(around(LENGTHS.reason)) } : {}),
          },
        ],
    pass,
    latencyMs: Math.round(300 + random() * 2500),
    tokens: { prompt: 180, completion: 120, total: 300 },
    cost: Math.round(random() * 40) / 100_000,
    cached: false,
  };
}

function metric(name: string, rows: CaseResult[], value: (c: CaseResult) => number, higherIsBetter = true): MetricSummary {
  const mean = rows.reduce((s, c) => s + value(c), 0) / rows.length;
  const half = 1.96 * Math.sqrt((mean * (1 - mean)) / rows.length) || 0.01;
  return {
    name,
    kind: "rate",
    n: rows.length,
    mean,
    sd: 0.4,
    ci: { low: mean - half, high: mean + half, level: 0.95, method: "wilson" },
    higherIsBetter,
  };
}

function summary(rows: CaseResult[]): RunSummary {
  return {
    schemaVersion: 1,
    suite: "support-bot",
    suiteDigest: `sha256:${"a".repeat(64)}`,
    providers: ["openai:gpt-4o-mini"],
    startedAt: "2026-03-01T10:00:00.000Z",
    finishedAt: "2026-03-01T10:20:00.000Z",
    complete: true,
    cases: rows.length,
    errors: rows.filter((c) => c.error !== null).length,
    metrics: [metric("pass_rate", rows, (c) => (c.pass ? 1 : 0)), metric("error_rate", rows, (c) => (c.error ? 1 : 0), false)],
    slices: [],
    gates: [{ description: "pass_rate >= 0.75", metric: "pass_rate", actual: 0.8, threshold: 0.75, passed: true }],
    passed: true,
    results: "results.jsonl",
  };
}

const baseline: CaseResult[] = [];
const head: CaseResult[] = [];
for (let i = 0; i < CASES; i++) {
  const b = caseResult(i, undefined);
  baseline.push(b);
  head.push(caseResult(i, { output: b.output ?? "", pass: b.pass }));
}
const flips: Comparison["flips"] = [];
for (let i = 0; i < CASES; i++) {
  const [b, h] = [baseline[i] as CaseResult, head[i] as CaseResult];
  if (b.pass !== h.pass)
    flips.push({ id: h.id, direction: b.pass ? "pass-to-fail" : "fail-to-pass", input: "", baselineOutput: null, headOutput: null });
}
const comparison: Comparison = {
  schemaVersion: 1,
  suite: "support-bot",
  baseline: { source: "alias", description: "acme/support-bot:production (v7)" },
  matched: CASES,
  added: [],
  removed: [],
  changed: [],
  metrics: [],
  flips,
  gates: [],
  verdict: "pass",
};

// ---- write ---------------------------------------------------------------------------------
await mkdir(outDir, { recursive: true });
async function* streamed(rows: CaseResult[]) {
  yield* rows;
}
const rssBefore = process.memoryUsage().rss;
const started = performance.now();
const written = await writeHtmlReport(
  {
    suites: [
      { head: { summary: summary(head), cases: streamed(head) }, baseline: { summary: summary(baseline), cases: baseline }, comparison },
    ],
  },
  file,
);
const renderMs = performance.now() - started;
const rssGrowth = process.memoryUsage().rss - rssBefore;
const textChars = (rows: CaseResult[]) => rows.reduce((n, c) => n + (c.output?.length ?? 0), 0) / rows.length;

// ---- open in Chromium ----------------------------------------------------------------------
const chromium = requireProgram("chromium");
const browser = await launchChromium();
let browserFigures: { domContentLoaded: number; ready: number; firstSearch: number; secondSearch: number; shown: string };
try {
  const report = await openReport(browser, { file }, { timeoutMs: 60_000 });
  const page = report.page;
  const inPage = (await page.evaluate(`(() => {
    const nav = performance.getEntriesByType("navigation")[0];
    const ready = performance.getEntriesByName("llmops-report-ready")[0];
    return { domContentLoaded: nav.domContentLoadedEventEnd, ready: ready.startTime };
  })()`)) as { domContentLoaded: number; ready: number };
  await page.click("#tab-cases");
  // A search runs on Enter (no typing delay): time from the key to the table showing the answer.
  const search = (query: string) =>
    page.evaluate(`(() => {
      const field = document.getElementById("f-search");
      field.value = ${JSON.stringify(query)};
      const t0 = performance.now();
      field.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
      return performance.now() - t0;
    })()`) as Promise<number>;
  const firstSearch = await search("rückerstattung shipped");
  const secondSearch = await search("refund");
  const shown = (await page.textContent("#case-count")) ?? "";
  if (report.errors.length > 0 || report.requests.length > 0)
    process.stderr.write(`warning: ${report.errors.length} console errors, ${report.requests.length} requests\n`);
  browserFigures = { ...inPage, firstSearch, secondSearch, shown };
  await report.close();
} finally {
  await browser.close();
}

// ---- print ---------------------------------------------------------------------------------
const interactive = browserFigures.ready + browserFigures.firstSearch;
const rows: [string, string, string, string][] = [
  [
    "report size",
    `${(written.bytes / 1e6).toFixed(2)} MB = ${written.bytes} bytes (${written.cases} rows)`,
    "< 15 MB",
    written.bytes < TARGET_BYTES ? "PASS" : "MISS",
  ],
  ["render + write", `${Math.round(renderMs)} ms`, "", ""],
  ["memory growth while writing", `${(rssGrowth / MiB).toFixed(0)} MiB RSS`, "", ""],
  ["DOMContentLoaded", `${Math.round(browserFigures.domContentLoaded)} ms`, "", ""],
  ["case table has rows", `${Math.round(browserFigures.ready)} ms`, "", ""],
  ["first search answered", `+${Math.round(browserFigures.firstSearch)} ms`, "", ""],
  ["later search answered", `${Math.round(browserFigures.secondSearch)} ms`, "", ""],
  [
    "interactive (rows + first search)",
    `${Math.round(interactive)} ms`,
    "≤ 2000 ms",
    interactive <= TARGET_INTERACTIVE_MS ? "PASS" : "MISS",
  ],
];
const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i]!.length), ["measure", "value", "target", ""][i]!.length));
const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
process.stdout.write(
  [
    `HTML report bench: ${CASES} cases × 2 runs; per case ~${LENGTHS.question + LENGTHS.context} characters of vars, ~${LENGTHS.expected} expected, outputs of ${Math.round(textChars(baseline))} (baseline) and ${Math.round(textChars(head))} (head) on average`,
    `Chromium at ${chromium}; after the last search: ${browserFigures.shown}`,
    line(["measure", "value", "target", ""]),
    line(widths.map((w) => "-".repeat(w))),
    ...rows.map(line),
    "",
  ].join("\n"),
);
if (!values.keep) await rm(outDir, { recursive: true, force: true });
else process.stdout.write(`kept ${file}\n`);
