import { numericScorerSchema } from "@llmops/core";
import { binary, defineScorer, quote } from "./definition.ts";

// Integers with optional thousands separators, decimals, exponents; a leading sign.
const NUMBER = /[-+]?(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)?(?:\.\d+)?(?:[eE][-+]?\d+)?/g;

/** The numbers written in a text, in order ("1,234.5" is one number; "$3" gives 3). */
export function parseNumbers(text: string): number[] {
  const found: number[] = [];
  for (const match of text.matchAll(NUMBER)) {
    const raw = match[0];
    if (!/\d/.test(raw) || /^[-+]?[eE]/.test(raw)) continue;
    const value = Number(raw.replaceAll(",", ""));
    if (Number.isFinite(value)) found.push(value);
  }
  return found;
}

/** Whether `actual` is within an absolute or a relative tolerance of `target`. */
export function withinTolerance(actual: number, target: number, tolerance: number, relativeTolerance: number): boolean {
  const difference = Math.abs(actual - target);
  return difference <= tolerance || difference <= relativeTolerance * Math.abs(target);
}

/** The case's expected value as a number: a finite number, or a string that is one. */
function toNumber(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) return Number(value);
  return undefined;
}

export const numericScorer = defineScorer({
  schemas: { numeric: numericScorerSchema },
  docs: {
    definition:
      "Reads the first (or with `pick: last` the last) number written in the output and passes when it is within " +
      "`tolerance` of the target, or within `relativeTolerance` × |target|: `value` when set, else the case's " +
      "`expected` (a number, or a string holding one). Thousands separators, decimals, exponents and a sign are " +
      "understood; an output with no number fails.",
    params:
      "`value?`, `tolerance` (0, absolute), `relativeTolerance` (0), `pick` first/last. The number is parsed from the output, e.g. `$1,234.50` gives 1234.5.",
    score: "0/1",
    reference:
      "Defined here: |actual − target| ≤ tolerance or ≤ relativeTolerance × |target|; checked on hand-worked cases in scorers.test.ts.",
  },
  create(config, { label }) {
    return {
      defaultThreshold: 1,
      score(output, input) {
        const target = config.value ?? toNumber(input.expected);
        if (target === undefined) throw new Error(`${label}: numeric needs value or a numeric expected value`);
        const numbers = parseNumbers(output);
        const actual = config.pick === "last" ? numbers.at(-1) : numbers[0];
        if (actual === undefined) return binary(false, `no number in the output ${quote(output)}`);
        const ok = withinTolerance(actual, target, config.tolerance, config.relativeTolerance);
        return binary(ok, ok ? undefined : `${actual} is not within tolerance of ${target}`);
      },
    };
  },
});
