import { SCORER_TYPES, scorerConfigSchema, scorerProviders } from "@llmops/core";
import { describe, expect, it } from "vitest";

const issues = (value: unknown) => {
  const result = scorerConfigSchema.safeParse(value);
  return result.success ? [] : result.error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
};

describe("scorer config schema", () => {
  it("knows every scorer of issues #4 and #15", () => {
    expect([...SCORER_TYPES].sort()).toEqual(
      [
        "bleu",
        "chrf",
        "classification",
        "contains",
        "cost",
        "custom",
        "equals",
        "is-json",
        "json-schema",
        "latency",
        "levenshtein",
        "llm-judge",
        "numeric",
        "regex",
        "rouge",
        "squad-exact-match",
        "starts-with",
        "token-f1",
        "tokens",
        // issue #15
        "tool-call",
        "tool-call-f1",
        "trajectory",
        "finish-reason",
        "is-refusal",
        "similar",
        "context-faithfulness",
        "context-recall",
        "context-relevance",
        "answer-relevance",
        "ttft",
        "tokens-per-second",
      ].sort(),
    );
  });
  it("a bad regular expression is an issue on pattern saying so", () => {
    expect(issues({ type: "regex", pattern: "(unclosed" })).toEqual([
      { path: "pattern", message: expect.stringMatching(/^invalid regular expression: /) },
    ]);
    // Valid only with the v flag's syntax check: a lone brace is fine without u, an error with u.
    expect(issues({ type: "regex", pattern: "a{", flags: "u" })[0]?.message).toMatch(/^invalid regular expression: /);
    expect(issues({ type: "regex", pattern: "a{" })).toEqual([]);
  });
  it("refuses unknown keys, unknown types and bad flags", () => {
    expect(issues({ type: "equals", valeu: "x" })[0]?.message).toMatch(/Unrecognized key/);
    expect(issues({ type: "semantic-similarity" })[0]?.path).toBe("type");
    expect(issues({ type: "regex", pattern: "a", flags: "gg" })[0]?.message).toMatch(/expected regular expression flags/);
  });
  it("fills defaults: weight 1, not false, sacrebleu's chrF settings", () => {
    expect(scorerConfigSchema.parse({ type: "chrf" })).toEqual({
      type: "chrf",
      weight: 1,
      not: false,
      charOrder: 6,
      beta: 2,
      whitespace: false,
      lowercase: false,
      epsSmoothing: false,
    });
  });
  it("similarity thresholds are fractions", () => {
    expect(issues({ type: "bleu", threshold: 30 })[0]?.path).toBe("threshold");
  });
  it("json-schema needs exactly one of schema and schemaFile; contains refuses value with values", () => {
    expect(issues({ type: "json-schema" })[0]?.message).toBe("expected exactly one of schema or schemaFile");
    expect(issues({ type: "contains", value: "a", values: ["b"] })[0]?.message).toBe("expected value or values, not both");
  });
  it("tool-call: schema mode needs exactly one schema, and a schema needs schema mode", () => {
    expect(issues({ type: "tool-call", argumentsMode: "schema" })[0]).toEqual({
      path: "schema",
      message: "argumentsMode schema expects exactly one of schema or schemaFile",
    });
    expect(issues({ type: "tool-call", schema: { type: "object" } })[0]?.path).toBe("argumentsMode");
    expect(issues({ type: "tool-call", argumentsMode: "schema", schema: {}, arguments: {} })[0]?.path).toBe("arguments");
    expect(scorerConfigSchema.parse({ type: "tool-call", tool: "get_weather" })).toEqual({
      type: "tool-call",
      weight: 1,
      not: false,
      tool: "get_weather",
      argumentsMode: "equal",
    });
  });
  it("trajectory: maxExtra only with subsequence or set; expected calls are names or {name, arguments}", () => {
    expect(issues({ type: "trajectory", steps: ["a"], maxExtra: 1 })[0]).toEqual({
      path: "maxExtra",
      message: "maxExtra applies to mode subsequence or set",
    });
    expect(issues({ type: "trajectory", steps: ["a", { name: "b", arguments: { q: 1 } }], mode: "set", maxExtra: 1 })).toEqual([]);
    expect(issues({ type: "trajectory", steps: [{ name: "b", args: {} }] })[0]?.path).toMatch(/^steps\.0/);
    expect(issues({ type: "tool-call-f1", calls: [""] })[0]?.path).toMatch(/^calls\.0/);
  });
  it("finish-reason needs value or values; is-refusal expects a refusal by default", () => {
    expect(issues({ type: "finish-reason" })[0]?.message).toBe("expected exactly one of value or values");
    expect(issues({ type: "finish-reason", value: "stop", values: ["length"] })[0]?.message).toBe(
      "expected exactly one of value or values",
    );
    expect(scorerConfigSchema.parse({ type: "is-refusal" })).toMatchObject({ expect: true });
  });
  it("similar needs an embeddings provider; RAG judges need a judge provider and default their vars", () => {
    expect(issues({ type: "similar" })[0]?.path).toBe("embeddings");
    expect(issues({ type: "similar", embeddings: { type: "openai" } })[0]?.path).toBe("embeddings.type");
    expect(issues({ type: "similar", threshold: 80, embeddings: { type: "embeddings", model: "m" } })[0]?.path).toBe("threshold");
    for (const type of ["context-faithfulness", "context-recall", "context-relevance"]) {
      expect(issues({ type })[0]?.path).toBe("provider");
      expect(scorerConfigSchema.parse({ type, provider: { type: "replay", file: "j.jsonl" } })).toMatchObject({
        contextVar: "context",
        questionVar: "question",
      });
    }
    expect(issues({ type: "answer-relevance", provider: { type: "replay" }, contextVar: "c" })[0]?.message).toMatch(/Unrecognized key/);
  });
  it("json-schema: target toolCall with a tool; an existing config parses to what it did before issue #15", () => {
    expect(issues({ type: "json-schema", schema: {}, tool: "x" })[0]).toEqual({ path: "tool", message: "tool needs target: toolCall" });
    expect(issues({ type: "json-schema", schema: {}, target: "toolCall", tool: "x" })).toEqual([]);
    // No new defaults: the resolved config, and so the suite digest, of an existing suite is unchanged.
    expect(scorerConfigSchema.parse({ type: "json-schema", schema: {} })).toEqual({
      type: "json-schema",
      weight: 1,
      not: false,
      schema: {},
      allowFence: false,
    });
  });
  it("scorerProviders names the judge and embeddings providers a scorer uses, with their paths", () => {
    const judge = { type: "replay", file: "j.jsonl" };
    expect(scorerProviders(scorerConfigSchema.parse({ type: "llm-judge", rubric: "r", provider: judge }))).toEqual([
      { path: ["provider"], kind: "judge", config: judge },
    ]);
    expect(scorerProviders(scorerConfigSchema.parse({ type: "context-recall", provider: judge }))).toEqual([
      { path: ["provider"], kind: "judge", config: judge },
    ]);
    const embeddings = { type: "embeddings", model: "m" };
    expect(scorerProviders(scorerConfigSchema.parse({ type: "similar", embeddings }))).toEqual([
      { path: ["embeddings"], kind: "embeddings", config: embeddings },
    ]);
    expect(scorerProviders(scorerConfigSchema.parse({ type: "equals" }))).toEqual([]);
  });
});
