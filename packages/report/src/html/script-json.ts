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

/** A number in its shortest JSON spelling: 0.00018 as 18e-5, 1000000 as 1e6; the same value to `JSON.parse`. */
export function shortNumber(n: number): string {
  if (!Number.isFinite(n)) return "null";
  const plain = String(n);
  // toExponential() has the digits String() has (as many as the value needs), as d.ddde±x.
  const match = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(n.toExponential());
  if (!match) return plain;
  const [, sign, first, rest = "", exponent] = match;
  const scientific = `${sign}${first}${rest ? `.${rest}` : ""}e${Number(exponent)}`;
  const whole = `${sign}${first}${rest}e${Number(exponent) - rest.length}`.replace(/^(-?)0+(?=\d)/, "$1");
  let best = plain;
  for (const candidate of [scientific, whole]) if (candidate.length < best.length) best = candidate;
  return best;
}

/**
 * `scriptJson` of plain data (arrays, objects, strings, numbers, booleans, null) with numbers in
 * their shortest spelling (`shortNumber`): for the rows, where there are tens of thousands of
 * them. Object members whose value is undefined are left out, as JSON.stringify does.
 */
export function compactScriptJson(value: unknown): string {
  return compactJson(value).replace(UNSAFE, escapeChar);
}

function compactJson(value: unknown): string {
  if (typeof value === "number") return shortNumber(value);
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) {
    let out = "[";
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ",";
      const item: unknown = value[i];
      out += item === undefined || typeof item === "function" || typeof item === "symbol" ? "null" : compactJson(item);
    }
    return `${out}]`;
  }
  let out = "{";
  let first = true;
  for (const [key, item] of Object.entries(value)) {
    if (item === undefined || typeof item === "function" || typeof item === "symbol") continue;
    out += `${first ? "" : ","}${JSON.stringify(key)}:${compactJson(item)}`;
    first = false;
  }
  return `${out}}`;
}
