import { costScorerSchema, latencyScorerSchema, tokensPerSecondScorerSchema, tokensScorerSchema, ttftScorerSchema } from "@llmops/core";
import { binary, defineScorer, round } from "./definition.ts";

/** Budgets: what a call cost in time, tokens or money, as the provider reported it, against a max. */
export const budgetScorer = defineScorer({
  schemas: { latency: latencyScorerSchema, tokens: tokensScorerSchema, cost: costScorerSchema, ttft: ttftScorerSchema },
  docs: {
    definition:
      "Passes when what the call used is at most `max` (`threshold` is accepted in its place): `latency` in " +
      "milliseconds, `tokens` (the `count`: total, prompt or completion), `cost`, or `ttft` (milliseconds to the " +
      "first token of a streamed call, the first model call of an agent run), as the provider reported it. A " +
      "value the provider did not report (a call that did not stream has no ttft) is a failure with a reason, " +
      "which `not` does not flip.",
    params: "`max`, or `threshold` as an alias. `tokens` also takes `count` total/prompt/completion.",
    score: "1 within `max`, else 0",
    reference: "Defined here, after promptfoo's `latency` and `cost` assertions (whose `threshold` is the max).",
  },
  create(config) {
    const max = (config.max ?? config.threshold)!;
    const unit = config.type === "latency" || config.type === "ttft" ? " ms" : "";
    return {
      defaultThreshold: 1,
      thresholdIsMax: true,
      score(_output, input) {
        const value =
          config.type === "latency"
            ? input.latencyMs
            : config.type === "ttft"
              ? (input.ttftMs ?? null)
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
            reason: `the provider reported no ${config.type === "tokens" ? "token usage" : config.type === "ttft" ? "time to first token (not streamed)" : config.type}`,
          };
        }
        const ok = value <= max;
        return binary(ok, `${config.type} ${round(value)}${unit} ${ok ? "<=" : ">"} ${max}${unit}`);
      },
    };
  },
});

/** A streamed call's output speed against a floor. */
export const speedScorer = defineScorer({
  schemas: { "tokens-per-second": tokensPerSecondScorerSchema },
  docs: {
    definition:
      "Passes when a streamed call produced at least `min` output tokens per second (`threshold` is accepted in " +
      "its place): completion tokens over the time from the first to the last streamed delta, summed over an " +
      "agent run's calls. A call that did not stream, or reported no token usage, has no rate: a failure with a " +
      "reason, which `not` does not flip.",
    params: "`min`, or `threshold` as an alias.",
    score: "1 at or above `min`, else 0",
    reference: "Defined here; the rate is the usual decode throughput (output tokens over generation time).",
  },
  create(config) {
    const min = (config.min ?? config.threshold)!;
    return {
      defaultThreshold: 1,
      thresholdIsMax: true,
      score(_output, input) {
        const rate = input.tokensPerSecond ?? null;
        if (rate === null)
          return { score: 0, pass: false, invalid: true, reason: "no tokens per second (not streamed, or no token usage)" };
        const ok = rate >= min;
        return binary(ok, `tokens per second ${round(rate)} ${ok ? ">=" : "<"} ${min}`);
      },
    };
  },
});
