import { SCORER_TYPES, scorerConfigSchema } from "@llmops/core";
import { describe, expect, it } from "vitest";

const issues = (value: unknown) => {
  const result = scorerConfigSchema.safeParse(value);
  return result.success ? [] : result.error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
};

describe("scorer config schema", () => {
  it("knows every scorer of issue #4", () => {
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
    expect(issues({ type: "similar" })[0]?.path).toBe("type");
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
});
