import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CaseResult, RunSummary } from "@llmops/core";
import { afterEach, describe, expect, it } from "vitest";
import { ResultColumns } from "../../src/aggregate/columns.ts";
import {
  columnsJUnitTotals,
  junitTotals,
  junitTotalsOfFile,
  renderMarkdownFromResults,
  writeJUnitFromResults,
} from "../../src/results/render.ts";
import { toJsonl } from "../../src/results/write.ts";
import { row } from "../aggregate/rows.ts";

/**
 * The renderers come from @llmops/report (above eval); these stand-ins have the same document
 * shape. packages/cli/test/eval.test.ts checks the real ones through the same functions.
 */

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

const summary = { suite: "s<&>", startedAt: "2026-01-01T00:00:00.000Z" } as RunSummary;

/** A JUnit document shaped as @llmops/report's renderJUnit writes one suite. */
function junit(s: RunSummary, cases: CaseResult[]): string {
  const failures = cases.filter((c) => c.error === null && !c.pass).length;
  const errors = cases.filter((c) => c.error !== null).length;
  const time = (cases.reduce((sum, c) => sum + c.latencyMs, 0) / 1000).toFixed(3);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="llmops" tests="${cases.length}" failures="${failures}" errors="${errors}" time="${time}">`,
    `  <testsuite name="${s.suite.replace(/[<&>]/g, "_")}" tests="${cases.length}" failures="${failures}" errors="${errors}" skipped="0" time="${time}" timestamp="${s.startedAt}">`,
    "    <properties>",
    '      <property name="p" value="v"/>',
    "    </properties>",
    ...cases.map(
      (c) =>
        `    <testcase name="${c.id}" time="${(c.latencyMs / 1000).toFixed(3)}"${c.pass ? "/>" : `>\n      <failure/>\n    </testcase>`}`,
    ),
    "  </testsuite>",
    "</testsuites>",
    "",
  ].join("\n");
}

function rows(n: number): CaseResult[] {
  return Array.from({ length: n }, (_, i) =>
    row({ index: i, pass: i % 3 !== 0, error: i % 7 === 0 ? "boom" : null, latencyMs: 0.1 + (i % 13) * 1.37 }),
  );
}

async function resultsFile(list: CaseResult[]): Promise<{ dir: string; path: string }> {
  const dir = await mkdtemp(join(tmpdir(), "llmops-render-"));
  dirs.push(dir);
  const path = join(dir, "results.jsonl");
  await writeFile(path, toJsonl(list));
  return { dir, path };
}

describe("writeJUnitFromResults", () => {
  it("splices chunk renders into exactly the document of all rows at once", async () => {
    const list = rows(2345);
    const { dir, path } = await resultsFile(list);
    const totals = await junitTotalsOfFile(path);
    expect(totals).toEqual(junitTotals(list));
    expect(columnsJUnitTotals(ResultColumns.from(list, { scorers: [], sliceKeys: [] }))).toEqual(totals);
    let calls = 0;
    const counting = (s: RunSummary, cases: CaseResult[]) => {
      calls++;
      expect(cases.length).toBeLessThanOrEqual(500);
      return junit(s, cases);
    };
    await writeJUnitFromResults(counting, summary, path, join(dir, "junit.xml"), totals, { chunkRows: 500 });
    expect(await readFile(join(dir, "junit.xml"), "utf8")).toBe(junit(summary, list));
    // One empty render for the header, then five chunks.
    expect(calls).toBe(6);
    expect((await readdir(dir)).sort()).toEqual(["junit.xml", "results.jsonl"]);
  });

  it("renders all rows at once when the document does not have the expected shape", async () => {
    const list = rows(1200);
    const { dir, path } = await resultsFile(list);
    const debug: string[] = [];
    const logger = { debug: (m: string) => debug.push(m), info() {}, warn() {}, error() {} };
    // Counts elsewhere than the header lines the splice patches.
    const other = (_s: RunSummary, cases: CaseResult[]) =>
      `<report>\n${cases.map((c) => `<case id="${c.id}"/>`).join("\n")}\n<count>${cases.length}</count>\n</report>\n`;
    await writeJUnitFromResults(other, summary, path, join(dir, "junit.xml"), junitTotals(list), { chunkRows: 100, logger });
    expect(await readFile(join(dir, "junit.xml"), "utf8")).toBe(other(summary, list));
    expect(debug.join("\n")).toContain("rendering all rows at once");
    // A header that carries something per chunk besides the totals: caught on the first chunk.
    const firstId = (s: RunSummary, cases: CaseResult[]) =>
      junit(s, cases).replace("<properties>", `<properties first="${cases[0]?.id ?? ""}">`);
    await writeJUnitFromResults(firstId, summary, path, join(dir, "junit.xml"), junitTotals(list), { chunkRows: 100, logger });
    expect(await readFile(join(dir, "junit.xml"), "utf8")).toBe(firstId(summary, list));
    expect((await readdir(dir)).sort()).toEqual(["junit.xml", "results.jsonl"]);
  });

  it("renders a run no larger than one chunk at once", async () => {
    const list = rows(40);
    const { dir, path } = await resultsFile(list);
    await writeJUnitFromResults(junit, summary, path, join(dir, "junit.xml"), junitTotals(list), { chunkRows: 40 });
    expect(await readFile(join(dir, "junit.xml"), "utf8")).toBe(junit(summary, list));
  });
});

describe("renderMarkdownFromResults", () => {
  /** Lists the first 3 errored and failing rows under their counts, as the report does with 20. */
  const markdown = (_s: RunSummary, cases?: CaseResult[]) => {
    const errored = (cases ?? []).filter((c) => c.error !== null);
    const failing = (cases ?? []).filter((c) => c.error === null && !c.pass);
    return `errors ${errored.length}: ${errored.slice(0, 3).map((c) => c.id)}\nfailing ${failing.length}: ${failing.slice(0, 3).map((c) => c.id)}\n`;
  };

  it("gives the renderer the counts and the first rows of each kind without holding the rest", async () => {
    const list = rows(500);
    const { path } = await resultsFile(list);
    const text = await renderMarkdownFromResults(markdown, summary, path, { listedRows: 5 });
    expect(text).toBe(markdown(summary, list));
    expect(text).toContain("errors 72: c0,c7,c14");
  });

  it("passes no rows when every row passed, as the report then lists none", async () => {
    const list = rows(10).map((r) => ({ ...r, pass: true, error: null }));
    const { path } = await resultsFile(list);
    let seen: CaseResult[] | undefined;
    const record = (_s: RunSummary, cases?: CaseResult[]) => {
      seen = cases;
      return "";
    };
    await renderMarkdownFromResults(record, summary, path);
    expect(seen).toEqual([]);
  });
});
