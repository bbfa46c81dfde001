import { costScorerSchema, latencyScorerSchema, tokensScorerSchema } from "@llmops/core";
import { binary, defineScorer, round } from "./definition.ts";

/** Budgets: what a call cost in time, tokens or money, as the provider reported it, against a max. */
export const budgetScorer = defineScorer({
  schemas: { latency: latencyScorerSchema, tokens: tokensScorerSchema, cost: costScorerSchema },
  docs: {
    definition:
      "Passes when what the call used is at most `max` (`threshold` is accepted in its place): `latency` in " +
      "milliseconds, `tokens` (the `count`: total, prompt or completion) or `cost`, as the provider reported it. A " +
      "value the provider did not report is a failure with a reason, which `not` does not flip.",
    params: "`max`, or `threshold` as an alias. `tokens` also takes `count` total/prompt/completion.",
    score: "1 within `max`, else 0",
    reference: "Defined here, after promptfoo's `latency` and `cost` assertions (whose `threshold` is the max).",
  },
  create(config) {
    const max = (config.max ?? config.threshold)!;
    const unit = config.type === "latency" ? " ms" : "";
    return {
      defaultThreshold: 1,
      thresholdIsMax: true,
      score(_output, input) {
        const value =
          config.type === "latency"
            ? input.latencyMs
            : config.type === "cost"
              ? input.cost
              : input.tokens
                ? input.tokens[config.count]
                : null;
        if (value === null) {
          return {
            score: 0,
            pass: false,
            invalid: true,
            reason: `the provider reported no ${config.type === "tokens" ? "token usage" : config.type}`,
          };
        }
        const ok = value <= max;
        return binary(ok, `${config.type} ${round(value)}${unit} ${ok ? "<=" : ">"} ${max}${unit}`);
      },
    };
  },
});
