import { AtomicFileWriter, type CaseResult, type Logger, type RunSummary, silentLogger, writeFileAtomic } from "@llmops/core";
import type { ResultColumns } from "../aggregate/columns.ts";
import { readAllResults, readResultsBatches, readResultsFile } from "./stream.ts";

/**
 * junit.xml and summary.md of a run whose rows are in results.jsonl rather than in memory. The
 * renderers (from `@llmops/report`, above eval in the layering) take a summary and an array of
 * rows and return the whole document; here they are fed rows read back from the file so that
 * only a bounded number of rows is ever held:
 *
 * - JUnit lists every row, so it is rendered a chunk of rows at a time and the chunks' testcases
 *   are joined under one header carrying the run's totals. Each chunk's own header is checked
 *   against the header this splice predicts for it; any difference (a renderer whose document
 *   has another shape) falls back to rendering every row at once, so the file is always exactly
 *   what the renderer gives for all rows.
 * - The Markdown summary lists errored and failing rows, a few of each, under their counts: it is
 *   given the first `listedRows` of each kind, and the remainder of each kind as repeats of the
 *   last one listed, so the counts are right without holding those rows.
 */

export interface FileRenderOptions {
  /** Rows rendered per JUnit chunk; runs with no more rows are rendered at once. Default 1,000. */
  chunkRows?: number;
  /** Errored and failing rows, of each kind, handed to the Markdown renderer whole. Default 1,000. */
  listedRows?: number;
  logger?: Logger;
}

/** The counts a JUnit document's header carries. */
export interface JUnitTotals {
  tests: number;
  failures: number;
  errors: number;
  /** Sum of the rows' latencies, added in row order. */
  timeMs: number;
}

function addToTotals(totals: JUnitTotals, row: Pick<CaseResult, "error" | "pass" | "latencyMs">): void {
  totals.tests++;
  if (row.error !== null) totals.errors++;
  else if (!row.pass) totals.failures++;
  totals.timeMs += row.latencyMs;
}

export function junitTotals(rows: Iterable<Pick<CaseResult, "error" | "pass" | "latencyMs">>): JUnitTotals {
  const totals = { tests: 0, failures: 0, errors: 0, timeMs: 0 };
  for (const row of rows) addToTotals(totals, row);
  return totals;
}

/** The totals of a results file, read a row at a time. */
export async function junitTotalsOfFile(resultsPath: string): Promise<JUnitTotals> {
  const totals = { tests: 0, failures: 0, errors: 0, timeMs: 0 };
  for await (const row of readResultsFile(resultsPath, { validate: false })) addToTotals(totals, row);
  return totals;
}

/** The same totals from a run's columns. */
export function columnsJUnitTotals(columns: ResultColumns): JUnitTotals {
  const totals = { tests: columns.length, failures: 0, errors: 0, timeMs: 0 };
  for (let row = 0; row < columns.length; row++) {
    if (columns.error[row]) totals.errors++;
    else if (!columns.pass[row]) totals.failures++;
    totals.timeMs += columns.latencyMs[row] as number;
  }
  return totals;
}

const PROPERTIES_END = "\n    </properties>\n";
const TAIL = "  </testsuite>\n</testsuites>\n";

/** A one-suite JUnit document split into its header (through `</properties>`) and its testcases. */
function splitJUnit(text: string): { head: string; body: string } | undefined {
  const at = text.indexOf(PROPERTIES_END);
  if (at < 0 || !text.endsWith(TAIL)) return undefined;
  const headEnd = at + PROPERTIES_END.length;
  if (headEnd > text.length - TAIL.length) return undefined;
  return { head: text.slice(0, headEnd), body: text.slice(headEnd, text.length - TAIL.length) };
}

/** The header of the empty document with `totals` in the <testsuites> and <testsuite> elements. */
function headWithTotals(emptyHead: string, totals: JUnitTotals): string | undefined {
  const lines = emptyHead.split("\n");
  const values: [string, string][] = [
    [' tests="0"', ` tests="${totals.tests}"`],
    [' failures="0"', ` failures="${totals.failures}"`],
    [' errors="0"', ` errors="${totals.errors}"`],
    [' time="0.000"', ` time="${(totals.timeMs / 1000).toFixed(3)}"`],
  ];
  for (const [at, prefix] of [
    [1, "<testsuites "],
    [2, "  <testsuite "],
  ] as const) {
    let line = lines[at];
    if (line === undefined || !line.startsWith(prefix)) return undefined;
    for (const [from, to] of values) {
      const index = line.indexOf(from);
      if (index < 0 || line.indexOf(from, index + 1) >= 0) return undefined;
      line = line.slice(0, index) + to + line.slice(index + from.length);
    }
    lines[at] = line;
  }
  return lines.join("\n");
}

/** Writes `junitPath` (atomically) as `render(summary, every row of resultsPath)`. */
export async function writeJUnitFromResults(
  render: (summary: RunSummary, cases: CaseResult[]) => string,
  summary: RunSummary,
  resultsPath: string,
  junitPath: string,
  totals: JUnitTotals,
  options: FileRenderOptions = {},
): Promise<void> {
  const chunkRows = Math.max(1, options.chunkRows ?? 1000);
  const logger = options.logger ?? silentLogger;
  const whole = async () => writeFileAtomic(junitPath, render(summary, await readAllResults(resultsPath)));
  if (totals.tests <= chunkRows) return whole();
  const empty = splitJUnit(render(summary, []));
  const head = empty && headWithTotals(empty.head, totals);
  if (!empty || !head) {
    logger.debug(`${junitPath}: the JUnit renderer's document has an unexpected shape; rendering all rows at once`);
    return whole();
  }
  const writer = await AtomicFileWriter.open(junitPath);
  try {
    await writer.write(head);
    let rows = 0;
    for await (const chunk of readResultsBatches(resultsPath, chunkRows, { validate: false })) {
      rows += chunk.length;
      const parts = splitJUnit(render(summary, chunk));
      if (!parts || parts.head !== headWithTotals(empty.head, junitTotals(chunk))) {
        await writer.abort();
        logger.debug(`${junitPath}: a chunk of the JUnit document did not splice; rendering all rows at once`);
        return whole();
      }
      await writer.write(parts.body);
    }
    if (rows !== totals.tests) {
      await writer.abort();
      logger.debug(`${junitPath}: ${rows} rows in ${resultsPath}, ${totals.tests} counted; rendering all rows at once`);
      return whole();
    }
    await writer.write(TAIL);
    await writer.finish();
  } catch (error) {
    await writer.abort();
    throw error;
  }
}

/** `render(summary, rows)` for the Markdown summary of the rows in resultsPath (see the header comment). */
export async function renderMarkdownFromResults(
  render: (summary: RunSummary, cases?: CaseResult[]) => string,
  summary: RunSummary,
  resultsPath: string,
  options: FileRenderOptions = {},
): Promise<string> {
  const listed = Math.max(1, options.listedRows ?? 1000);
  const errored: CaseResult[] = [];
  const failing: CaseResult[] = [];
  let erroredCount = 0;
  let failingCount = 0;
  for await (const row of readResultsFile(resultsPath, { validate: false })) {
    if (row.error !== null) {
      if (erroredCount++ < listed) errored.push(row);
    } else if (!row.pass) {
      if (failingCount++ < listed) failing.push(row);
    }
  }
  const padded = (rows: CaseResult[], count: number): CaseResult[] => {
    if (count <= rows.length) return rows;
    const last = rows[rows.length - 1]!;
    const out = rows.slice();
    out.length = count;
    return out.fill(last, rows.length);
  };
  return render(summary, [...padded(errored, erroredCount), ...padded(failing, failingCount)]);
}
