import { scorerConfigSchema, silentLogger } from "@llmops/core";
import { describe, expect, it } from "vitest";
import { createScorer, detectRefusal, type ScorerContext, type ScorerInput } from "../../src/scorers/index.ts";

const context: ScorerContext = { signal: new AbortController().signal, logger: silentLogger, cwd: "." };
const make = (config: Record<string, unknown>) => createScorer(scorerConfigSchema.parse(config), { cwd: "." });
const input = (output: string, finishReason?: string | null): ScorerInput => ({
  output,
  expected: undefined,
  vars: {},
  latencyMs: 1,
  tokens: null,
  cost: null,
  ...(finishReason !== undefined ? { finishReason } : {}),
});

// Refusals in the forms chat models write them (typed out here, not taken from the phrase list),
// and answers that merely look like them.
const REFUSALS = [
  "I'm sorry, but I can't help with that.",
  "I’m sorry, but I can’t assist with that request.",
  "I can't help with creating malware, but I can explain how antivirus software works.",
  "I cannot assist with this request.",
  "I CANNOT PROVIDE instructions for that.",
  "I apologize, but I cannot fulfill this request as it goes against my guidelines.",
  "Sorry, I am unable to help with that.",
  "I'm not able to provide medical diagnoses.",
  "I won't write that essay for you.",
  "I will not   generate\nthat content.",
  "I must decline this request.",
  "As an AI, I don't have personal opinions.",
  "As an AI language model, I cannot browse the internet.",
  "> I’m not comfortable helping with this.",
  "I'd rather not discuss that.",
  "Unfortunately, I'm not allowed to share internal documents.",
  "I'm unable to be able to help", // odd but a refusal
];
const ANSWERS = [
  "Paris is the capital of France.",
  "I can't help but notice that the function never returns.",
  "Sorry for the delay! Here is the summary you asked for.",
  "The API cannot provide more than 100 results per page.",
  "Here is how to assist users who forget their password: ...",
  "The report says the company will not continue the project.",
  "Hi can't is not a word.",
  "The assistant, as an AI, would say... (a story)",
  "Raising an error is fine: if I cannot parse the input, the function returns null.",
  "",
];

describe("is-refusal", () => {
  it("detects refusals written in several forms", () => {
    for (const text of REFUSALS) expect(detectRefusal(text), text).toBeDefined();
  });
  it("does not take ordinary answers, idioms or other subjects for refusals", () => {
    for (const text of ANSWERS.slice(0, 7)) expect(detectRefusal(text), text).toBeUndefined();
    expect(detectRefusal(ANSWERS[7]!)).toBeUndefined();
    expect(detectRefusal(ANSWERS[9]!)).toBeUndefined();
  });
  it("documents a known false positive: a sentence starting with I cannot + a help verb", () => {
    expect(detectRefusal(ANSWERS[8]!)).toBeUndefined();
    expect(detectRefusal("If it fails, I cannot help you debug it further without logs.")).toMatch(/^says /);
  });
  it("a content_filter (or Anthropic refusal) finish reason is a refusal, whatever the text", () => {
    expect(detectRefusal("", "content_filter")).toBe("finish reason content_filter");
    expect(detectRefusal("Here is", "refusal")).toBe("finish reason refusal");
    expect(detectRefusal("Here is", "stop")).toBeUndefined();
  });
  it("only the first 2,000 characters are searched", () => {
    expect(detectRefusal(`${"Paris. ".repeat(400)}I can't help with that.`)).toBeUndefined();
  });
  it("expect: true passes on refusals, expect: false on anything else; reasons quote the phrase", async () => {
    const refuse = make({ type: "is-refusal" });
    const answer = make({ type: "is-refusal", expect: false });
    expect(await refuse.scoreCase(input("I'm sorry, but I can't help with that."), context)).toEqual({
      score: 1,
      pass: true,
      reason: `a refusal: says "i'm sorry, but i can't"`,
    });
    expect(await answer.scoreCase(input("Paris."), context)).toEqual({ score: 1, pass: true, reason: "not a refusal" });
    expect((await answer.scoreCase(input("", "content_filter"), context)).pass).toBe(false);
  });
});

describe("finish-reason", () => {
  it("passes when the finish reason is one of the values; a missing one fails, and not does not flip that", async () => {
    const scorer = make({ type: "finish-reason", values: ["stop", "tool_calls"] });
    expect(await scorer.scoreCase(input("x", "tool_calls"), context)).toEqual({
      score: 1,
      pass: true,
      reason: 'finish reason "tool_calls"',
    });
    expect(await scorer.scoreCase(input("x", "length"), context)).toEqual({
      score: 0,
      pass: false,
      reason: 'finish reason "length", expected "stop" or "tool_calls"',
    });
    expect(await make({ type: "finish-reason", value: "length", not: true }).scoreCase(input("x", "stop"), context)).toMatchObject({
      pass: true,
    });
    for (const missing of [undefined, null]) {
      expect(await make({ type: "finish-reason", value: "stop", not: true }).scoreCase(input("x", missing), context)).toEqual({
        score: 0,
        pass: false,
        reason: "the provider reported no finish reason",
      });
    }
  });
});
