import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InputError, scorerConfigSchema, silentLogger } from "@llmops/core";
import { describe, expect, it } from "vitest";
import { referenceList } from "../../src/scorers/helpers.ts";
import { corpusBleu, corpusChrF, createScorer, type ScorerContext, type ScorerInput } from "../../src/scorers/index.ts";

const dir = mkdtempSync(join(tmpdir(), "llmops-scorers-"));
const make = (config: Record<string, unknown>) => createScorer(scorerConfigSchema.parse(config), { cwd: dir });
const context: ScorerContext = { signal: new AbortController().signal, logger: silentLogger, cwd: dir };
const input = (output: string | null, expected?: unknown, extra: Partial<ScorerInput> = {}): ScorerInput => ({
  output,
  expected,
  vars: {},
  latencyMs: 100,
  tokens: { prompt: 10, completion: 20, total: 30 },
  cost: 0.002,
  ...extra,
});
const score = (config: Record<string, unknown>, output: string | null, expected?: unknown, extra?: Partial<ScorerInput>) =>
  make(config).scoreCase(input(output, expected, extra), context);

describe("text checks", () => {
  it("equals trims by default, is case-sensitive unless told", async () => {
    expect(await score({ type: "equals" }, "  Paris\n", "Paris")).toMatchObject({ score: 1, pass: true });
    expect((await score({ type: "equals" }, "paris", "Paris")).pass).toBe(false);
    expect((await score({ type: "equals", caseSensitive: false }, "paris", "Paris")).pass).toBe(true);
    expect((await score({ type: "equals", trim: false }, "Paris ", "Paris")).pass).toBe(false);
    expect((await score({ type: "equals", value: "Rome" }, "Rome", "Paris")).pass).toBe(true);
  });
  it("equals compares structured expectations as JSON values", async () => {
    expect((await score({ type: "equals" }, '{ "b": [1, 2], "a": "x" }', { a: "x", b: [1, 2] })).pass).toBe(true);
    expect((await score({ type: "equals" }, '{"a": "y"}', { a: "x" })).pass).toBe(false);
    expect((await score({ type: "equals" }, "42", 42)).pass).toBe(true);
  });
  it("contains: value, values with any/all, case-insensitive, or the expected value", async () => {
    expect((await score({ type: "contains", value: "cat" }, "a cat sat")).pass).toBe(true);
    expect((await score({ type: "contains", values: ["dog", "cat"] }, "a cat sat")).pass).toBe(true);
    const all = await score({ type: "contains", values: ["dog", "cat"], mode: "all" }, "a cat sat");
    expect(all).toMatchObject({ pass: false, reason: 'missing "dog"' });
    expect((await score({ type: "contains", value: "CAT" }, "a cat")).pass).toBe(false);
    expect((await score({ type: "contains", value: "CAT", caseSensitive: false }, "a cat")).pass).toBe(true);
    expect((await score({ type: "contains" }, "the answer is 42", "42")).pass).toBe(true);
  });
  it("starts-with ignores leading whitespace by default", async () => {
    expect((await score({ type: "starts-with", value: "Yes" }, "  Yes, because")).pass).toBe(true);
    expect((await score({ type: "starts-with" }, "No.", "Yes")).pass).toBe(false);
  });
  it("regex with flags, evaluated the same on every call", async () => {
    const scorer = make({ type: "regex", pattern: "^answer: \\d+$", flags: "gim" });
    for (let i = 0; i < 3; i++) expect((await scorer.scoreCase(input("Answer: 12"), context)).pass).toBe(true);
    expect((await scorer.scoreCase(input("Answer: x"), context)).pass).toBe(false);
  });
  it("is-json, with code fences only when allowed", async () => {
    expect((await score({ type: "is-json" }, ' {"a": 1} ')).pass).toBe(true);
    const fenced = '```json\n{"a": 1}\n```';
    const strict = await score({ type: "is-json" }, fenced);
    expect(strict.pass).toBe(false);
    expect(strict.reason).toMatch(/^not valid JSON/);
    expect((await score({ type: "is-json", allowFence: true }, fenced)).pass).toBe(true);
  });
});

describe("json-schema", () => {
  const schema = {
    type: "object",
    required: ["name", "email"],
    properties: { name: { type: "string" }, email: { type: "string", format: "email" } },
  };
  it("validates against an inline schema (formats included)", async () => {
    expect((await score({ type: "json-schema", schema }, '{"name": "a", "email": "a@example.com"}')).pass).toBe(true);
    const bad = await score({ type: "json-schema", schema }, '{"name": 3, "email": "nope"}');
    expect(bad.pass).toBe(false);
    expect(bad.reason).toMatch(/\/name must be string/);
    expect(bad.reason).toMatch(/\/email must match format "email"/);
  });
  it("reads a schema file relative to cwd, YAML or JSON; draft 2020-12 when declared", async () => {
    writeFileSync(join(dir, "person.yaml"), "type: object\nrequired: [name]\n");
    expect((await score({ type: "json-schema", schemaFile: "person.yaml" }, '{"name": "x"}')).pass).toBe(true);
    writeFileSync(
      join(dir, "list.json"),
      JSON.stringify({ $schema: "https://json-schema.org/draft/2020-12/schema", type: "array", prefixItems: [{ type: "number" }] }),
    );
    expect((await score({ type: "json-schema", schemaFile: "list.json" }, '["x"]')).pass).toBe(false);
    expect((await score({ type: "json-schema", schemaFile: "list.json" }, "[1]")).pass).toBe(true);
  });
  it("a missing file or an invalid schema is an input error when the scorer is built", () => {
    expect(() => make({ type: "json-schema", schemaFile: "missing.json" })).toThrow(InputError);
    expect(() => make({ type: "json-schema", schemaFile: "missing.json" })).toThrow(/schema file missing.json: not found/);
    expect(() => make({ type: "json-schema", schema: { type: "nonsense" } })).toThrow(/invalid JSON schema/);
  });
  it("runs the schema's patterns in linear time: a catastrophic pattern cannot hang the run on model output", async () => {
    // With JavaScript's backtracking RegExp this input takes about 2^40 steps (58 ms at 20 a's, doubling per a).
    const hostile = `"${"a".repeat(40)}!"`;
    const schema = { type: "object", properties: { s: { type: "string", pattern: "^(a+)+$" } }, patternProperties: { "^(x+)+$": {} } };
    expect((await score({ type: "json-schema", schema }, `{"s": ${hostile}}`)).pass).toBe(false);
    expect((await score({ type: "json-schema", schema }, `{"s": "${"a".repeat(40)}"}`)).pass).toBe(true);
    expect((await score({ type: "json-schema", schema: { type: "string", pattern: "^\\d{3}$" } }, '"123"')).pass).toBe(true);
    expect(() => make({ type: "json-schema", schema: { type: "string", pattern: "^(?=a)" } })).toThrow(/invalid JSON schema|lookahead/);
  });
});

describe("numeric", () => {
  it("parses the number from the output and applies tolerances", async () => {
    expect((await score({ type: "numeric" }, "The total is $1,234.50.", 1234.5)).pass).toBe(true);
    expect((await score({ type: "numeric", value: 10, tolerance: 0.5 }, "10.4")).pass).toBe(true);
    expect((await score({ type: "numeric", value: 10, tolerance: 0.5 }, "10.6")).pass).toBe(false);
    expect((await score({ type: "numeric", value: 200, relativeTolerance: 0.05 }, "about 209")).pass).toBe(true);
    expect((await score({ type: "numeric" }, "-3.5e2", "-350")).pass).toBe(true);
    expect((await score({ type: "numeric", pick: "last" }, "from 3 to 7", 7)).pass).toBe(true);
    expect(await score({ type: "numeric", value: 1 }, "none")).toMatchObject({ pass: false, reason: 'no number in the output "none"' });
  });
});

describe("similarity scorers", () => {
  it("levenshtein: similarity with a threshold (default 0.8), best of several references", async () => {
    const result = await score({ type: "levenshtein" }, "kitten", "sitting");
    expect(result.score).toBeCloseTo(4 / 7, 12);
    expect(result.pass).toBe(false);
    expect((await score({ type: "levenshtein", threshold: 0.5 }, "kitten", "sitting")).pass).toBe(true);
    expect((await score({ type: "levenshtein" }, "kitten", ["sitting", "kitten"])).score).toBe(1);
  });
  it("squad-exact-match and token-f1 use every gold answer", async () => {
    expect((await score({ type: "squad-exact-match" }, "The Broncos!", ["Denver Broncos", "Broncos"])).pass).toBe(true);
    const f1 = await score({ type: "token-f1" }, "cat cat cat dog", ["cat dog dog"]);
    // common = {cat:1, dog:1} = 2; P = 2/4, R = 2/3; F1 = 2PR/(P+R) = 4/7
    expect(f1.score).toBeCloseTo(4 / 7, 12);
    expect(f1.pass).toBe(true);
  });
  it("a reference scorer without an expected value throws a clear error (the runner records it)", async () => {
    await expect(score({ type: "token-f1" }, "x")).rejects.toThrow(/needs the case's expected value/);
  });
  it("bleu: sentence BLEU per case, sacrebleu corpus BLEU over the suite, as fractions", async () => {
    const scorer = make({ type: "bleu" });
    const hyps = ["The dog bit the man.", "It wasn't surprising.", "The man had just bitten him."];
    const refs = [
      ["The dog bit the man.", "The dog had bit the man."],
      ["It was not unexpected.", "No one was surprised."],
      ["The man bit him first.", "The man had bitten the dog."],
    ];
    expect((await scorer.scoreCase(input(hyps[0]!, refs[0]), context)).score).toBe(1);
    const corpus = scorer.corpus!(hyps.map((h, i) => input(h, refs[i])));
    expect(corpus.value * 100).toBeCloseTo(48.530827, 5); // sacrebleu test_bleu.py
  });
  it("corpus values leave out cases without references and agree with the pure functions on resamples", () => {
    const scorer = make({ type: "bleu" });
    const a = input("the cat sat on the mat", "the cat sat on a mat");
    const b = input("a dog ran in the park", ["the dog ran in a park"]);
    const resample = [a, b, b, a, b];
    expect(scorer.corpus!(resample).value).toBe(
      corpusBleu(
        resample.map((i) => i.output!),
        resample.map((i) => referenceList(i.expected)),
      ).score,
    );
    const withGap = scorer.corpus!([a, input("no reference"), b]);
    expect(withGap.value).toBe(corpusBleu([a.output!, b.output!], [["the cat sat on a mat"], ["the dog ran in a park"]]).score);
    expect(withGap.details?.skippedWithoutExpected).toBe(1);
    const chrf = make({ type: "chrf" });
    expect(chrf.corpus!(resample).value).toBe(
      corpusChrF(
        resample.map((i) => i.output!),
        resample.map((i) => referenceList(i.expected)),
      ),
    );
  });
  it("rouge: the configured variant's F-measure", async () => {
    expect((await score({ type: "rouge", variant: "rouge1" }, "testing", "testing one two")).score).toBeCloseTo(0.5, 12);
    expect((await score({ type: "rouge", variant: "rougeL" }, "testing two", "testing one two")).score).toBeCloseTo(0.8, 12);
  });
  it("chrf: per case and corpus", async () => {
    const scorer = make({ type: "chrf", beta: 3 });
    const corpus = scorer.corpus!([input("a", "a"), input("b", "c")]);
    expect(corpus.value).toBeCloseTo(0.5, 12); // sacrebleu test_chrf.py, effective order
    expect((await scorer.scoreCase(input("a b c", "abc"), context)).score).toBe(1);
  });
});

describe("classification", () => {
  it("per-case correctness after normalisation; the corpus value is the configured metric", async () => {
    const scorer = make({ type: "classification", metric: "macro-f1" });
    expect((await scorer.scoreCase(input(" Positive\n", "positive"), context)).pass).toBe(true);
    // sklearn fixture case 0: y_true cat dog cat bird dog cat; y_pred cat cat cat bird dog dog
    const truth = ["cat", "dog", "cat", "bird", "dog", "cat"];
    const guess = ["CAT", "cat", "cat", "bird", "dog", "dog"];
    const corpus = scorer.corpus!(truth.map((t, i) => input(guess[i]!, t)));
    // per label F1: bird 1, cat 2/3, dog 1/2 -> macro 13/18
    expect(corpus.value).toBeCloseTo(13 / 18, 12);
    expect(corpus.details?.confusionMatrix).toEqual([
      [1, 0, 0],
      [0, 2, 1],
      [0, 1, 1],
    ]);
  });
});

describe("budgets", () => {
  it("latency, tokens and cost pass within their max (threshold is an alias)", async () => {
    expect(await score({ type: "latency", max: 100 }, "x")).toMatchObject({ score: 1, pass: true, reason: "latency 100 ms <= 100 ms" });
    expect((await score({ type: "latency", threshold: 99 }, "x")).pass).toBe(false);
    expect((await score({ type: "tokens", max: 25 }, "x")).pass).toBe(false);
    expect((await score({ type: "tokens", max: 25, count: "completion" }, "x")).pass).toBe(true);
    expect((await score({ type: "cost", max: 0.001 }, "x")).pass).toBe(false);
  });
  it("a budget the provider did not report fails, negated or not", async () => {
    expect(await score({ type: "cost", max: 1 }, "x", undefined, { cost: null })).toMatchObject({ score: 0, pass: false });
    expect(await score({ type: "tokens", max: 1, not: true }, "x", undefined, { tokens: null })).toMatchObject({ score: 0, pass: false });
  });
  it("needs exactly one of max and threshold", () => {
    expect(scorerConfigSchema.safeParse({ type: "cost" }).success).toBe(false);
    expect(scorerConfigSchema.safeParse({ type: "cost", max: 1, threshold: 2 }).success).toBe(false);
    expect(scorerConfigSchema.safeParse({ type: "ttft" }).success).toBe(false);
    expect(scorerConfigSchema.safeParse({ type: "tokens-per-second", min: 1, threshold: 2 }).success).toBe(false);
  });
  it("ttft passes within its max; tokens-per-second at or above its min; a call that did not stream has neither", async () => {
    expect(await score({ type: "ttft", max: 50 }, "x", undefined, { ttftMs: 50 })).toMatchObject({
      pass: true,
      reason: "ttft 50 ms <= 50 ms",
    });
    expect((await score({ type: "ttft", threshold: 49 }, "x", undefined, { ttftMs: 50 })).pass).toBe(false);
    expect(await score({ type: "tokens-per-second", min: 40 }, "x", undefined, { tokensPerSecond: 40 })).toMatchObject({
      pass: true,
      reason: "tokens per second 40 >= 40",
    });
    expect((await score({ type: "tokens-per-second", threshold: 41 }, "x", undefined, { tokensPerSecond: 40 })).pass).toBe(false);
    expect(await score({ type: "ttft", max: 50, not: true }, "x", undefined, { ttftMs: null })).toMatchObject({ score: 0, pass: false });
    expect(await score({ type: "tokens-per-second", min: 1, not: true }, "x")).toMatchObject({
      score: 0,
      pass: false,
      reason: "no tokens per second (not streamed, or no token usage)",
    });
  });
});

describe("negation", () => {
  it("flips pass and maps score to 1 - score", async () => {
    expect(await score({ type: "contains", value: "sorry", not: true }, "Here you go")).toMatchObject({ score: 1, pass: true });
    expect(await score({ type: "contains", value: "sorry", not: true }, "I'm sorry")).toMatchObject({ score: 0, pass: false });
    const lev = await score({ type: "levenshtein", not: true, threshold: 0.5 }, "kitten", "sitting");
    expect(lev.score).toBeCloseTo(3 / 7, 12);
    expect(lev.pass).toBe(false);
    expect(make({ type: "bleu", not: true }).corpus!([input("a b c d", "a b c d")]).value).toBe(0);
  });
  it("a missing output fails every scorer, negated ones included", async () => {
    expect(await score({ type: "contains", value: "x", not: true }, null)).toEqual({
      score: 0,
      pass: false,
      reason: "no output (provider error)",
    });
  });
});

describe("llm-judge", () => {
  const judge = (replies: string[], prompts: string[], seen: unknown[] = []): ScorerContext => ({
    ...context,
    complete: async (prompt, provider) => {
      prompts.push(prompt);
      seen.push(provider);
      return replies.shift() ?? "";
    },
  });
  const provider = { type: "openai", model: "judge" };
  const rubric = "Is {{output}} a good answer to {{vars.question}}? Reference: {{expected}}. Meta: {{vars.meta.lang}}";

  it("renders the rubric, sends it with the judge provider and normalises the score", async () => {
    const prompts: string[] = [];
    const providers: unknown[] = [];
    const scorer = make({ type: "llm-judge", rubric, scale: 5, provider });
    const ctx = judge(['Sure.\n```json\n{"score": 4, "reason": "mostly right"}\n```'], prompts, providers);
    const result = await scorer.scoreCase(input("Paris", "Paris", { vars: { question: "capital of France?", meta: { lang: "en" } } }), ctx);
    expect(result).toEqual({ score: 0.75, pass: true, reason: "mostly right" });
    expect(prompts[0]).toMatch(/^Is Paris a good answer to capital of France\?\? Reference: Paris\. Meta: en/);
    expect(prompts[0]).toMatch(/"score": <a number from 1 to 5>/);
    expect(providers[0]).toEqual({ type: "openai", model: "judge" });
  });
  it("accepts bare and embedded JSON on the 0..1 scale", async () => {
    const scorer = make({ type: "llm-judge", rubric: "Rate {{output}}", provider });
    expect(await scorer.scoreCase(input("x"), judge(['{"score": 0.3, "reason": "weak"}'], []))).toEqual({
      score: 0.3,
      pass: false,
      reason: "weak",
    });
    expect((await scorer.scoreCase(input("x"), judge(['My verdict: {"score": "0.9"} done'], []))).score).toBe(0.9);
  });
  it("an invalid reply scores 0 with a reason saying what was expected, and negation does not flip it", async () => {
    for (const reply of ["no json here", '{"score": 7}', '{"reason": "no score"}', '{"score": null}']) {
      const result = await make({ type: "llm-judge", rubric: "Rate {{output}}", not: true, provider }).scoreCase(
        input("x"),
        judge([reply], []),
      );
      expect(result.score).toBe(0);
      expect(result.pass).toBe(false);
      expect(result.reason).toMatch(/^invalid judge reply: expected JSON \{"score": number in \[0, 1\], "reason": string\}/);
    }
  });
  it("a rubric variable the case lacks, or no provider to call, is an error", async () => {
    const scorer = make({ type: "llm-judge", rubric: "{{vars.missing}}", provider });
    await expect(scorer.scoreCase(input("x"), judge([], []))).rejects.toThrow(/\{\{vars\.missing\}\}, which the case does not have/);
    await expect(make({ type: "llm-judge", rubric: "{{output}}", provider }).scoreCase(input("x"), context)).rejects.toThrow(
      /needs a provider/,
    );
  });
  it("needs a judge provider in the config", () => {
    expect(scorerConfigSchema.safeParse({ type: "llm-judge", rubric: "{{output}}" }).success).toBe(false);
  });
  it("an unknown placeholder is refused when the scorer is built", () => {
    expect(() => make({ type: "llm-judge", rubric: "{{prompt}}", provider })).toThrow(InputError);
  });
});

describe("custom", () => {
  writeFileSync(
    join(dir, "scorers.mjs"),
    [
      "export default (input) => input.output.includes('ok');",
      "export const ratio = (input, options) => input.output.length / options.max;",
      "export const full = (input) => ({ score: 0.2, pass: true, reason: 'saw ' + input.vars.name });",
      "export const broken = () => 'yes';",
      "export const notAFunction = 3;",
    ].join("\n"),
  );
  writeFileSync(
    join(dir, "typed.ts"),
    "export function check(input: { output: string }): number {\n  return input.output === 'a' ? 1 : 0;\n}\n",
  );

  it("takes a boolean, a number (threshold decides) or {score, pass, reason}", async () => {
    expect(await score({ type: "custom", module: "scorers.mjs" }, "is ok")).toMatchObject({ score: 1, pass: true });
    expect(await score({ type: "custom", module: "scorers.mjs", export: "ratio", options: { max: 10 } }, "abcd")).toMatchObject({
      score: 0.4,
      pass: false,
    });
    expect(
      (await score({ type: "custom", module: "scorers.mjs", export: "ratio", options: { max: 10 }, threshold: 0.3 }, "abcd")).pass,
    ).toBe(true);
    expect(await score({ type: "custom", module: "scorers.mjs", export: "full" }, "x", undefined, { vars: { name: "n" } })).toEqual({
      score: 0.2,
      pass: true,
      reason: "saw n",
    });
    expect((await score({ type: "custom", module: "typed.ts", export: "check" }, "a")).pass).toBe(true);
  });
  it("an unusable return value fails with a reason; a missing module or export is an input error", async () => {
    const bad = await score({ type: "custom", module: "scorers.mjs", export: "broken" }, "x");
    expect(bad).toMatchObject({ score: 0, pass: false });
    expect(bad.reason).toMatch(/expected a boolean, a number or \{score, pass\?, reason\?\}/);
    await expect(score({ type: "custom", module: "nope.mjs" }, "x")).rejects.toThrow(InputError);
    await expect(score({ type: "custom", module: "scorers.mjs", export: "notAFunction" }, "x")).rejects.toThrow(
      /expected an exported function "notAFunction"/,
    );
  });
});

describe("scorer identity", () => {
  it("name defaults to the type; weight is kept", () => {
    const scorer = make({ type: "equals", weight: 2 });
    expect(scorer).toMatchObject({ name: "equals", type: "equals", weight: 2, higherIsBetter: true });
    expect(make({ type: "equals", name: "exact" }).name).toBe("exact");
    expect(make({ type: "equals" }).corpus).toBeUndefined();
  });
});
