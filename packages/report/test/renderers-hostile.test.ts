import { describe, expect, it } from "vitest";
import { renderFetchSummary, renderVersionSummary } from "../src/artifact-summary.ts";
import { renderSuiteComparisonMarkdown } from "../src/comparison.ts";
import { renderRunSummaryMarkdown } from "../src/run-summary.ts";
import { caseResult, comparison, DIGEST, runSummary } from "./fixtures.ts";
import { HOSTILE, INVISIBLE_CHARS, LIVE_PATTERNS, linkableText, renderGfm, tagNames } from "./hostile.ts";

/** Each renderer with every foreign string set to `t`: suite, case ids, outputs, metric, gate and dataset names, refs, file paths. */
const RENDERERS: { name: string; render: (t: string) => string }[] = [
  {
    name: "PR comparison",
    render: (t) =>
      renderSuiteComparisonMarkdown(
        comparison({
          suite: t,
          baseline: { source: "branch", description: t, digest: DIGEST },
          added: [t],
          changed: [t],
          metrics: comparison().metrics.map((m) => ({ ...m, name: t })),
          flips: [
            { id: t, direction: "pass-to-fail", input: t, expected: t, baselineOutput: t, headOutput: t },
            { id: t, direction: "fail-to-pass", input: t, expected: t, baselineOutput: t, headOutput: null },
          ],
          gates: [{ description: t, metric: t, actual: 0.1, threshold: 0.2, passed: false, reason: t, slice: t }],
        }),
        {
          title: t,
          maxFlipDetails: 1,
          provenance: t,
          gateChanges: { [t]: [{ subject: t, setting: t, before: t, after: null }] },
          history: { [t]: [{ label: t, value: 0.5 }] },
        },
      ),
  },
  {
    name: "eval run summary",
    render: (t) =>
      renderRunSummaryMarkdown(
        runSummary({
          suite: t,
          providers: [t],
          model: { ref: t, digest: DIGEST },
          dataset: { ref: t, digest: DIGEST },
          metrics: runSummary().metrics.map((m) => ({ ...m, name: t })),
          slices: [{ key: t, value: t, metrics: runSummary().metrics.map((m) => ({ ...m, name: t })) }],
          gates: [{ description: t, metric: t, actual: 0.1, threshold: 0.2, passed: false, reason: t, slice: t }],
        }),
        [
          caseResult({ id: t, error: t, output: null, pass: false, scores: [] }),
          caseResult({ id: t, pass: false, scores: [{ name: t, type: "exact-match", score: 0, pass: false, weight: 1, reason: t }] }),
        ],
      ),
  },
  {
    name: "version summary",
    render: (t) =>
      renderVersionSummary(
        {
          kind: t,
          ref: t,
          digest: DIGEST,
          uploadedBytes: 1,
          reusedBytes: 2,
          aliases: [t],
          parents: [{ ref: t, digest: DIGEST }],
          files: [{ title: t, size: 3, digest: DIGEST, reused: false }],
        },
        t,
      ),
  },
  {
    name: "fetch summary",
    render: (t) =>
      renderFetchSummary({ name: t, version: t, digest: DIGEST, path: t, downloadedBytes: 4, files: [{ source: "cache" }] }, t),
  },
];

describe("renderers fed hostile text", () => {
  for (const renderer of RENDERERS) {
    it(`${renderer.name}: the same elements as for plain words, nothing live, no controls`, () => {
      const benign = tagNames(renderGfm(renderer.render("plain words")));
      // Empty text leaves optional parts out, which changes the structure without being hostile.
      for (const text of HOSTILE.filter((t) => t !== "")) {
        const markdown = renderer.render(text);
        const html = renderGfm(markdown);
        expect(tagNames(html), `${JSON.stringify(text)} ->\n${markdown}`).toEqual(benign);
        expect(html, `controls kept from ${JSON.stringify(text)}`).not.toMatch(INVISIBLE_CHARS);
        const visible = linkableText(html);
        for (const [what, pattern] of LIVE_PATTERNS)
          expect(visible, `${what} in ${JSON.stringify(text)} ->\n${markdown}`).not.toMatch(pattern);
      }
    });
  }
});
