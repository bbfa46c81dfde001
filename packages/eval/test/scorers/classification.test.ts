import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { classificationReport } from "../../src/scorers/index.ts";

// scikit-learn's accuracy_score, precision_recall_fscore_support and confusion_matrix, run by
// classification_sklearn.py beside the fixture.
type Prf = { precision: number; recall: number; f1: number };
const fixture = JSON.parse(readFileSync(new URL("../fixtures/scorers/classification-sklearn.json", import.meta.url), "utf8")) as {
  cases: {
    expected: string[];
    predicted: string[];
    labels: string[];
    accuracy: number;
    macro: Prf;
    micro: Prf;
    perLabel: Record<string, Prf & { support: number }>;
    confusionMatrix: number[][];
  }[];
};

describe("classification metrics against scikit-learn", () => {
  fixture.cases.forEach((c, i) => {
    it(`case ${i}: ${c.expected.length} labels over ${c.labels.join(", ")}`, () => {
      const report = classificationReport(c.expected, c.predicted);
      expect(report.labels).toEqual(c.labels);
      expect(report.confusionMatrix).toEqual(c.confusionMatrix);
      expect(report.accuracy).toBeCloseTo(c.accuracy, 12);
      for (const average of ["macro", "micro"] as const) {
        for (const measure of ["precision", "recall", "f1"] as const) {
          expect(report[average][measure], `${average} ${measure}`).toBeCloseTo(c[average][measure], 12);
        }
      }
      for (const label of c.labels) {
        const expected = c.perLabel[label]!;
        const actual = report.perLabel[label]!;
        expect(actual.support).toBe(expected.support);
        expect(actual.precision).toBeCloseTo(expected.precision, 12);
        expect(actual.recall).toBeCloseTo(expected.recall, 12);
        expect(actual.f1).toBeCloseTo(expected.f1, 12);
      }
    });
  });
  it("refuses lists of different lengths", () => {
    expect(() => classificationReport(["a"], [])).toThrow(/1 expected labels but 0 predictions/);
  });
});
