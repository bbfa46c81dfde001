import { describe, expect, it } from "vitest";
import { renderRunSummaryMarkdown } from "../src/run-summary.ts";
import { caseResult, runSummary } from "./fixtures.ts";

describe("renderRunSummaryMarkdown", () => {
  it("shows metrics with n, mean, sd and interval, slices, gates and errors", () => {
    const text = renderRunSummaryMarkdown(runSummary(), [
      caseResult({ id: "e1", error: "timeout after 30s", output: null, pass: false, scores: [] }),
      caseResult({
        id: "f1",
        pass: false,
        scores: [{ name: "exact", type: "exact-match", score: 0, pass: false, weight: 1, reason: "got <b>" }],
      }),
    ]);
    expect(text).toContain("## Eval `qa`: ❌ failed");
    expect(text).toContain("| exact ↑ | 3 | 0.333 | 0.47 | [0.06, 0.79] (wilson) |");
    expect(text).toContain("| language=de | exact | 1 | 1 | [0.2, 1] (wilson) |");
    expect(text).toContain("| ❌ | exact &gt;= 0.8 | 0.333 | 0.8 |");
    expect(text).toContain("### Errors (1)");
    expect(text).toContain("timeout after 30s");
    expect(text).toContain("got &lt;b&gt;");
  });

  it("warns when the run is incomplete", () => {
    expect(renderRunSummaryMarkdown(runSummary({ complete: false, passed: true }))).toContain("This run is incomplete");
  });
});
