import { scorerConfigSchema, silentLogger, type ToolCall, type TrajectoryStep } from "@llmops/core";
import { describe, expect, it } from "vitest";
import { compareTrajectory, createScorer, type ScorerContext, type ScorerInput } from "../../src/scorers/index.ts";
import { expectedCall } from "../../src/scorers/tool-call.ts";

// Expected verdicts are worked out by hand from the definitions in scorers/README.md.

const context: ScorerContext = { signal: new AbortController().signal, logger: silentLogger, cwd: "." };
const make = (config: Record<string, unknown>) => createScorer(scorerConfigSchema.parse(config), { cwd: "." });
const call = (name: string, args: unknown = {}): ToolCall => ({ id: `id_${name}`, name, arguments: args });
const steps = (...calls: ToolCall[]): TrajectoryStep[] => calls.map((c, i) => ({ turn: i + 1, call: c, result: "ok", source: "fixture" }));
const input = (extra: Partial<ScorerInput>, expected?: unknown): ScorerInput => ({
  output: "done",
  expected,
  vars: {},
  latencyMs: 1,
  tokens: null,
  cost: null,
  ...extra,
});
const names = (...list: string[]) => list.map((name) => expectedCall(name, ""));
const run = (expected: string[], actual: string[], mode: "exact" | "subsequence" | "set", maxExtra?: number) =>
  compareTrajectory(
    names(...expected),
    actual.map((name) => call(name)),
    { mode, maxExtra, argumentsMode: "equal" },
  );

describe("compareTrajectory", () => {
  it("exact: same calls, same order; the reason names the first mismatch", () => {
    expect(run(["search", "open", "answer"], ["search", "open", "answer"], "exact")).toEqual({ ok: true });
    expect(run(["search", "open"], ["search", "fetch"], "exact")).toEqual({ ok: false, reason: 'step 2: expected "open", got "fetch"' });
    expect(run(["search", "open"], ["search"], "exact")).toEqual({
      ok: false,
      reason: 'step 2: expected "open", but the run made only 1 calls',
    });
    expect(run(["search"], ["search", "open"], "exact")).toEqual({
      ok: false,
      reason: 'step 2: unexpected "open" with "{}" after the 1 expected calls',
    });
    expect(run([], [], "exact")).toEqual({ ok: true });
  });
  it("subsequence: in order with calls between them, at most maxExtra of them", () => {
    expect(run(["search", "answer"], ["search", "open", "open", "answer"], "subsequence")).toEqual({ ok: true });
    expect(run(["search", "answer"], ["search", "open", "open", "answer"], "subsequence", 2)).toEqual({ ok: true });
    expect(run(["search", "answer"], ["search", "open", "open", "answer"], "subsequence", 1)).toEqual({
      ok: false,
      reason: "2 calls beyond the 2 expected, more than maxExtra 1",
    });
    // Out of order: answer before search.
    expect(run(["search", "answer"], ["answer", "search"], "subsequence")).toEqual({
      ok: false,
      reason: 'expected step 2, "answer", not found in order after step 1 among the 2 calls',
    });
    expect(run(["search"], [], "subsequence")).toEqual({
      ok: false,
      reason: 'expected step 1, "search", not found in order among the 0 calls',
    });
    // The earliest match keeps later expected calls reachable: a, b in a b a b.
    expect(run(["a", "b", "a"], ["a", "b", "a", "b"], "subsequence")).toEqual({ ok: true });
  });
  it("set: every expected call made, in any order; extras allowed up to maxExtra (0 by default)", () => {
    expect(run(["search", "open"], ["open", "search"], "set")).toEqual({ ok: true });
    expect(run(["search", "open"], ["open", "search", "search"], "set")).toEqual({
      ok: false,
      reason: '1 calls beyond the 2 expected (first: "search" with "{}"), more than maxExtra 0',
    });
    expect(run(["search", "open"], ["open", "search", "search"], "set", 1)).toEqual({ ok: true });
    expect(run(["search", "search"], ["search"], "set")).toEqual({ ok: false, reason: 'expected "search", which no call matched' });
  });
  it("with arguments: expected steps that give them are compared (equal or subset), the others by name", () => {
    const expected = [expectedCall({ name: "search", arguments: { q: "paris" } }, ""), expectedCall("answer", "")];
    const actual = [call("search", { q: "paris", limit: 3 }), call("answer", { text: "x" })];
    expect(compareTrajectory(expected, actual, { mode: "exact", argumentsMode: "subset" })).toEqual({ ok: true });
    expect(compareTrajectory(expected, actual, { mode: "exact", argumentsMode: "equal" })).toEqual({
      ok: false,
      reason: 'step 1: expected "search" with "{\\"q\\":\\"paris\\"}", got "search" with "{\\"q\\":\\"paris\\",\\"limit\\":3}"',
    });
  });
});

describe("trajectory scorer", () => {
  it("reads the agent's trajectory; without one, the reply's tool calls", async () => {
    const scorer = make({ type: "trajectory", steps: ["search", "open"] });
    expect(await scorer.scoreCase(input({ trajectory: steps(call("search"), call("open")) }), context)).toEqual({ score: 1, pass: true });
    expect(await scorer.scoreCase(input({ toolCalls: [call("search"), call("open")] }), context)).toEqual({ score: 1, pass: true });
    // A trajectory, even an empty one, is what the agent did: the last reply's calls are not added.
    expect((await scorer.scoreCase(input({ trajectory: [], toolCalls: [call("search"), call("open")] }), context)).pass).toBe(false);
  });
  it("takes the expected steps from the case: expected.trajectory, expected.toolCalls or a list", async () => {
    const scorer = make({ type: "trajectory", mode: "subsequence" });
    const actual = { toolCalls: [call("search"), call("open"), call("answer")] };
    expect((await scorer.scoreCase(input(actual, { trajectory: ["search", "answer"] }), context)).pass).toBe(true);
    expect((await scorer.scoreCase(input(actual, { toolCalls: [{ name: "open" }] }), context)).pass).toBe(true);
    expect((await scorer.scoreCase(input(actual, ["answer", "search"]), context)).pass).toBe(false);
    await expect(scorer.scoreCase(input(actual, "search"), context)).rejects.toThrow(/needs the expected calls/);
  });
  it("takes one expected call as tool-call reads it: expected.tool (with expected.arguments) or expected.toolCall", async () => {
    const exact = make({ type: "trajectory" });
    const paris = { toolCalls: [call("get_weather", { city: "Paris" })] };
    expect(await exact.scoreCase(input(paris, { tool: "get_weather", arguments: { city: "Paris" } }), context)).toEqual({
      score: 1,
      pass: true,
    });
    expect((await exact.scoreCase(input(paris, { tool: "get_weather", arguments: { city: "Rome" } }), context)).pass).toBe(false);
    expect((await exact.scoreCase(input(paris, { toolCall: "get_weather" }), context)).pass).toBe(true);
    expect((await exact.scoreCase(input({ toolCalls: [call("get_weather"), call("x")] }, { tool: "get_weather" }), context)).pass).toBe(
      false,
    );
  });
});
