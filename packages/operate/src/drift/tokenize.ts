/**
 * Words of a text, for vocabulary drift: NFKC-normalised and lower-cased runs of letters, marks
 * and digits; scripts written without spaces (Han, Hiragana, Katakana, Thai) give one token per
 * character, as a whitespace tokenizer would otherwise see a whole sentence as one word. Tokens
 * of digits only are left out (every new order number would be "out of vocabulary"). Text comes
 * from production and is hostile: only its first MAX_TOKENIZED_CHARS are read, and each token is
 * cut to MAX_TOKEN_CHARS.
 */

export const MAX_TOKENIZED_CHARS = 20_000;
export const MAX_TOKEN_CHARS = 48;

const UNSPACED = "\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\p{Script=Thai}";
const TOKEN = new RegExp(`[${UNSPACED}]|(?:(?![${UNSPACED}])[\\p{L}\\p{M}\\p{N}])+`, "gu");
const DIGITS = /^\p{N}+$/u;

/** The tokens of `text`, in order. */
export function tokenize(text: string): string[] {
  const head = text.length > MAX_TOKENIZED_CHARS ? text.slice(0, MAX_TOKENIZED_CHARS) : text;
  const out: string[] = [];
  for (const match of head.normalize("NFKC").toLowerCase().matchAll(TOKEN)) {
    const token = match[0];
    if (DIGITS.test(token)) continue;
    out.push(token.length > MAX_TOKEN_CHARS ? token.slice(0, MAX_TOKEN_CHARS) : token);
  }
  return out;
}

/** Length in characters (Unicode code points, as Python's `len`), the text-length feature. */
export function characterLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}
