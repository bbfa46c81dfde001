import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CaseResult } from "@llmops/core";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { SCRIPT, STYLE } from "../../src/html/assets.generated.ts";
import { filterRows, sliceValue } from "../../src/html/client/filter.ts";
import { expandReportData } from "../../src/html/client/rows.ts";
import { cleanText, textDelta } from "../../src/html/data.ts";
import type { EmbeddedReportData, ReportData } from "../../src/html/model.ts";
import { contentSecurityPolicy, htmlReportChunks, renderHtmlReport } from "../../src/html/page.ts";
import { compactScriptJson, scriptJson, shortNumber } from "../../src/html/script-json.ts";
import { writeHtmlReport } from "../../src/html/write.ts";
import { HOSTILE } from "../hostile.ts";
import { comparison, history, reportInput, runs, summary } from "./fixtures.ts";

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

/** The page's JSON block as embedded. */
function embedded(html: string): EmbeddedReportData {
  const match = /<script type="application\/json" id="llmops-report-data">([\s\S]*?)<\/script>/.exec(html);
  if (!match) throw new Error("no data block");
  return JSON.parse(match[1] as string) as EmbeddedReportData;
}

/** The page's JSON block, parsed and expanded as the client does. */
function dataOf(html: string): ReportData {
  return expandReportData(embedded(html));
}

const sha256 = (text: string) => `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;

describe("scriptJson", () => {
  it("gives back any value through JSON.parse, with no character that could end or escape a script element", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.string({ unit: "binary" }), (value, text) => {
        for (const v of [value, text, { [text]: [text, value] }]) {
          const json = scriptJson(v);
          expect(json).not.toMatch(/[<>&\u2028\u2029]/);
          expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify(v)));
        }
      }),
      { numRuns: 300 },
    );
  });

  it("has a compact form for the rows: numbers in their shortest spelling, the same value to JSON.parse", () => {
    expect([0.00018, 0.00032, 1e-7, 1000000, 1198, 0.313, -0.25, 0, 1.5e300, Number.NaN].map(shortNumber)).toEqual([
      "18e-5",
      "32e-5",
      "1e-7",
      "1e6",
      "1198",
      "0.313",
      "-0.25",
      "0",
      "15e299",
      "null",
    ]);
    fc.assert(
      fc.property(fc.jsonValue(), fc.double(), fc.string({ unit: "binary" }), (value, n, text) => {
        for (const v of [value, n, [n, text, { [text]: [n, value] }]]) {
          const json = compactScriptJson(v);
          expect(json).not.toMatch(/[<>&\u2028\u2029]/);
          expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify(v)));
        }
      }),
      { numRuns: 300 },
    );
  });

  it("escapes the script end tag and comment openers of the escaping corpus", () => {
    const json = scriptJson(["</script><script>alert(1)</script>", "<!--", "</SCRIPT >", "\u2028\u2029"]);
    expect(json).toBe(
      '["\\u003c/script\\u003e\\u003cscript\\u003ealert(1)\\u003c/script\\u003e","\\u003c!--","\\u003c/SCRIPT \\u003e","\\u2028\\u2029"]',
    );
  });
});

describe("renderHtmlReport", () => {
  it("is one self-contained document: one script and one style, both allowed by hash, nothing loaded from anywhere", async () => {
    const html = await renderHtmlReport(reportInput());
    expect(html.startsWith("<!doctype html>")).toBe(true);
    const policy = contentSecurityPolicy();
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="${policy}">`);
    expect(policy).toBe(
      `default-src 'none'; script-src ${sha256(SCRIPT)}; style-src ${sha256(STYLE)}; img-src data:; base-uri 'none'; form-action 'none'`,
    );
    // Exactly the assets, byte for byte, so the hashes hold.
    expect(html).toContain(`<style>${STYLE}</style>`);
    expect(html).toContain(`<script>${SCRIPT}</script>`);
    expect(html.match(/<script\b/g)).toHaveLength(2);
    expect(html.match(/<style\b/g)).toHaveLength(1);
    // No URL the browser would fetch: no src or stylesheet link in the markup, no url() or @import in the style
    // (the browser test proves it for the script: the page makes no request at all).
    const markup = html.replace(`<script>${SCRIPT}</script>`, "").replace(`<style>${STYLE}</style>`, "");
    expect(markup).not.toMatch(/\ssrc=|rel="stylesheet"/i);
    expect(STYLE).not.toMatch(/@import|url\(/i);
    expect(html).toMatch(/<link rel="icon" href="data:,">/);
  });

  it("embeds every row with head and baseline side by side, and the suites, comparison and history", async () => {
    const html = await renderHtmlReport(reportInput());
    const data = dataOf(html);
    expect(data.version).toBe(2);
    expect(data.rows).toHaveLength(60 + 5);
    const byId = new Map(data.rows.map((r) => [r[1], r]));
    // 0–9 flipped pass → fail; the sides' outputs, statuses and scores are there.
    const flipped = byId.get("case-03")!;
    expect(flipped[8]).toBe(1);
    expect(flipped[6]).toEqual([
      0,
      "wrong case-03",
      null,
      103,
      0.0002,
      [
        [0, 0, "expected answer case-03"],
        [0.2, 0],
      ],
    ]);
    expect(flipped[7]).toEqual([
      1,
      "answer case-03",
      null,
      103,
      0.0002,
      [
        [1, 1],
        [0.9, 1],
      ],
    ]);
    expect(byId.get("case-12")![8]).toBe(2);
    // Errored on head; only in head; only in the baseline.
    expect((byId.get("case-20")![6] as unknown[]).slice(0, 3)).toEqual([2, null, "provider timed out after 30 s"]);
    expect(byId.get("case-21")![7]).toBe(0);
    expect(byId.get("case-22")![6]).toBe(0);
    expect((byId.get("case-22")![7] as unknown[])[0]).toBe(1);
    // Input is the vars, one `name: value` a line; expected as text.
    expect(byId.get("case-40")![3]).toBe("question: question case-40");
    expect(byId.get("case-40")![4]).toBe("answer case-40");
    expect(byId.get("case-40")![5]).toEqual({ language: "de" });
    const [qa, summaries] = data.suites;
    expect(qa).toMatchObject({ name: "qa", scorers: ["exact", "judge"], tagKeys: ["language"] });
    expect(qa!.comparison).toMatchObject({ verdict: "fail", passToFail: 11, failToPass: 5, added: 1, removed: 1 });
    expect(summaries).toMatchObject({ name: "summaries", baseline: null, comparison: null });
    // Rows share their tag sets: each distinct set is embedded once, as key, value pairs.
    expect(embedded(html).tagSets).toEqual([[["language", "de"]], [["language", "en"]], []]);
    expect(data.history?.versions.map((v) => v.label)).toEqual(["v1", "v2", "v3"]);
    // A run URL that is not http(s) is not linked: it is shown as text.
    expect(data.history?.moves[2]).toMatchObject({ runText: "javascript:alert(1)" });
    expect(data.history?.moves[2]?.runUrl).toBeUndefined();
    expect(data.history?.moves[0]?.runUrl).toBe("https://github.com/acme/repo/actions/runs/1");
  });

  it("keeps every string of the escaping corpus inside the data block, as the same text minus controls and bidi overrides", async () => {
    const cases = HOSTILE.map((t, i) => ({
      id: `h${i} ${t}`,
      input: t,
      head: { pass: i % 2 === 0, output: t },
      baseline: { pass: true, output: `${t}!` },
    }));
    const qa = runs(cases);
    const html = await renderHtmlReport({
      title: `</title><script>alert(1)</script>`,
      suites: [
        {
          head: { summary: summary(`<b>${HOSTILE[0]}</b>`, qa.head), cases: qa.head },
          baseline: { summary: summary("x", qa.baseline), cases: qa.baseline },
        },
      ],
    });
    // The document's own markup is unchanged: corpus text adds no tag anywhere.
    const withoutData = html.replace(/<script type="application\/json"[\s\S]*?<\/script>/, "").replace(/<script>[\s\S]*?<\/script>/, "");
    expect(withoutData.match(/<script\b/g) ?? []).toHaveLength(0);
    expect(withoutData).toContain("<title>&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;</title>");
    const data = dataOf(html);
    expect(data.rows).toHaveLength(HOSTILE.length);
    data.rows.forEach((row, i) => {
      const text = HOSTILE[i] as string;
      const shown = text.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g, "");
      expect(row[3]).toBe(shown);
      expect((row[6] as unknown[])[1]).toBe(shown);
    });
  });

  it("cuts a text longer than maxTextLength and says how much was cut", async () => {
    const qa = runs([{ id: "long", head: { pass: true, output: "x".repeat(5000) } }]);
    const data = dataOf(
      await renderHtmlReport({ maxTextLength: 1000, suites: [{ head: { summary: summary("qa", qa.head), cases: qa.head } }] }),
    );
    expect((data.rows[0]![6] as unknown[])[1]).toBe(`${"x".repeat(1000)}… (4000 more characters)`);
  });

  it("reads rows as they come: head from an async source, paired with the baseline by id and repeat", async () => {
    const qa = runs([
      { id: "a", repeat: 0, head: { pass: true }, baseline: { pass: false } },
      { id: "a", repeat: 1, head: { pass: false }, baseline: { pass: false } },
    ]);
    async function* slowly(rows: CaseResult[]) {
      for (const row of rows) {
        await new Promise((r) => setTimeout(r, 1));
        yield row;
      }
    }
    const chunks = htmlReportChunks({
      suites: [
        {
          head: { summary: summary("qa", qa.head), cases: slowly(qa.head) },
          baseline: { summary: summary("qa", qa.baseline), cases: [...qa.baseline].reverse() },
        },
      ],
    });
    let text = "";
    let next = await chunks.next();
    while (!next.done) {
      text += next.value;
      next = await chunks.next();
    }
    expect(next.value).toEqual({ cases: 2, trimmed: 0 });
    const rows = dataOf(text).rows;
    expect(rows.map((r) => [r[1], r[2], r[8]])).toEqual([
      ["a", 0, 2],
      ["a", 1, 0],
    ]);
  });
});

describe("baseline outputs embedded against head's", () => {
  it("are a delta only when they share enough, and always expand to the same text", () => {
    expect(
      textDelta("The capital of France is Paris, a city on the Seine.", "The capital of France is Lyon, a city on the Seine."),
    ).toEqual([25, "Paris", 22]);
    expect(textDelta("short", "short!")).toBe("short");
    const text = fc.string({ unit: "binary", maxLength: 80 });
    fc.assert(
      fc.property(text, text, text, (shared, a, b) => {
        const head = `${shared}${b}${shared}`;
        const baseline = `${shared}${a}${shared}`;
        const delta = textDelta(baseline, head);
        if (typeof delta !== "string") {
          expect(delta[0] + delta[2]).toBeGreaterThanOrEqual(24);
          // The middle is well-formed on its own: no surrogate pair is split at either end.
          expect(delta[1]).toBe(baseline.slice(delta[0], baseline.length - delta[2]));
        }
        const data = expandReportData({
          suites: [],
          blocks: [
            {
              suite: 0,
              idPrefix: "",
              id: ["id"],
              input: [""],
              expected: [null],
              head: { status: "1", output: [head], latency: [0], scores: [] },
              baseline: { status: "1", output: [delta], latency: [0], scores: [] },
            },
          ],
          tagSets: [[]],
        } as unknown as EmbeddedReportData);
        expect(data.rows[0]![7]).toEqual([1, baseline, null, 0, null, []]);
      }),
      { numRuns: 500 },
    );
  });

  it("keep the page small when outputs barely change: an unchanged output costs a few bytes", async () => {
    const same = "A long answer that did not change between the baseline and head. ".repeat(5);
    const qa = runs(
      Array.from({ length: 50 }, (_, i) => ({ id: `c${i}`, head: { pass: true, output: same }, baseline: { pass: true, output: same } })),
    );
    const html = await renderHtmlReport({
      suites: [
        {
          head: { summary: summary("qa", qa.head), cases: qa.head },
          baseline: { summary: summary("qa", qa.baseline), cases: qa.baseline },
        },
      ],
    });
    expect(html.split(same).length - 1).toBe(50);
    expect(dataOf(html).rows.every((r) => (r[7] as unknown[])[1] === same)).toBe(true);
  });
});

describe("writeHtmlReport", () => {
  it("streams the same document to the file through a temp file, and counts rows and bytes", async () => {
    const dir = await mkdtemp(join(tmpdir(), "llmops-html-"));
    dirs.push(dir);
    const input = reportInput();
    const expected = await renderHtmlReport(reportInput());
    const written = await writeHtmlReport(input, join(dir, "out", "report.html"));
    const text = await readFile(join(dir, "out", "report.html"), "utf8");
    expect(text).toBe(expected);
    expect(written).toEqual({ path: join(dir, "out", "report.html"), bytes: Buffer.byteLength(expected), cases: 65, trimmed: 0 });
    expect(await readdir(join(dir, "out"))).toEqual(["report.html"]);
  });

  it("leaves the previous file and no temp file when rendering fails", async () => {
    const dir = await mkdtemp(join(tmpdir(), "llmops-html-"));
    dirs.push(dir);
    const file = join(dir, "report.html");
    await writeHtmlReport(reportInput(), file);
    const before = await readFile(file, "utf8");
    async function* broken(): AsyncGenerator<CaseResult> {
      yield* [];
      throw new Error("results.jsonl:7: not valid JSON");
    }
    await expect(writeHtmlReport({ suites: [{ head: { summary: summary("qa", []), cases: broken() } }] }, file)).rejects.toThrow(
      /not valid JSON/,
    );
    expect(await readFile(file, "utf8")).toBe(before);
    expect(await readdir(dir)).toEqual(["report.html"]);
  });
});

describe("the rows as embedded", () => {
  it("write what every row repeats once per block: a row costs little beyond its text", async () => {
    const n = 1000;
    const specs = Array.from({ length: n }, (_, i) => ({
      id: `support-${String(i).padStart(5, "0")}`,
      tags: { language: ["en", "de"][i % 2] as string },
      head: { pass: i % 3 !== 0, output: `head answer ${i}`, cost: 0.00018 },
      baseline: { pass: i % 5 !== 0, output: `baseline answer ${i}`, cost: 0.00032 },
    }));
    const qa = runs(specs);
    // Two vars a case, as the benchmark's cases have.
    for (const c of [...qa.head, ...qa.baseline]) c.vars = { question: `question ${c.id}`, order: `A-${c.index}` };
    const html = await renderHtmlReport({
      suites: [
        {
          head: { summary: summary("qa", qa.head), cases: qa.head },
          baseline: { summary: summary("qa", qa.baseline), cases: qa.baseline },
          comparison: comparison("qa", specs),
        },
      ],
    });
    const data = dataOf(html);
    expect(data.rows).toHaveLength(n);
    expect(data.rows[7]?.[3]).toBe("question: question support-00007\norder: A-7");
    // Text: ids, vars, expected values, outputs and reasons, as they stand in the page.
    let text = 0;
    for (const row of data.rows) {
      const texts = [row[1], row[3], row[4]];
      for (const side of [row[6], row[7]]) {
        if (!side) continue;
        texts.push(side[1], side[2]);
        for (const score of side[5]) if (score !== 0 && score[2]) texts.push(score[2]);
      }
      text += texts.reduce((sum, t) => sum + Buffer.byteLength(t ?? ""), 0);
    }
    const json = Buffer.byteLength(/id="llmops-report-data">([\s\S]*?)<\/script>/.exec(html)![1]!);
    // Two sides of statuses, latencies, costs, two scorers' scores and verdicts: about 40 bytes a row
    // (a JSON array a row, with its var names, nulls and brackets, took about 110).
    expect((json - text) / n).toBeLessThan(60);
  });

  it("mark as flipped only the repeats whose own pass/fail changed, in the direction the case flipped", async () => {
    // Case "a" passes when every repeat passes: it flips pass → fail on repeat 1 alone.
    const specs = [
      { id: "a", repeat: 0, baseline: { pass: true }, head: { pass: true } },
      { id: "a", repeat: 1, baseline: { pass: true }, head: { pass: false } },
      { id: "a", repeat: 2, baseline: { pass: true }, head: { pass: true } },
      // Case "b" fails on both sides (repeat 2 changed, the case did not flip).
      { id: "b", repeat: 0, baseline: { pass: false }, head: { pass: false } },
      { id: "b", repeat: 1, baseline: { pass: true }, head: { pass: true } },
      { id: "b", repeat: 2, baseline: { pass: false }, head: { pass: true } },
    ];
    const qa = runs(specs);
    const compared = comparison("qa", []);
    compared.flips = [{ id: "a", direction: "pass-to-fail", input: "a", baselineOutput: null, headOutput: null }];
    const data = dataOf(
      await renderHtmlReport({
        suites: [
          {
            head: { summary: summary("qa", qa.head), cases: qa.head },
            baseline: { summary: summary("qa", qa.baseline), cases: qa.baseline },
            comparison: compared,
          },
        ],
      }),
    );
    expect(data.rows.map((r) => [r[1], r[2], r[8]])).toEqual([
      ["a", 0, 0],
      ["a", 1, 1],
      ["a", 2, 0],
      ["b", 0, 0],
      ["b", 1, 0],
      ["b", 2, 0],
    ]);
    expect(filterRows(data.rows, { suite: -1, outcome: "all", flip: "flipped", slice: "", query: "" })).toEqual([1]);
  });

  it("keep a tag named __proto__ (or constructor) as a slice like any other", async () => {
    const qa = runs([
      { id: "a", head: { pass: true } },
      { id: "b", head: { pass: false } },
    ]);
    qa.head[0]!.tags = JSON.parse('{"__proto__": "polluted", "constructor": "x"}') as Record<string, string>;
    const html = await renderHtmlReport({ suites: [{ head: { summary: summary("qa", qa.head), cases: qa.head } }] });
    const data = dataOf(html);
    expect(Object.entries(data.rows[0]![5])).toEqual([
      ["__proto__", "polluted"],
      ["constructor", "x"],
    ]);
    expect(Object.entries(data.rows[1]![5])).toEqual([]);
    expect(data.suites[0]?.tagKeys).toEqual(["__proto__", "constructor"]);
    const all = { suite: -1, outcome: "all", flip: "all", query: "" } as const;
    expect(filterRows(data.rows, { ...all, slice: sliceValue("__proto__", "polluted") })).toEqual([0]);
    expect(filterRows(data.rows, { ...all, slice: sliceValue("constructor", "x") })).toEqual([0]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("link workflow runs only on the GitHub server; a run URL from elsewhere is text", async () => {
    const qa = runs([{ id: "a", head: { pass: true } }]);
    const moves = (urls: string[]) => ({
      ...history(),
      moves: urls.map((runUrl, i) => ({ when: `2026-01-0${i + 1}T00:00:00Z`, from: null, to: history().versions[0]!.digest, runUrl })),
    });
    const urls = [
      "https://github.com/acme/repo/actions/runs/1",
      "https://evil.example/acme/repo/actions/runs/2",
      "https://github.com@evil.example/runs/3",
      "https://ghe.acme.internal/acme/repo/actions/runs/4",
    ];
    const render = async (serverUrl?: string) =>
      dataOf(
        await renderHtmlReport({
          suites: [{ head: { summary: summary("qa", qa.head, { runUrl: urls[1] }), cases: qa.head } }],
          history: moves(urls),
          ...(serverUrl ? { serverUrl } : {}),
        }),
      );
    const dotcom = await render();
    expect(dotcom.history?.moves.map((m) => [m.runUrl, m.runText])).toEqual([
      [urls[0], undefined],
      [undefined, urls[1]],
      [undefined, urls[2]],
      [undefined, urls[3]],
    ]);
    expect(dotcom.suites[0]?.head).toMatchObject({ runText: urls[1] });
    expect(dotcom.suites[0]?.head.runUrl).toBeUndefined();
    const enterprise = await render("https://ghe.acme.internal/");
    expect(enterprise.history?.moves.map((m) => m.runUrl ?? null)).toEqual([null, null, null, urls[3]]);
  });
});

describe("long texts and the page's text budget", () => {
  it("clean and cut a 50 MB output in a moment, counting characters as UTF-16 units", () => {
    const huge = `${"\u202Eab😀".repeat(10)}${"x".repeat(50_000_000)}`;
    const started = performance.now();
    const cut = cleanText(huge, 23);
    expect(performance.now() - started).toBeLessThan(200);
    // The bidi overrides are gone; the cut falls before a surrogate pair (the 23rd unit) rather than through it.
    expect(cut).toBe(`${"ab😀".repeat(5)}ab… (${huge.length - 10 - 22} more characters)`);
    expect(cleanText("short", 10)).toBe("short");
  });

  it("cut the text of the rows over the budget, and say so in the page's data", async () => {
    const qa = runs(
      Array.from({ length: 10 }, (_, i) => ({
        id: `c${i}`,
        head: { pass: true, output: `${"h".repeat(1000)}${i}` },
        baseline: { pass: false, output: `${"b".repeat(1000)}${i}` },
      })),
    );
    const input = {
      maxTextBytes: 5000,
      suites: [
        {
          head: { summary: summary("qa", qa.head), cases: qa.head },
          baseline: { summary: summary("qa", qa.baseline), cases: qa.baseline },
        },
      ],
    };
    const chunks = htmlReportChunks(input);
    let html = "";
    let next = await chunks.next();
    for (; !next.done; next = await chunks.next()) html += next.value;
    // Two rows fit whole (about 2 kB of text each); the next keep 200 characters of each text, then none.
    expect(next.value).toEqual({ cases: 10, trimmed: 8 });
    const data = dataOf(html);
    expect(data.trimmed).toEqual({ rows: 8, maxBytes: 5000, length: 200 });
    const outputs = data.rows.map((r) => (r[6] as unknown[])[1] as string);
    expect(outputs.slice(0, 2)).toEqual([`${"h".repeat(1000)}0`, `${"h".repeat(1000)}1`]);
    expect(outputs[2]).toBe(`${"h".repeat(200)}… (801 more characters)`);
    expect(outputs[9]).toBe("… (1001 more characters)");
    const cut = outputs.slice(2).map((o) => (o.length > 30 ? 200 : 0));
    expect(cut).toEqual([...cut].sort((a, b) => b - a));
    // The text in the page stays within the budget (besides the short notes saying what was cut).
    const text = data.rows.flatMap((r) => [r[3], r[4], ...[r[6], r[7]].flatMap((s) => (s ? [s[1], s[2]] : []))]);
    expect(text.reduce((n, t) => n + (t ? t.replace(/… \(\d+ more characters\)$/, "").length : 0), 0)).toBeLessThanOrEqual(5000);
    expect(dataOf(await renderHtmlReport({ ...input, maxTextBytes: undefined })).trimmed).toBeNull();
  });
});
