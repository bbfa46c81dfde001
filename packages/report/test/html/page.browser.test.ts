// The HTML report in a real browser: Debian's Chromium, headless, opening the file from disk as a
// reviewer opening a downloaded artifact does. Screenshots of the overview, the case table, a case
// and the phone layout are kept in test-artifacts/report/ (git-ignored) for people to look at.
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { filterRows } from "../../src/html/client/filter.ts";
import { expandReportData } from "../../src/html/client/rows.ts";
import type { EmbeddedReportData, ReportData } from "../../src/html/model.ts";
import { renderHtmlReport } from "../../src/html/page.ts";
import { HOSTILE } from "../hostile.ts";
import { type Browser, launchChromium, type OpenedReport, openReport, type Page } from "./browser.ts";
import { history, qaSpecs, reportInput, runs, summary } from "./fixtures.ts";

const root = fileURLToPath(new URL("../../../../", import.meta.url));
const artifacts = join(root, "test-artifacts", "report");

let browser: Browser;
let html: string;
const opened: OpenedReport[] = [];

beforeAll(async () => {
  await mkdir(artifacts, { recursive: true });
  browser = await launchChromium();
  html = await renderHtmlReport(reportInput());
});
afterAll(async () => {
  await Promise.all(opened.splice(0).map((r) => r.close()));
  await browser?.close();
});

async function open(source: string = html, options: { width?: number; height?: number } = {}): Promise<OpenedReport> {
  const report = await openReport(browser, { html: source }, options);
  opened.push(report);
  return report;
}

/** The count the page announces: "Showing N of M case results". */
async function shownCount(page: Page): Promise<number> {
  const text = (await page.textContent("#case-count")) ?? "";
  const match = /Showing (\d+) of/.exec(text);
  if (!match) throw new Error(`no count in "${text}"`);
  return Number(match[1]);
}

/** Ids in the rows the table has rendered, top to bottom. */
async function renderedIds(page: Page): Promise<string[]> {
  return page.$$eval(".grid-body .grid-row .c-id", (cells) => cells.map((c) => c.textContent ?? ""));
}

describe("the HTML report in headless Chromium", () => {
  it("loads from disk with no network request and no console error, and draws the overview", async () => {
    const { page, requests, errors } = await open();
    expect(await page.title()).toBe("llmops report: qa, summaries");
    const overview = (await page.textContent("#panel-overview")) ?? "";
    expect(overview).toContain("2 suites, 65 case results: 1 failing.");
    expect(overview).toMatch(/✗ fail\s*qa/);
    expect(overview).toContain("significant regression");
    expect(overview).toContain("-0.1 [-0.18, -0.02]");
    expect(overview).toContain("Flipped cases: 11 pass → fail, 5 fail → pass");
    expect(await page.locator("#panel-overview .ci[role=img]").count()).toBeGreaterThan(4);
    expect(await page.getAttribute("#panel-overview .delta.bad", "aria-label")).toBe("difference -0.1, 95% interval -0.18 to -0.02");
    await page.screenshot({ path: join(artifacts, "overview.png"), fullPage: true });

    await page.click("#tab-cases");
    expect(await shownCount(page)).toBe(65);
    expect((await renderedIds(page)).slice(0, 3)).toEqual(["case-00", "case-01", "case-02"]);
    await page.screenshot({ path: join(artifacts, "cases.png"), fullPage: true });

    await page.click("#tab-history");
    expect(await page.locator("#panel-history canvas").count()).toBe(1);
    expect(await page.textContent("#panel-history")).toContain(
      "3 moves from 2026-01-05 09:00 UTC to 2026-02-10 09:00 UTC, over 3 versions.",
    );
    // The run link of a move that was not http(s) is shown as text, not linked.
    expect(await page.locator("#panel-history a").count()).toBe(1);
    expect(await page.textContent("#panel-history table.moves")).toContain("javascript:alert(1)");
    await page.screenshot({ path: join(artifacts, "history.png"), fullPage: true });
    expect(requests).toEqual([]);
    expect(errors).toEqual([]);
  });

  it("filters by outcome, flip, slice and text, and the overview's buttons open the filtered cases", async () => {
    const { page, errors } = await open(html);
    const data = expandReportData(JSON.parse((await page.textContent("#llmops-report-data")) ?? "") as EmbeddedReportData);
    await page.click("#tab-cases");
    const expectShown = async (criteria: Parameters<typeof filterRows>[1], count: number) => {
      // What the page shows is what the filter module gives for the same data (tested on its own in client.test.ts).
      expect(filterRows(data.rows, criteria)).toHaveLength(count);
      await expect.poll(() => shownCount(page)).toBe(count);
    };
    const all = { suite: -1, outcome: "all", flip: "all", slice: "", query: "" } as const;

    await page.selectOption("#f-outcome", "failing");
    await expectShown({ ...all, outcome: "failing" }, 17);
    await page.selectOption("#f-flip", "pass-to-fail");
    await expectShown({ ...all, outcome: "failing", flip: "pass-to-fail" }, 11);
    await page.selectOption("#f-slice", { label: "language = de" });
    await expectShown({ ...all, outcome: "failing", flip: "pass-to-fail", slice: "language\u0000de" }, 6);
    expect(await renderedIds(page)).toEqual(["case-00", "case-02", "case-04", "case-06", "case-08", "case-20"]);

    await page.click("#f-reset");
    await expectShown(all, 65);
    await page.fill("#f-search", "LYON");
    await expectShown({ ...all, query: "LYON" }, 1);
    expect(await renderedIds(page)).toEqual(["case-30"]);
    await page.fill("#f-search", "case-3");
    await expectShown({ ...all, query: "case-3" }, 10);
    await page.selectOption("#f-suite", "1");
    await page.fill("#f-search", "");
    await expectShown({ ...all, suite: 1 }, 5);

    await page.click("#tab-overview");
    await page.getByRole("button", { name: "Show the 5 fail → pass cases" }).click();
    expect(await page.getAttribute("#tab-cases", "aria-selected")).toBe("true");
    await expectShown({ ...all, suite: 0, flip: "fail-to-pass" }, 5);
    expect(await page.inputValue("#f-flip")).toBe("fail-to-pass");
    expect(errors).toEqual([]);
  });

  it("opens a case from the keyboard, with the two outputs compared word by word", async () => {
    const { page, errors } = await open(html);
    await page.click("#tab-cases");
    await page.fill("#f-search", "capital of France");
    await page.press("#f-search", "Enter");
    await expect.poll(() => shownCount(page)).toBe(1);
    await page.focus("#case-grid");
    expect(await page.getAttribute("#case-grid", "aria-activedescendant")).toBe("case-row-0");
    await page.keyboard.press("Enter");
    const detail = page.locator("#case-detail");
    await expect.poll(() => detail.locator("h3").textContent()).toBe("Case case-30");
    expect(await detail.locator("del").textContent()).toBe("[removed: Paris]");
    expect(await detail.locator("ins").textContent()).toBe("[added: Lyon]");
    // The words "[removed: …]" are for screen readers: they take no room on screen.
    expect((await detail.locator("del .sr-only").first().boundingBox())?.width).toBeLessThanOrEqual(1);
    expect(await detail.locator("pre").first().textContent()).toBe("question: question case-30");
    await page.screenshot({ path: join(artifacts, "case.png"), fullPage: true });

    // Arrow keys move the current row; the grid stays one tab stop.
    await page.click("#f-reset");
    await expect.poll(() => shownCount(page)).toBe(65);
    await page.focus("#case-grid");
    await page.keyboard.press("End");
    expect(await page.getAttribute("#case-grid", "aria-activedescendant")).toBe("case-row-64");
    await page.keyboard.press("Home");
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("Enter");
    await expect.poll(() => detail.locator("h3").textContent()).toBe("Case case-02");
    expect(await page.getAttribute("#case-row-2", "aria-selected")).toBe("true");
    expect(errors).toEqual([]);
  });

  it("renders the escaping corpus as text: no element, script or handler comes from case text", async () => {
    const attacks = [...HOSTILE, "</script><script>window.__pwned=1</script>", '<img src=x onerror="window.__pwned=2">', "<!--<script>"];
    const specs = attacks.map((t, i) => ({
      id: `${i}:${t}`,
      input: t,
      expected: t,
      head: { pass: false, output: `${t} head` },
      baseline: { pass: true, output: t },
    }));
    const qa = runs(specs);
    const hostile = await renderHtmlReport({
      title: "</title><script>window.__pwned=3</script>",
      suites: [
        {
          head: { summary: summary(`</h2><img src=x onerror=window.__pwned=4>`, qa.head), cases: qa.head },
          baseline: { summary: summary("x", qa.baseline), cases: qa.baseline },
        },
      ],
      history: { name: "<img src=x onerror=alert(1)>", alias: "a", moves: [], versions: [] },
    });
    const { page, requests, errors } = await open(hostile);
    expect(await page.evaluate("window.__pwned")).toBeUndefined();
    expect(await page.locator("script").count()).toBe(2);
    expect(await page.locator("img, iframe, object, embed, link[rel=stylesheet]").count()).toBe(0);
    expect(await page.title()).toBe("</title><script>window.__pwned=3</script>");
    expect(await page.textContent("#panel-overview h2")).toContain("</h2><img src=x onerror=window.__pwned=4>");

    await page.click("#tab-cases");
    await page.click("#tab-history");
    await page.click("#tab-cases");
    await page.focus("#case-grid");
    const data: ReportData = expandReportData(JSON.parse((await page.textContent("#llmops-report-data")) ?? "") as EmbeddedReportData);
    for (const [i, row] of data.rows.entries()) {
      if (i > 0) await page.keyboard.press("ArrowDown");
      await page.keyboard.press("Enter");
      await expect.poll(() => page.locator("#case-detail h3 code").textContent()).toBe(row[1]);
      // Input and expected exactly as embedded (the data keeps the text minus controls and bidi overrides).
      const blocks = await page.locator("#case-detail pre").allTextContents();
      expect(blocks.slice(0, 2)).toEqual([row[3], row[4]]);
    }
    // Every element the page has, it made: none carries an event handler attribute.
    const handlers = await page.evaluate(
      "[...document.querySelectorAll('*')].filter((e) => [...e.attributes].some((a) => a.name.startsWith('on'))).length",
    );
    expect(handlers).toBe(0);
    expect(await page.evaluate("window.__pwned")).toBeUndefined();
    expect(requests).toEqual([]);
    expect(errors).toEqual([]);
  });

  it("enforces its Content-Security-Policy: a script added to the file is refused and said so", async () => {
    const tampered = html.replace("</body>", "<script>window.__tampered = 1</script></body>");
    const { page, errors, requests } = await open(tampered);
    expect(await page.evaluate("window.__tampered")).toBeUndefined();
    expect(errors.join("\n")).toMatch(/Content Security Policy/);
    expect(requests).toEqual([]);
  });

  it("fits a phone: no sideways scrolling, the case table keeps its key columns, a case reads in one column", async () => {
    const { page, errors } = await open(html, { width: 375, height: 740 });
    const overflow = "document.documentElement.scrollWidth - document.documentElement.clientWidth";
    expect(await page.evaluate(overflow)).toBe(0);
    await page.screenshot({ path: join(artifacts, "phone-overview.png"), fullPage: true });
    await page.click("#tab-cases");
    expect(await page.evaluate(overflow)).toBe(0);
    expect(await page.evaluate("(() => { const g = document.getElementById('case-grid'); return g.scrollWidth - g.clientWidth; })()")).toBe(
      0,
    );
    expect(await page.locator(".grid-header .c-head").isVisible()).toBe(true);
    expect(await page.locator(".grid-header .c-baseline").isVisible()).toBe(false);
    await page.fill("#f-search", "Lyon");
    await expect.poll(() => shownCount(page)).toBe(1);
    await page.click(".grid-body .grid-row");
    await expect.poll(() => page.locator("#case-detail h3").textContent()).toBe("Case case-30");
    expect(await page.evaluate(overflow)).toBe(0);
    await page.screenshot({ path: join(artifacts, "phone-cases.png"), fullPage: true });
    expect(errors).toEqual([]);
  });

  it("fits a phone with long names: a 120-character slice value and alias name scroll no tab sideways", async () => {
    const long = `region-${"x".repeat(113)}`;
    const specs = qaSpecs().map((spec, i) => ({ ...spec, tags: { language: i % 2 === 0 ? long : "en" } }));
    const qa = runs(specs);
    const input = reportInput({ history: { ...history(), name: `acme/${"m".repeat(115)}` } });
    const [first] = input.suites;
    first!.head = { summary: summary("qa", qa.head, { slices: [{ key: "language", value: long, metrics: [] }] }), cases: qa.head };
    first!.baseline = { summary: summary("qa", qa.baseline), cases: qa.baseline };
    const { page, errors } = await open(await renderHtmlReport(input), { width: 375, height: 740 });
    const width = "document.documentElement.scrollWidth";
    for (const tab of ["overview", "cases", "history"]) {
      await page.click(`#tab-${tab}`);
      // Open what a tab folds away: the slices, the charts' tables.
      for (const details of await page.locator(`#panel-${tab} details`).all()) await details.locator("summary").click();
      expect(await page.evaluate(width), tab).toBeLessThanOrEqual(375);
    }
    await page.click("#tab-cases");
    await page.selectOption("#f-slice", { label: `language = ${long}` });
    await expect.poll(() => shownCount(page)).toBe(30);
    await page.click(".grid-body .grid-row");
    await expect.poll(() => page.locator("#case-detail h3").textContent()).toBe("Case case-00");
    expect(await page.evaluate(width)).toBeLessThanOrEqual(375);
    await page.click("#tab-history");
    await page.screenshot({ path: join(artifacts, "phone-history.png"), fullPage: true });
    expect(errors).toEqual([]);
  });

  it("breaks table headings between words only, at desktop and phone width", async () => {
    for (const width of [1280, 375]) {
      const { page } = await open(html, { width });
      for (const tab of ["overview", "cases", "history"]) {
        await page.click(`#tab-${tab}`);
        for (const details of await page.locator(`#panel-${tab} details`).all()) await details.locator("summary").click();
        expect(await page.evaluate(BROKEN_WORDS), `${width} px, ${tab}`).toEqual([]);
      }
    }
  });

  it("says on every tab when case text was cut to keep the page within its budget", async () => {
    const { page, errors } = await open(await renderHtmlReport(reportInput({ maxTextBytes: 1500 })));
    for (const tab of ["overview", "cases", "history"]) {
      await page.click(`#tab-${tab}`);
      expect(await page.isVisible("#report-trimmed"), tab).toBe(true);
    }
    expect(await page.textContent("#report-trimmed")).toMatch(
      /^To keep this page's case text within 1,?500 bytes, \d+ of 65 case results show only the first 200 characters of each text, or none of it\./,
    );
    expect(errors).toEqual([]);
  });

  it("is operable by keyboard and labelled: tabs move with arrow keys, every control has a name, text has AA contrast", async () => {
    for (const scheme of ["light", "dark"] as const) {
      const { page, errors } = await open(html);
      await page.emulateMedia({ colorScheme: scheme });
      await page.focus("#tab-overview");
      await page.keyboard.press("ArrowRight");
      expect(await page.evaluate("document.activeElement.id")).toBe("tab-cases");
      expect(await page.isVisible("#panel-cases")).toBe(true);
      expect(await page.isVisible("#panel-overview")).toBe(false);
      await page.keyboard.press("End");
      expect(await page.evaluate("document.activeElement.id")).toBe("tab-history");
      await page.keyboard.press("Home");
      await page.keyboard.press("ArrowRight");
      expect(
        await page.evaluate("[...document.querySelectorAll('input, select')].filter((e) => e.labels.length === 0).map((e) => e.id)"),
      ).toEqual([]);
      expect(await page.getAttribute("#case-grid", "aria-label")).toMatch(/Cases/);
      // WCAG 2 contrast of the text colours on their backgrounds, in both colour schemes, with a
      // passing and then a failing row selected (the selected row has a background of its own).
      await page.click("#tab-history");
      for (const [outcome, selected] of [
        ["passing", "s1"],
        ["failing", "s0"],
      ] as const) {
        // The check shows each panel in turn: back to the cases.
        await page.click("#tab-cases");
        await page.selectOption("#f-outcome", outcome);
        await page.locator(".grid-body .grid-row").first().click();
        expect(await page.locator('.grid-body .grid-row[aria-selected="true"]').getAttribute("class")).toContain(selected);
        const worst = await page.evaluate(CONTRAST);
        expect(worst, `${scheme}: ${JSON.stringify(worst)}`).toMatchObject({ ratio: expect.any(Number) });
        expect((worst as { ratio: number }).ratio, `${scheme}, ${selected} selected: ${JSON.stringify(worst)}`).toBeGreaterThanOrEqual(4.5);
      }
      expect(errors).toEqual([]);
    }
  });
});

/** The lowest contrast between an element's text colour and the first opaque background behind it, over the page's text. */
const CONTRAST = `(() => {
  const parse = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = (e) => {
    for (let n = e; n; n = n.parentElement) {
      const c = parse(getComputedStyle(n).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] === 1)) return c;
    }
    return parse(getComputedStyle(document.body).backgroundColor);
  };
  let worst = { ratio: 21, text: "" };
  const show = (id) => { document.querySelectorAll('[role=tabpanel]').forEach((p) => { p.hidden = p.id !== id; }); };
  for (const panel of ['panel-overview', 'panel-cases', 'panel-history']) {
    show(panel);
    for (const e of document.querySelectorAll('body *')) {
      if (!e.offsetParent || e.closest('.sr-only')) continue;
      const own = [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
      if (!own) continue;
      const fg = lum(parse(getComputedStyle(e).color));
      const bg = lum(background(e));
      const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
      if (ratio < worst.ratio) worst = { ratio: Math.round(ratio * 100) / 100, text: e.textContent.slice(0, 40), tag: e.tagName, cls: e.className };
    }
  }
  return worst;
})()`;

/** Words of table headings (column and row headers) that the layout broke across lines: "Versi / on". */
const BROKEN_WORDS = `(() => {
  const broken = [];
  for (const cell of document.querySelectorAll('th, [role=columnheader]')) {
    if (!cell.offsetParent) continue;
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.parentElement.closest('.sr-only')) continue;
      for (const word of node.textContent.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(node, word.index);
        range.setEnd(node, word.index + word[0].length);
        const lines = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
        if (lines.size > 1) broken.push(word[0]);
      }
    }
  }
  return broken;
})()`;
