import { createHash } from "node:crypto";

/**
 * How strings and numbers are written into the exposition. Label values come from results and
 * stores (suite, metric, feature and model names, versions): anything a user can type, so they
 * are escaped as the formats define, made valid UTF-8, and bounded in length.
 */

/** Code points a label value keeps at most; longer ones are cut (see boundLabelValue). */
export const MAX_LABEL_VALUE_LENGTH = 256;
const HASH_HEX = 12;

/**
 * A label value as written: lone UTF-16 surrogates (which no UTF-8 encoder can write) become
 * U+FFFD, and a value longer than MAX_LABEL_VALUE_LENGTH code points keeps its start and ends with
 * `…` and 12 hex digits of the SHA-256 of the whole value. The hash keeps two long values that
 * share a start apart: cutting them alike would make two series one, which the exposition forbids.
 */
export function boundLabelValue(value: string): string {
  const text = value.toWellFormed();
  // Code points, not UTF-16 units: a cut never splits a character.
  const points = Array.from(text);
  if (points.length <= MAX_LABEL_VALUE_LENGTH) return text;
  const hash = createHash("sha256").update(text, "utf8").digest("hex").slice(0, HASH_HEX);
  return `${points.slice(0, MAX_LABEL_VALUE_LENGTH - HASH_HEX - 1).join("")}…${hash}`;
}

/**
 * A label value between double quotes. Both formats escape the same three characters and
 * nothing else: backslash → `\\`, double quote → `\"`, line feed → `\n` (OpenMetrics 1.0,
 * "Escaping"; Prometheus text 0.0.4). Other characters, control characters included, are allowed
 * as they are (the ABNF's normal-char).
 */
export function escapeLabelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === "\\" ? "\\\\" : c === '"' ? '\\"' : "\\n"));
}

/**
 * A HELP text. OpenMetrics escapes it like a label value; the Prometheus text format 0.0.4 escapes
 * only backslash and line feed, and its parsers (Pushgateway, promtool) refuse `\"` there, so a
 * double quote stays as it is.
 */
export function escapeHelp(text: string, format: "openmetrics" | "prometheus"): string {
  const wellFormed = text.toWellFormed();
  if (format === "openmetrics") return escapeLabelValue(wellFormed);
  return wellFormed.replace(/[\\\n]/g, (c) => (c === "\\" ? "\\\\" : "\\n"));
}

/**
 * A sample value: NaN, +Inf and -Inf as both formats spell them; otherwise JavaScript's shortest
 * round-trip form, which is a realnumber of the ABNF (integers without a decimal point, `1e-7`,
 * `1e+21`) and reads back as the same float64.
 */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Number.POSITIVE_INFINITY) return "+Inf";
  if (value === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(value);
}
