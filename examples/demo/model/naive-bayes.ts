// A multinomial naive Bayes text classifier: small, real, and trained by the demo itself.
// With `ngrams: 1` it cannot see "not great"; with `ngrams: 2` it can — the change the demo's
// pull request makes.

export interface NaiveBayesModel {
  format: "llmops-demo-naive-bayes/v1";
  ngrams: number;
  alpha: number;
  labels: string[];
  /** log P(label) */
  logPriors: Record<string, number>;
  /** log P(feature | label) for every known feature */
  logLikelihoods: Record<string, Record<string, number>>;
  /** log P(unseen feature | label) */
  logUnseen: Record<string, number>;
}

export function features(text: string, ngrams: number): string[] {
  const tokens = text.toLowerCase().match(/[a-z']+/g) ?? [];
  const out = [...tokens];
  for (let n = 2; n <= ngrams; n++) {
    for (let i = 0; i + n <= tokens.length; i++) out.push(tokens.slice(i, i + n).join(" "));
  }
  return out;
}

export function train(examples: { text: string; label: string }[], options: { ngrams: number; alpha: number }): NaiveBayesModel {
  const labels = [...new Set(examples.map((e) => e.label))].sort();
  const docCounts = new Map<string, number>();
  const featureCounts = new Map<string, Map<string, number>>();
  const totals = new Map<string, number>();
  const vocabulary = new Set<string>();
  for (const { text, label } of examples) {
    docCounts.set(label, (docCounts.get(label) ?? 0) + 1);
    const counts = featureCounts.get(label) ?? new Map<string, number>();
    featureCounts.set(label, counts);
    for (const feature of features(text, options.ngrams)) {
      vocabulary.add(feature);
      counts.set(feature, (counts.get(feature) ?? 0) + 1);
      totals.set(label, (totals.get(label) ?? 0) + 1);
    }
  }
  const logPriors: Record<string, number> = {};
  const logUnseen: Record<string, number> = {};
  const logLikelihoods: Record<string, Record<string, number>> = {};
  for (const label of labels) {
    logPriors[label] = Math.log((docCounts.get(label) ?? 0) / examples.length);
    const denominator = (totals.get(label) ?? 0) + options.alpha * vocabulary.size;
    logUnseen[label] = Math.log(options.alpha / denominator);
    const perLabel: Record<string, number> = {};
    for (const feature of [...vocabulary].sort()) {
      perLabel[feature] = Math.log(((featureCounts.get(label)?.get(feature) ?? 0) + options.alpha) / denominator);
    }
    logLikelihoods[label] = perLabel;
  }
  return {
    format: "llmops-demo-naive-bayes/v1",
    ngrams: options.ngrams,
    alpha: options.alpha,
    labels,
    logPriors,
    logLikelihoods,
    logUnseen,
  };
}

export function predict(model: NaiveBayesModel, text: string): { label: string; logProbabilities: Record<string, number> } {
  const scores: Record<string, number> = {};
  for (const label of model.labels) {
    let score = model.logPriors[label]!;
    const likelihoods = model.logLikelihoods[label]!;
    for (const feature of features(text, model.ngrams)) {
      // Features never seen in training carry no evidence for either label.
      if (feature in likelihoods) score += likelihoods[feature]!;
    }
    scores[label] = score;
  }
  const label = model.labels.reduce((best, l) => (scores[l]! > scores[best]! ? l : best), model.labels[0]!);
  return { label, logProbabilities: scores };
}
