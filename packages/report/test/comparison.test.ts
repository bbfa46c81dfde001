import MarkdownIt from "markdown-it";
import { describe, expect, it } from "vitest";
import { commentMarker, GITHUB_COMMENT_LIMIT, renderComparisonMarkdown } from "../src/comparison.ts";
import { comparison } from "./fixtures.ts";

const md = new MarkdownIt({ html: true });

describe("renderComparisonMarkdown", () => {
  it("starts with the suite marker and reads as a verdict, not a bare delta", () => {
    const text = renderComparisonMarkdown([comparison()]);
    expect(text.startsWith("<!-- llmops:compare suite=qa -->\n")).toBe(true);
    expect(text).toContain("**Verdict: fail**");
    expect(text).toContain("1 significant regression (accuracy)");
    expect(text).toContain("| accuracy ↑ | 0.8 | 0.72 | -0.08 (-10.0%) [-0.14, -0.02] | 0.008 | 🔻 significant regression |");
    expect(text).toContain("⚪ no significant change");
    expect(text).toContain("1 added · 0 removed · 1 changed");
    expect(text).toContain("`new-1`");
  });

  it("lists pass→fail flips before fail→pass", () => {
    const text = renderComparisonMarkdown([comparison()]);
    expect(text.indexOf("case-1")).toBeGreaterThan(0);
    expect(text.indexOf("case-1")).toBeLessThan(text.indexOf("case-2"));
    expect(text).toContain("1 pass → fail, 1 fail → pass");
  });

  it("charts unit-scale deltas with xychart-beta and leaves latency to the table", () => {
    const text = renderComparisonMarkdown([comparison()]);
    const chart = text.slice(text.indexOf("```mermaid"), text.indexOf("```", text.indexOf("```mermaid") + 3));
    expect(chart).toContain("xychart-beta");
    expect(chart).toContain('x-axis ["accuracy"]');
    expect(chart).toContain("bar [-0.08]");
    expect(chart).not.toContain("latency");
  });

  it("draws the trend of the main metric over the history, ending with this PR", () => {
    const text = renderComparisonMarkdown([comparison()], {
      history: {
        qa: [
          { label: "v1", value: 0.7 },
          { label: "v2", value: 0.8 },
        ],
      },
    });
    expect(text).toContain('x-axis ["v1", "v2", "this PR"]');
    expect(text).toContain("line [0.7, 0.8, 0.72]");
  });

  it("says so when there is no baseline", () => {
    const text = renderComparisonMarkdown([
      comparison({ baseline: { source: "none", description: "no successful run on main" }, metrics: [], flips: [], verdict: "pass" }),
    ]);
    expect(text).toContain("No baseline found (no successful run on main): this is a head-only report.");
  });

  it("escapes hostile case content so nothing breaks out of code blocks or details", () => {
    const evil = "```\n</details><script>alert(1)</script> @admin <!-- llmops:compare suite=qa -->";
    const text = renderComparisonMarkdown([
      comparison({
        flips: [{ id: "x</summary>`@y", direction: "pass-to-fail", input: evil, expected: evil, baselineOutput: evil, headOutput: null }],
      }),
    ]);
    expect(text.match(/<!-- llmops:compare/g)).toHaveLength(1);
    const html = md.render(text);
    expect(html).not.toContain("<script>");
    expect(html.match(/<details>/g)?.length).toBe(html.match(/<\/details>/g)?.length);
    // Code blocks never mention anyone; everywhere else the @ must be neutralised.
    expect(html.replace(/<pre>[\s\S]*?<\/pre>/g, "")).not.toMatch(/@[a-z]/);
    expect(html).toContain("<pre>");
    expect(text).toContain("the provider errored");
  });

  it("links flipped cases to the results artifact only through a plain https URL", () => {
    const url = "https://github.com/o/r/actions/runs/1/artifacts/2";
    expect(renderComparisonMarkdown([comparison()], { artifactUrl: url })).toContain(`[full results](${url})`);
    expect(renderComparisonMarkdown([comparison()], { artifactUrl: "javascript:alert(1)" })).not.toContain("javascript:");
  });

  it("keeps 10,000 flipped cases under GitHub's limit and says what was cut", () => {
    const long = "x".repeat(5000);
    const flips = Array.from({ length: 10_000 }, (_, i) => ({
      id: `case-${i}`,
      direction: i % 3 === 0 ? ("fail-to-pass" as const) : ("pass-to-fail" as const),
      input: long,
      expected: long,
      baselineOutput: long,
      headOutput: long,
    }));
    const history = Array.from({ length: 50 }, (_, i) => ({ label: `v${i}`, value: i / 50 }));
    const text = renderComparisonMarkdown([comparison({ flips, added: flips.map((f) => `added-${f.id}`) })], { history: { qa: history } });
    expect(text.length).toBeLessThan(GITHUB_COMMENT_LIMIT);
    expect(text).toContain("Shortened to fit GitHub's comment limit");
    expect(text).toContain("more flipped cases");
    // The verdict and metrics survive every cut.
    expect(text).toContain("**Verdict: fail**");
    expect(text).toContain("🔻 significant regression |");
    // Fences stay balanced after the cut.
    expect((text.match(/^```/gm)?.length ?? 0) % 2).toBe(0);
  });

  it("gives each suite its own marker and shares the budget", () => {
    const text = renderComparisonMarkdown([comparison(), comparison({ suite: "summarise" })], { maxLength: 20_000 });
    expect(text).toContain(commentMarker("qa"));
    expect(text).toContain(commentMarker("summarise"));
    expect(text.length).toBeLessThanOrEqual(20_000);
  });

  it("turns a hostile suite name into a single marker token", () => {
    expect(commentMarker("a --> b")).toBe("<!-- llmops:compare suite=a_--__b -->");
  });
});
