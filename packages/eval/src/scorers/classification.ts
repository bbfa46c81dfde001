import { classificationScorerSchema } from "@llmops/core";
import { binary, defineScorer, quote } from "./definition.ts";
import { asText, f1 } from "./helpers.ts";
import type { ScorerInput } from "./types.ts";

export interface LabelMetrics {
  precision: number;
  recall: number;
  f1: number;
  /** Cases whose true label this is. */
  support: number;
}

export interface ClassificationReport {
  n: number;
  accuracy: number;
  macro: { precision: number; recall: number; f1: number };
  micro: { precision: number; recall: number; f1: number };
  perLabel: Record<string, LabelMetrics>;
  /** Label order of the confusion matrix. */
  labels: string[];
  /** `confusionMatrix[i][j]`: cases whose true label is labels[i] and predicted label labels[j]. */
  confusionMatrix: number[][];
}

const ratio = (numerator: number, denominator: number) => (denominator > 0 ? numerator / denominator : 0);

/**
 * Accuracy, macro and micro precision/recall/F1 and the confusion matrix, as scikit-learn computes
 * them with `zero_division=0`. Macro averages run over `labels` (by default every label seen in
 * either list, sorted); micro counts over all cases whose true or predicted label is in `labels`.
 */
export function classificationReport(
  expected: readonly string[],
  predicted: readonly string[],
  labels?: readonly string[],
): ClassificationReport {
  if (expected.length !== predicted.length) {
    throw new RangeError(`classificationReport: ${expected.length} expected labels but ${predicted.length} predictions`);
  }
  const order = labels ? [...labels] : [...new Set([...expected, ...predicted])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const index = new Map(order.map((label, i) => [label, i]));
  const matrix = order.map(() => order.map(() => 0));
  let correct = 0;
  expected.forEach((truth, k) => {
    const guess = predicted[k]!;
    if (truth === guess) correct++;
    const i = index.get(truth);
    const j = index.get(guess);
    if (i !== undefined && j !== undefined) matrix[i]![j]!++;
  });
  const perLabelEntries: [string, LabelMetrics][] = [];
  let tpSum = 0;
  let predictedSum = 0;
  let trueSum = 0;
  const macro = { precision: 0, recall: 0, f1: 0 };
  order.forEach((label, i) => {
    const tp = matrix[i]![i]!;
    // Counted from the lists, not the matrix, so labels outside `labels` still count as errors.
    const predictedAs = predicted.filter((p) => p === label).length;
    const support = expected.filter((e) => e === label).length;
    const precision = ratio(tp, predictedAs);
    const recall = ratio(tp, support);
    perLabelEntries.push([label, { precision, recall, f1: f1(precision, recall), support }]);
    macro.precision += precision;
    macro.recall += recall;
    macro.f1 += f1(precision, recall);
    tpSum += tp;
    predictedSum += predictedAs;
    trueSum += support;
  });
  const count = order.length;
  const microPrecision = ratio(tpSum, predictedSum);
  const microRecall = ratio(tpSum, trueSum);
  return {
    n: expected.length,
    accuracy: ratio(correct, expected.length),
    macro: { precision: ratio(macro.precision, count), recall: ratio(macro.recall, count), f1: ratio(macro.f1, count) },
    micro: { precision: microPrecision, recall: microRecall, f1: f1(microPrecision, microRecall) },
    // fromEntries defines own properties, so a label such as "__proto__" stays a label.
    perLabel: Object.fromEntries(perLabelEntries),
    labels: order,
    confusionMatrix: matrix,
  };
}

export const classificationScorer = defineScorer({
  schemas: { classification: classificationScorerSchema },
  docs: {
    definition:
      "Treats the output as a predicted label and the case's `expected` as the true one, both trimmed and " +
      "lowercased by default. A case passes when they are equal. Over the suite it reports `metric`: accuracy, or " +
      "precision, recall or F1 macro-averaged over the labels or micro-averaged over the cases, with the full " +
      "report and the confusion matrix in `details`.",
    params: "`metric` accuracy, or macro/micro-precision/recall/f1 (accuracy); `trim` (true), `caseSensitive` (false), `labels?`",
    score: "0/1, the label is correct",
    corpus: "the chosen metric. `details`: the full report and the confusion matrix (rows are true labels).",
    reference:
      "scikit-learn's accuracy_score, precision_recall_fscore_support (zero_division=0) and confusion_matrix, run once to produce the test fixture (fixtures/scorers/classification_sklearn.py).",
  },
  create(config, { label: scorerLabel }) {
    const normalise = (label: unknown) => {
      const text = asText(label);
      const trimmed = config.trim ? text.trim() : text;
      return config.caseSensitive ? trimmed : trimmed.toLowerCase();
    };
    const truth = (input: ScorerInput) => {
      if (input.expected === undefined || input.expected === null)
        throw new Error(`${scorerLabel}: classification needs the case's expected label`);
      return normalise(input.expected);
    };
    const labels = config.labels?.map(normalise);
    const hasTruth = (input: ScorerInput) => input.expected !== undefined && input.expected !== null;
    return {
      defaultThreshold: 1,
      score(output, input) {
        const expected = truth(input);
        const predicted = normalise(output);
        const ok = predicted === expected;
        return binary(ok, ok ? undefined : `predicted ${quote(predicted)}, expected ${quote(expected)}`);
      },
      corpus(inputs) {
        // An errored case has no label: it counts as the empty label, a wrong prediction.
        const labelled = inputs.filter(hasTruth);
        const report = classificationReport(
          labelled.map(truth),
          labelled.map((i) => normalise(i.output ?? "")),
          labels,
        );
        const [average, measure] =
          config.metric === "accuracy"
            ? [undefined, undefined]
            : (config.metric.split("-") as ["macro" | "micro", "precision" | "recall" | "f1"]);
        const value = average && measure ? report[average][measure] : report.accuracy;
        const skipped = inputs.length - labelled.length;
        return { value, details: { ...report, ...(skipped > 0 ? { skippedWithoutExpected: skipped } : {}) } };
      },
    };
  },
});
