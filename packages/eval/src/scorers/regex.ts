import { InputError, regexScorerSchema } from "@llmops/core";
import { RE2JS } from "re2js";
import { binary, defineScorer } from "./definition.ts";

/**
 * Regex scorers run on RE2 (the `re2js` port), which matches in time linear in the output's
 * length. JavaScript's backtracking engine can take exponential time on a pattern such as
 * `^(a+)+$`, and an output is whatever a model wrote: one unlucky answer would stall the run with
 * no way to interrupt it (a RegExp cannot be aborted from its own thread). The alternatives were
 * worse for an action many repositories run: a worker with a timeout makes the verdict depend on
 * how fast the runner is, and rejecting "super-linear" patterns by static analysis is a
 * heuristic with both false alarms and misses. RE2 instead refuses the two features that need
 * backtracking, lookahead and backreferences; patterns are written in JavaScript syntax and
 * translated here, and whatever cannot keep its JavaScript meaning is a config error.
 */

/** A pattern the linear-time engine cannot run with its JavaScript meaning; `field` is the config key at fault. */
export class UnsupportedRegexError extends InputError {
  readonly field: "pattern" | "flags";
  constructor(message: string, field: "pattern" | "flags" = "pattern") {
    super(message);
    this.field = field;
  }
}

export interface LinearRegex {
  /** Whether the pattern matches anywhere in `text`, in time linear in its length. */
  test(text: string): boolean;
}

/**
 * JavaScript's `\s`: WhiteSpace and LineTerminator code points (ECMA-262 §22.2.2.9 CharacterClassEscape).
 * RE2's `\s` is ASCII only and lacks `\v`, so `\s` is spelled out as this class body.
 */
const JS_SPACE = "\\t\\n\\v\\f\\r \\x{a0}\\x{1680}\\x{2000}-\\x{200a}\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}\\x{feff}";
/** JavaScript's `.` without the s flag stops at every line terminator; RE2's only at `\n`. */
const JS_DOT = "[^\\n\\r\\x{2028}\\x{2029}]";
/** Escapes whose meaning is the same in both engines (`\b` outside a class: a word boundary). */
const SAME_ESCAPES = new Set(["d", "D", "w", "W", "b", "B", "n", "r", "t", "f", "v"]);
const HEX = /^[0-9A-Fa-f]+$/;

const unsupported = (what: string, pattern: string) =>
  new UnsupportedRegexError(
    `regular expression /${pattern}/ uses ${what}; regex scorers run on a linear-time engine (RE2), which has no lookahead, backreferences or octal escapes`,
  );

/** `\uXXXX`, a surrogate pair of them, or `\u{X…}`, from the backslash at `i`: the code point and the escape's length. */
function unicodeEscape(pattern: string, i: number): { codePoint: number; length: number } | undefined {
  if (pattern[i + 2] === "{") {
    const end = pattern.indexOf("}", i + 3);
    const hex = end < 0 ? "" : pattern.slice(i + 3, end);
    return HEX.test(hex) ? { codePoint: Number.parseInt(hex, 16), length: end + 1 - i } : undefined;
  }
  const hex = pattern.slice(i + 2, i + 6);
  if (hex.length !== 4 || !HEX.test(hex)) return undefined;
  const unit = Number.parseInt(hex, 16);
  // `\uD83D\uDE00` is one character in JavaScript; RE2 has no lone surrogates to match.
  const low = pattern.slice(i + 6, i + 8) === "\\u" ? pattern.slice(i + 8, i + 12) : "";
  if (unit >= 0xd800 && unit <= 0xdbff && low.length === 4 && HEX.test(low)) {
    const next = Number.parseInt(low, 16);
    if (next >= 0xdc00 && next <= 0xdfff) return { codePoint: 0x10000 + ((unit - 0xd800) << 10) + (next - 0xdc00), length: 12 };
  }
  return { codePoint: unit, length: 6 };
}

/**
 * Rewrites a JavaScript pattern (already known to compile as a RegExp) into RE2 syntax with the
 * same meaning, or throws UnsupportedRegexError naming what has none.
 */
export function toRe2Pattern(pattern: string, flags: string): string {
  const dotAll = flags.includes("s");
  const sets = flags.includes("v");
  let out = "";
  let inClass = false;
  let i = 0;
  while (i < pattern.length) {
    const ch = pattern[i]!;
    if (ch === "\\") {
      const next = pattern[i + 1] ?? "";
      if (/[1-9]/.test(next) || next === "k") throw unsupported(`a backreference or octal escape (\\${next}…)`, pattern);
      if (next === "s") out += inClass ? JS_SPACE : `[${JS_SPACE}]`;
      // Inside a class RE2's `\S` stands; it differs from JavaScript's only on non-ASCII spaces.
      else if (next === "S") out += inClass ? "\\S" : `[^${JS_SPACE}]`;
      else if (next === "b" && inClass) out += "\\x08";
      else if (SAME_ESCAPES.has(next)) out += `\\${next}`;
      else if (next === "0") {
        if (/[0-9]/.test(pattern[i + 2] ?? "")) throw unsupported("a legacy octal escape (\\0…)", pattern);
        out += "\\x00";
      } else if (next === "x" && HEX.test(pattern.slice(i + 2, i + 4)) && pattern.slice(i + 2, i + 4).length === 2) {
        out += `\\x{${pattern.slice(i + 2, i + 4)}}`;
        i += 4;
        continue;
      } else if (next === "u") {
        const unicode = unicodeEscape(pattern, i);
        if (!unicode) throw unsupported("a malformed \\u escape", pattern);
        out += `\\x{${unicode.codePoint.toString(16)}}`;
        i += unicode.length;
        continue;
      } else if (next === "c" && /[A-Za-z]/.test(pattern[i + 2] ?? "")) {
        out += `\\x{${(pattern.charCodeAt(i + 2) % 32).toString(16)}}`;
        i += 3;
        continue;
      } else if ((next === "p" || next === "P") && pattern[i + 2] === "{" && pattern.indexOf("}", i) > 0) {
        // `\p{Script=Greek}` is RE2's `\p{Greek}`; other property names go through as written.
        const end = pattern.indexOf("}", i);
        const body = pattern.slice(i + 3, end);
        out += `\\${next}{${body.replace(/^(?:Script|sc|General_Category|gc)=/, "")}}`;
        i = end + 1;
        continue;
      } else if (/[A-Za-z0-9]/.test(next)) throw unsupported(`the escape \\${next}`, pattern);
      else {
        // An escaped symbol is that symbol; RE2 accepts the backslash only before ASCII punctuation.
        const symbol = String.fromCodePoint(pattern.codePointAt(i + 1)!);
        out += /[!-/:-@[-`{-~]/.test(symbol) ? `\\${symbol}` : symbol;
        i += 1 + symbol.length;
        continue;
      }
      i += 2;
      continue;
    }
    if (inClass) {
      if (ch === "]") inClass = false;
      else if (sets && (ch === "[" || pattern.startsWith("--", i) || pattern.startsWith("&&", i)))
        throw unsupported("a v-flag class set operation", pattern);
      // A `[` in a JavaScript class is a plain bracket, never the start of RE2's `[:alpha:]`.
      else if (ch === "[") {
        out += "\\[";
        i += 1;
        continue;
      }
      out += ch;
      i += 1;
      continue;
    }
    if (ch === "[") {
      const negated = pattern[i + 1] === "^";
      const start = i + (negated ? 2 : 1);
      // `[]` matches nothing and `[^]` anything in JavaScript; RE2 reads `[]…]` as a class holding `]`.
      if (pattern[start] === "]") {
        out += negated ? "[\\x00-\\x{10ffff}]" : "[^\\x00-\\x{10ffff}]";
        i = start + 1;
        continue;
      }
      inClass = true;
      out += negated ? "[^" : "[";
      i = start;
      continue;
    }
    if (ch === "(" && pattern[i + 1] === "?") {
      if (pattern[i + 2] === "=" || pattern[i + 2] === "!") throw unsupported(`a lookahead (?${pattern[i + 2]}…)`, pattern);
      if (pattern[i + 2] === "<" && pattern[i + 3] !== "=" && pattern[i + 3] !== "!") {
        out += "(?P<";
        i += 3;
        continue;
      }
    }
    if (ch === "." && !dotAll) out += JS_DOT;
    else out += ch;
    i += 1;
  }
  return out;
}

/**
 * Compiles a scorer's `pattern` and `flags`: `i`, `m` and `s` as in JavaScript; `g`, `y` and `d`
 * are ignored (a test is stateless); `u` and `v` change nothing, since RE2 always matches whole
 * code points.
 */
export function compileLinearRegex(pattern: string, flags: string): LinearRegex {
  const translated = toRe2Pattern(pattern, flags);
  let options = RE2JS.LOOKBEHINDS;
  if (flags.includes("i")) options |= RE2JS.CASE_INSENSITIVE;
  if (flags.includes("m")) options |= RE2JS.MULTILINE;
  if (flags.includes("s")) options |= RE2JS.DOTALL;
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(translated, options);
  } catch (error) {
    const reason = (error as Error).message.replace(/^error parsing regexp: /, "");
    throw unsupported(`syntax RE2 rejects (${reason})`, pattern);
  }
  return { test: (text) => compiled.test(text) };
}

export const regexScorer = defineScorer({
  schemas: { regex: regexScorerSchema },
  docs: {
    definition:
      "Passes when `pattern` matches anywhere in the output. Patterns are written in JavaScript syntax and matched in " +
      "time linear in the output's length by RE2, so no output can hang the run; a pattern whose JavaScript meaning " +
      "RE2 cannot keep (lookahead, backreferences) is a config error at its line.",
    params:
      "`pattern`, `flags` (`i`, `m`, `s`; `g`/`y`/`d` are ignored, `u`/`v` change nothing). Runs in linear time, see [Regular expressions](#regular-expressions).",
    score: "0/1",
    reference:
      "ECMAScript RegExp syntax (ECMA-262 §22.2) run on RE2 through the `re2js` port; the tests take JavaScript's own RegExp as the reference for every supported pattern.",
  },
  create(config) {
    // Linear-time matching: a model's output must not be able to hang the run.
    const pattern = compileLinearRegex(config.pattern, config.flags);
    return {
      defaultThreshold: 1,
      score(output) {
        const ok = pattern.test(output);
        return binary(ok, ok ? undefined : `no match for /${config.pattern}/${config.flags}`);
      },
    };
  },
});
