import { type ToolCall, trajectoryScorerSchema } from "@llmops/core";
import { binary, defineScorer, type RawScore } from "./definition.ts";
import {
  type ArgumentsMode,
  callMatches,
  comparedCalls,
  describeCall,
  type ExpectedCall,
  expectedCalls,
  maximumMatching,
} from "./tool-call.ts";
import type { ScorerInput } from "./types.ts";

export type TrajectoryMode = "exact" | "subsequence" | "set";

/** The calls an agent made: its trajectory when it ran as an agent, else the tool calls of its reply. */
export function actualCalls(input: Pick<ScorerInput, "trajectory" | "toolCalls">): ToolCall[] {
  return input.trajectory !== undefined ? input.trajectory.map((step) => step.call) : (input.toolCalls ?? []);
}

/**
 * Compares the calls made with the expected ones. `exact`: the same calls in the same order.
 * `subsequence`: the expected calls appear in order, other calls between them allowed (at most
 * `maxExtra`, no limit by default). `set`: each expected call matched by a distinct call in any
 * order, at most `maxExtra` calls left over (0 by default). The reason names the first mismatch.
 */
export function compareTrajectory(
  expected: readonly ExpectedCall[],
  actual: readonly ToolCall[],
  options: { mode: TrajectoryMode; maxExtra?: number | undefined; argumentsMode: ArgumentsMode },
): { ok: true } | { ok: false; reason: string } {
  const { mode, argumentsMode } = options;
  const extra = actual.length - expected.length;
  if (mode === "exact") {
    for (let i = 0; i < Math.max(expected.length, actual.length); i++) {
      const want = expected[i];
      const got = actual[i];
      if (want && got && callMatches(want, got, argumentsMode)) continue;
      if (!got)
        return { ok: false, reason: `step ${i + 1}: expected ${describeCall(want!)}, but the run made only ${actual.length} calls` };
      if (!want) return { ok: false, reason: `step ${i + 1}: unexpected ${describeCall(got)} after the ${expected.length} expected calls` };
      return { ok: false, reason: `step ${i + 1}: expected ${describeCall(want)}, got ${describeCall(got, want.hasArguments)}` };
    }
    return { ok: true };
  }
  if (mode === "subsequence") {
    // Taking the earliest match for each expected call in turn finds a subsequence whenever one exists.
    let j = 0;
    for (let i = 0; i < expected.length; i++) {
      while (j < actual.length && !callMatches(expected[i]!, actual[j]!, argumentsMode)) j++;
      if (j === actual.length) {
        const after = i === 0 ? "" : ` after step ${i}`;
        return {
          ok: false,
          reason: `expected step ${i + 1}, ${describeCall(expected[i]!)}, not found in order${after} among the ${actual.length} calls`,
        };
      }
      j++;
    }
    if (options.maxExtra !== undefined && extra > options.maxExtra) {
      return { ok: false, reason: `${extra} calls beyond the ${expected.length} expected, more than maxExtra ${options.maxExtra}` };
    }
    return { ok: true };
  }
  const { size, actualFor } = maximumMatching(expected, actual, argumentsMode);
  if (size < expected.length) {
    const missing = expected.findIndex((_, i) => actualFor[i] === undefined);
    return { ok: false, reason: `expected ${describeCall(expected[missing]!)}, which no call matched` };
  }
  const maxExtra = options.maxExtra ?? 0;
  if (extra > maxExtra) {
    const used = new Set(actualFor);
    const first = actual.findIndex((_, j) => !used.has(j));
    return {
      ok: false,
      reason: `${extra} calls beyond the ${expected.length} expected (first: ${describeCall(actual[first]!)}), more than maxExtra ${maxExtra}`,
    };
  }
  return { ok: true };
}

export const trajectoryScorer = defineScorer({
  schemas: { trajectory: trajectoryScorerSchema },
  docs: {
    definition:
      "Compares the tool calls of an agent run (its trajectory; for a single reply, its tool calls) with the expected " +
      "calls (`steps`, else the case's `expected.trajectory` or `expected.toolCalls`, or `expected` when it is a list, " +
      "or one call: `expected.toolCall`, or `expected.tool` with `expected.arguments`; " +
      "each a name or `{name, arguments?}`, arguments compared per `argumentsMode` as `tool-call`). `mode: exact` " +
      "needs the same calls in the same order; `subsequence` the expected calls in order with other calls between " +
      "them, at most `maxExtra` (no limit by default); `set` every expected call matched by a distinct call in any " +
      "order, with at most `maxExtra` calls left over (0 by default). The reason names the first mismatch.",
    params:
      "`steps?` (else the case's `expected.trajectory`, `expected.toolCalls`, or `expected.tool`/`expected.toolCall` as one call), `mode` exact/subsequence/set (exact), `maxExtra?`, `argumentsMode` equal/subset (equal)",
    score: "0/1",
    reference:
      "Defined here, after the trajectory match modes of LangChain's agentevals (strict, unordered, superset) and DeepEval's ToolCorrectnessMetric (ordering); subsequence as the classic subsequence test. Tests: hand-worked cases in trajectory.test.ts.",
  },
  create(config, { label }) {
    return {
      defaultThreshold: 1,
      score(_output, input): RawScore {
        const expected = expectedCalls(config.steps, input.expected, ["trajectory", "toolCalls"], label);
        const compared = comparedCalls(actualCalls(input), "the run");
        if ("reason" in compared) return binary(false, compared.reason);
        const result = compareTrajectory(expected, compared.calls, {
          mode: config.mode,
          maxExtra: config.maxExtra,
          argumentsMode: config.argumentsMode,
        });
        return result.ok ? binary(true) : binary(false, result.reason);
      },
    };
  },
});
