import { canonicalJson, containsScorerSchema, equalsScorerSchema, startsWithScorerSchema } from "@llmops/core";
import { binary, defineScorer, quote } from "./definition.ts";
import { referenceList } from "./helpers.ts";
import { parseJsonOutput } from "./json.ts";

/** Text checks: the output equals, contains or starts with a target text. (Patterns: regex.ts.) */

export const equalsScorer = defineScorer({
  schemas: { equals: equalsScorerSchema },
  docs: {
    definition:
      "Passes when the output equals the target: `value` when set, else the case's `expected`. Both sides are trimmed " +
      "unless `trim: false`, and compared case-sensitively unless `caseSensitive: false`. A target that is not a string " +
      "(a number, an object, a list) is compared as a JSON value: the output must parse as JSON, and key order and " +
      "spacing do not matter.",
    params: "`value?` (else `expected`), `trim` (true), `caseSensitive` (true). A non-string target is compared as JSON.",
    score: "0/1",
    reference:
      "Exact match as promptfoo's `equals` assertion (string equality; a structured value compared as parsed JSON), with trimming and case folding added.",
  },
  create(config, { label }) {
    const prepare = (text: string) => {
      const trimmed = config.trim ? text.trim() : text;
      return config.caseSensitive ? trimmed : trimmed.toLowerCase();
    };
    return {
      defaultThreshold: 1,
      score(output, input) {
        const target = config.value !== undefined ? config.value : input.expected;
        if (target === undefined) throw new Error(`${label}: equals needs value or the case's expected value`);
        if (typeof target !== "string") {
          // Structured expectations compare as JSON values, so key order and spacing do not matter.
          const parsed = parseJsonOutput(output, false);
          const ok = parsed.ok && canonicalJson(parsed.value) === canonicalJson(target);
          return binary(ok, ok ? undefined : `expected JSON equal to ${quote(canonicalJson(target))}`);
        }
        const ok = prepare(output) === prepare(target);
        return binary(ok, ok ? undefined : `expected ${quote(target)}, got ${quote(output)}`);
      },
    };
  },
});

export const containsScorer = defineScorer({
  schemas: { contains: containsScorerSchema },
  docs: {
    definition:
      "Passes when the output contains the needle: `value`, or with `values` any of them (`mode: any`) or all of them " +
      "(`mode: all`), or else the case's `expected` (a string or a list of strings, read as `values`). Matching is " +
      "case-sensitive unless `caseSensitive: false`.",
    params: "`value` or `values`, `mode` any/all (any), `caseSensitive` (true)",
    score: "0/1",
    reference: "Substring search as promptfoo's `contains`, `contains-any`, `contains-all` and `icontains` assertions, in one scorer.",
  },
  create(config, { label }) {
    const fold = (text: string) => (config.caseSensitive ? text : text.toLowerCase());
    return {
      defaultThreshold: 1,
      score(output, input) {
        const needles = config.values ?? (config.value !== undefined ? [config.value] : referenceList(input.expected));
        if (needles.length === 0) throw new Error(`${label}: contains needs value, values or the case's expected value`);
        const haystack = fold(output);
        const missing = needles.filter((needle) => !haystack.includes(fold(needle)));
        const ok = config.mode === "all" ? missing.length === 0 : missing.length < needles.length;
        if (ok) return binary(true);
        return binary(
          false,
          config.mode === "all" || needles.length === 1 ? `missing ${missing.map((m) => quote(m)).join(", ")}` : "none of the values occur",
        );
      },
    };
  },
});

export const startsWithScorer = defineScorer({
  schemas: { "starts-with": startsWithScorerSchema },
  docs: {
    definition:
      "Passes when the output starts with `value`, or else with any of the case's `expected` strings. Leading " +
      "whitespace of the output is ignored unless `trim: false`; matching is case-sensitive unless `caseSensitive: false`.",
    params: "`value?`, `trim` (true), `caseSensitive` (true)",
    score: "0/1",
    reference: "Prefix match as promptfoo's `starts-with` assertion, with leading whitespace ignored by default.",
  },
  create(config, { label }) {
    const fold = (text: string) => (config.caseSensitive ? text : text.toLowerCase());
    return {
      defaultThreshold: 1,
      score(output, input) {
        const prefixes = config.value !== undefined ? [config.value] : referenceList(input.expected);
        if (prefixes.length === 0) throw new Error(`${label}: starts-with needs value or the case's expected value`);
        const text = fold(config.trim ? output.trimStart() : output);
        const ok = prefixes.some((prefix) => text.startsWith(fold(prefix)));
        return binary(ok, ok ? undefined : `expected to start with ${prefixes.map((p) => quote(p)).join(" or ")}`);
      },
    };
  },
});
