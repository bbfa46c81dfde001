import { createHash } from "node:crypto";
import { safeUrl } from "../format.ts";
import { SCRIPT, STYLE } from "./assets.generated.ts";
import { cleanText, DEFAULT_MAX_TEXT_LENGTH, historyData, reportRows, trustedOrigin } from "./data.ts";
import type { HtmlReportInput } from "./model.ts";
import { compactScriptJson, scriptJson } from "./script-json.ts";

/**
 * The page: one self-contained HTML document. Its only script and style are the generated assets
 * (uPlot and the client code, see scripts/generate-report-assets.ts), allowed by hash in a
 * Content-Security-Policy that permits nothing else: no network request of any kind, no other
 * script, no inline event handler. The data is a JSON block the script reads and renders as text.
 */

/** The id of the JSON block; the client reads it (client/main.ts). */
export const DATA_ELEMENT_ID = "llmops-report-data";

let policy: string | undefined;

const hashSource = (text: string) => `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;

/** The page's Content-Security-Policy: its own script and style by hash, data: images (the favicon), nothing else. */
export function contentSecurityPolicy(): string {
  policy ??= [
    "default-src 'none'",
    `script-src ${hashSource(SCRIPT)}`,
    `style-src ${hashSource(STYLE)}`,
    "img-src data:",
    "base-uri 'none'",
    "form-action 'none'",
  ].join("; ");
  return policy;
}

/** Text for HTML element content and double-quoted attribute values. */
function htmlText(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function pageStart(title: string): string {
  const t = htmlText(title);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy()}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="color-scheme" content="light dark">
<meta name="generator" content="llmops report html">
<title>${t}</title>
<link rel="icon" href="data:,">
<style>${STYLE}</style>
</head>
<body>
<a class="skip-link" href="#main">Skip to the report</a>
<header class="page-header">
<h1 id="report-title">${t}</h1>
<p id="report-meta" class="meta"></p>
</header>
<nav class="tabs" aria-label="Report sections">
<div role="tablist" id="tablist" aria-label="Report sections">
<button type="button" role="tab" id="tab-overview" aria-controls="panel-overview" aria-selected="true">Overview</button>
<button type="button" role="tab" id="tab-cases" aria-controls="panel-cases" aria-selected="false" tabindex="-1">Cases</button>
<button type="button" role="tab" id="tab-history" aria-controls="panel-history" aria-selected="false" tabindex="-1">History</button>
</div>
</nav>
<main id="main" tabindex="-1">
<section id="panel-overview" role="tabpanel" aria-labelledby="tab-overview" tabindex="0"></section>
<section id="panel-cases" role="tabpanel" aria-labelledby="tab-cases" tabindex="-1" hidden></section>
<section id="panel-history" role="tabpanel" aria-labelledby="tab-history" tabindex="0" hidden></section>
</main>
<noscript><p class="noscript">This report is drawn by the script inside this file. Allow JavaScript for it to see the results.</p></noscript>
<script type="application/json" id="${DATA_ELEMENT_ID}">`;
}

const PAGE_END = `</script>
<script>${SCRIPT}</script>
</body>
</html>
`;

export interface HtmlReportStats {
  /** Rows in the report (cases × repeats, head and baseline paired). */
  cases: number;
  /** Rows whose case text was cut short to keep the page within its budget (`HtmlReportInput.maxTextBytes`). */
  trimmed: number;
}

/**
 * The report as a sequence of text chunks, so a large one can be written to a file without being
 * held whole; its return value counts the rows. Head's rows are consumed as they are read, a
 * block of rows (`RowBlock`) per chunk (see `reportRows`).
 */
export async function* htmlReportChunks(input: HtmlReportInput): AsyncGenerator<string, HtmlReportStats, undefined> {
  const max = input.maxTextLength ?? DEFAULT_MAX_TEXT_LENGTH;
  const names = input.suites.map((s) => s.head.summary.suite);
  const title = cleanText(input.title ?? `llmops report: ${names.join(", ") || "no suites"}`, 500);
  const generatedAt = input.generatedAt ?? new Date().toISOString();
  const runUrl = safeUrl(input.runUrl) ?? null;
  yield `${pageStart(title)}{"version":2,"title":${scriptJson(title)},"generatedAt":${scriptJson(cleanText(generatedAt, 100))},"runUrl":${scriptJson(runUrl)},"blocks":[`;
  const blocks = reportRows(input);
  let first = true;
  let next = await blocks.next();
  for (; !next.done; next = await blocks.next()) {
    yield `${first ? "" : ","}${compactScriptJson(next.value)}`;
    first = false;
  }
  const { suites, tagSets, rows, trimmed } = next.value;
  const history = historyData(input.history, max, trustedOrigin(input.serverUrl));
  yield `],"tagSets":${scriptJson(tagSets)},"suites":${scriptJson(suites)},"history":${scriptJson(history)},"trimmed":${scriptJson(trimmed)}}${PAGE_END}`;
  return { cases: rows, trimmed: trimmed?.rows ?? 0 };
}
/** The whole report as one string (tests, small reports); `writeHtmlReport` streams it to a file. */
export async function renderHtmlReport(input: HtmlReportInput): Promise<string> {
  const parts: string[] = [];
  const chunks = htmlReportChunks(input);
  for (let next = await chunks.next(); !next.done; next = await chunks.next()) parts.push(next.value);
  return parts.join("");
}
