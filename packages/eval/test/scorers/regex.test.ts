import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, loadConfig, scorerConfigSchema, silentLogger } from "@llmops/core";
import { afterEach, describe, expect, it } from "vitest";
import { prepareSuite } from "../../src/run/suite.ts";
import { compileLinearRegex, createScorer, type ScorerContext, UnsupportedRegexError } from "../../src/scorers/index.ts";

const context: ScorerContext = { signal: new AbortController().signal, logger: silentLogger, cwd: tmpdir() };
const regexScorer = (pattern: string, flags = "") =>
  createScorer(scorerConfigSchema.parse({ type: "regex", pattern, flags }), { cwd: tmpdir() });
const input = (output: string) => ({ output, expected: undefined, vars: {}, latencyMs: 0, tokens: null, cost: null });

describe("regex scorer on a linear-time engine", () => {
  it("cannot be hung by catastrophic backtracking", async () => {
    // A backtracking engine tries every way to split the 48 a's between the two loops before it
    // gives up at "!": about 2^48 steps. Node 24's RegExp takes 0.5 s at 26 a's and doubles with
    // each one more, so this would run for weeks; linear matching answers at once.
    const scorer = regexScorer("^(a+)+$");
    const result = await scorer.scoreCase(input(`${"a".repeat(48)}!`), context);
    expect(result).toMatchObject({ pass: false, score: 0 });
    expect((await scorer.scoreCase(input("a".repeat(48)), context)).pass).toBe(true);
    // The same with nested alternation and a quantified group that can match empty.
    expect((await regexScorer("^(a|a)*$").scoreCase(input(`${"a".repeat(48)}b`), context)).pass).toBe(false);
    expect((await regexScorer("^(a*)*$").scoreCase(input(`${"a".repeat(48)}b`), context)).pass).toBe(false);
  });

  // JavaScript's own RegExp is the reference: every pattern here must mean what it means there.
  const cases: [pattern: string, flags: string, inputs: string[]][] = [
    ["^answer: \\d+$", "gim", ["Answer: 12", "x\nanswer: 3\ny", "Answer: x"]],
    ["a.b", "", ["a-b", "a\nb", "a\rb", "a\u2028b"]],
    ["a.b", "u", ["a\u{1F600}b"]],
    ["a.b", "s", ["a\nb", "a\rb", "a\u2029b"]],
    ["^\\s+$", "", [" \t", "\u00a0", "\u3000\ufeff", "\v", "x", "\u200b"]],
    ["^\\S+$", "", ["abc", "a\u00a0b", "a\u2028"]],
    ["^[^\\s]+$", "", ["abc", "a\u00a0b"]],
    ["^[\\s\\S]*$", "", ["anything\ngoes\u00a0"]],
    ["x[]", "", ["x", "x]"]],
    ["x[^]y", "", ["x\ny", "xy"]],
    ["(?<year>\\d{4})-(?<month>\\d\\d)", "", ["2024-05", "24-05"]],
    ["caf\\u00e9|\\u{1F600}", "u", ["café", "\u{1F600}", "cafe"]],
    ["\\uD83D\\uDE00", "", ["\u{1F600}", "x"]],
    ["\\cJ\\x41\\0", "", ["\nA\0", "\nA"]],
    ["[[:alpha:]]", "", [":", "[", "b", "1"]],
    ["\\bcat\\b", "i", ["a CAT sat", "concatenate"]],
    ["(?<=\\$)\\d+", "", ["$42", "42"]],
    ["(?<!no )error", "", ["an error", "no error"]],
    ["^\\p{Script=Greek}+$", "u", ["αβγ", "abc"]],
    ["^\\p{Lu}", "u", ["Émile", "émile"]],
    ["\\.\\*\\/\\[\\]\\é", "", [".*/[]é", "x"]],
    ["[\\b]", "", ["\b", "b"]],
    ["a{2,3}b|{,3}", "", ["aab", "ab", "{,3}"]],
    ["ÄPFEL", "i", ["äpfel", "apfel"]],
    ["(?i:a)b", "", ["Ab", "AB"]],
    ["^a$", "", ["a\n", "a", "\na"]],
  ];
  it.each(cases)("/%s/%s matches as JavaScript does", (pattern, flags, inputs) => {
    const linear = compileLinearRegex(pattern, flags);
    const native = new RegExp(pattern, flags.replace(/[gy]/g, ""));
    for (const text of inputs) expect([text, linear.test(text)]).toEqual([text, native.test(text)]);
  });

  it("matches whole code points even without the u flag (a documented difference)", () => {
    expect(compileLinearRegex("^a.b$", "").test("a\u{1F600}b")).toBe(true);
    expect(/^a.b$/.test("a\u{1F600}b")).toBe(false);
  });

  it("\\s, \\S and . agree with JavaScript on every code point of the BMP", () => {
    const space = compileLinearRegex("^\\s$", "");
    const notSpace = compileLinearRegex("^\\S$", "");
    const dot = compileLinearRegex("^.$", "");
    const differences: string[] = [];
    for (let cp = 0; cp <= 0xffff; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const ch = String.fromCharCode(cp);
      if (space.test(ch) !== /^\s$/.test(ch)) differences.push(`\\s U+${cp.toString(16)}`);
      if (notSpace.test(ch) !== /^\S$/.test(ch)) differences.push(`\\S U+${cp.toString(16)}`);
      if (dot.test(ch) !== /^.$/.test(ch)) differences.push(`. U+${cp.toString(16)}`);
    }
    expect(differences).toEqual([]);
  });

  it.each([
    ["(?=x)y", "", /a lookahead \(\?=…\)/],
    ["x(?!y)", "", /a lookahead \(\?!…\)/],
    ["(a)\\1", "", /a backreference or octal escape \(\\1…\)/],
    ["(?<q>a)\\k<q>", "", /a backreference or octal escape \(\\k…\)/],
    ["\\012", "", /a legacy octal escape/],
    ["\\Aabc", "", /the escape \\A/],
    ["[\\p{L}--[a-z]]", "v", /a v-flag class set operation/],
    ["a{1001}", "", /syntax RE2 rejects \(invalid repeat count/],
    ["(?<=(a))b", "", /syntax RE2 rejects \(invalid capture in lookbehind/],
  ])("refuses /%s/%s with an error saying what is unsupported", (pattern, flags, message) => {
    expect(() => new RegExp(pattern, flags)).not.toThrow();
    let error: unknown;
    try {
      compileLinearRegex(pattern, flags);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UnsupportedRegexError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toMatch(/linear-time engine \(RE2\)/);
    expect((error as Error).message).not.toContain("\n");
  });
});

describe("an unsupported pattern in llmops.yaml", () => {
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  });

  it("is a ConfigError at the scorer's pattern, before any provider call", async () => {
    const dir = await mkdtemp(join(tmpdir(), "llmops-regex-"));
    dirs.push(dir);
    const file = join(dir, "llmops.yaml");
    await writeFile(
      file,
      [
        "suites:",
        "  - name: s",
        "    provider: { type: replay, file: none.jsonl }",
        '    prompt: "{{q}}"',
        "    cases: [{ id: a, vars: { q: x } }]",
        "    scorers:",
        "      - { type: equals, value: x }",
        '      - { type: regex, pattern: "^(?!no)" }',
        "",
      ].join("\n"),
    );
    const loaded = await loadConfig(file);
    const error = await prepareSuite({
      loaded,
      suite: loaded.config.suites[0]!,
      suiteIndex: 0,
      env: {},
      logger: silentLogger,
      providers: false,
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).yamlPath).toBe("suites[0].scorers[1].pattern");
    expect((error as ConfigError).location).toMatchObject({ file, line: 8, column: 33 });
    expect((error as ConfigError).exitCode).toBe(2);
    expect((error as ConfigError).expected).toMatch(/^regular expression \/\^\(\?!no\)\/ uses a lookahead/);
  });
});
