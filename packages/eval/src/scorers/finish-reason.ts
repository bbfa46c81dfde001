import { finishReasonScorerSchema } from "@llmops/core";
import { binary, defineScorer, quote } from "./definition.ts";

export const finishReasonScorer = defineScorer({
  schemas: { "finish-reason": finishReasonScorerSchema },
  docs: {
    definition:
      "Passes when the reply's finish reason is `value`, or one of `values`. Finish reasons are OpenAI's words " +
      "whatever the API: `stop`, `length`, `tool_calls`, `content_filter` (Anthropic's end_turn and stop_sequence, " +
      "max_tokens, tool_use and refusal are mapped to them); any other value is compared as the API sent it. A reply " +
      "without a finish reason is a failure with a reason, which `not` does not flip.",
    params: "`value` or `values`",
    score: "0/1",
    reference:
      "OpenAI's chat completion `finish_reason` values (API reference) and Anthropic's `stop_reason` values (Messages API reference), mapped as in the providers.",
  },
  create(config) {
    const values = config.values ?? [config.value!];
    return {
      defaultThreshold: 1,
      score(_output, input) {
        const reason = input.finishReason;
        if (reason === undefined || reason === null) {
          return { score: 0, pass: false, invalid: true, reason: "the provider reported no finish reason" };
        }
        const ok = values.includes(reason);
        return binary(ok, `finish reason ${quote(reason, 40)}${ok ? "" : `, expected ${values.map((v) => quote(v, 40)).join(" or ")}`}`);
      },
    };
  },
});
