/**
 * JSON that can sit inside a `<script type="application/json">` element whatever its strings hold.
 * The HTML parser ends a script element at `</script` (any case) and treats `<!--` specially
 * inside it, so `<` and `>` are written as `\u003c` and `\u003e`; `&` as `\u0026` so nothing reads
 * as a character reference; U+2028 and U+2029 as escapes so the text is also a valid JavaScript
 * literal. These characters only occur inside JSON strings, where the escapes mean the same
 * characters: `JSON.parse` of the element's text gives the value back exactly.
 */
const UNSAFE = /[<>&\u2028\u2029]/g;

const escapeChar = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;

export function scriptJson(value: unknown): string {
  return (JSON.stringify(value) ?? "null").replace(UNSAFE, escapeChar);
}
