import type { RawScore } from "./definition.ts";
import { scorerDefinition } from "./registry.ts";
import type { CaseScore, Scorer, ScorerConfig } from "./types.ts";

/**
 * Builds a scorer from its validated config entry with its type's definition (registry.ts), and
 * applies the rules every scorer shares: name, weight, threshold, negation, a missing output.
 * `cwd` is where relative paths (schemaFile, module) start.
 */
export function createScorer(config: ScorerConfig, context: { cwd: string }): Scorer {
  const implementation = scorerDefinition(config.type).create(config, { cwd: context.cwd, label: `scorer ${config.name ?? config.type}` });
  const threshold = implementation.thresholdIsMax ? undefined : config.threshold;
  const negate = config.not;
  const finish = (raw: RawScore): CaseScore => {
    const pass = threshold !== undefined ? raw.score >= threshold : (raw.pass ?? raw.score >= implementation.defaultThreshold);
    if (raw.invalid) return { score: 0, pass: false, ...(raw.reason !== undefined ? { reason: raw.reason } : {}) };
    if (!negate) return { score: raw.score, pass, ...(raw.reason !== undefined ? { reason: raw.reason } : {}) };
    return { score: 1 - raw.score, pass: !pass, reason: `not: ${raw.reason ?? (pass ? "the check passed" : "the check failed")}` };
  };
  const scorer: Scorer = {
    name: config.name ?? config.type,
    type: config.type,
    weight: config.weight,
    // Every score is "1 is good" (budgets score 1 when within their max), so larger is better throughout.
    higherIsBetter: true,
    async scoreCase(input, scoreContext) {
      if (input.output === null) return { score: 0, pass: false, reason: "no output (provider error)" };
      return finish(await implementation.score(input.output, input, scoreContext));
    },
  };
  const corpus = implementation.corpus;
  if (corpus) {
    scorer.corpus = (inputs) => {
      const result = corpus(inputs);
      return negate ? { ...result, value: 1 - result.value } : result;
    };
  }
  return scorer;
}
