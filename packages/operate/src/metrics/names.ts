import { MetricsError } from "./errors.ts";

/**
 * The names of the exposition, by the ABNF of OpenMetrics 1.0 ("Text format"), narrowed where the
 * spec reserves: a leading underscore (metric and label names) and colons (metric names, kept for
 * the results of aggregation by a monitoring system) are refused, so no name we write can mean
 * something the spec or Prometheus gives a meaning to.
 */

const METRIC_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
const LABEL_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
const UNIT = /^[a-z][a-z0-9_]*$/;
/** Long enough for any name we define, short enough that a flag cannot smuggle a page into every series. */
const MAX_NAME_LENGTH = 128;

/**
 * Suffixes the text format appends to sample names (counter `_total`/`_created`, summary and
 * histogram `_count`/`_sum`/`_bucket`, gauge histogram `_gcount`/`_gsum`, info `_info`). A family
 * named with one could clash with another family's samples ("Suffixes"), and readers confuse them,
 * so no family name ends with one; with unique family names that rules out every clash.
 */
export const RESERVED_SUFFIXES = ["_total", "_created", "_count", "_sum", "_bucket", "_gcount", "_gsum", "_info"] as const;

export function checkMetricName(name: string): void {
  if (name.length > MAX_NAME_LENGTH || !METRIC_NAME.test(name))
    throw new MetricsError(
      `metric name ${JSON.stringify(name.slice(0, MAX_NAME_LENGTH))}: expected a letter, then letters, digits and _ (at most ${MAX_NAME_LENGTH})`,
    );
  const suffix = RESERVED_SUFFIXES.find((s) => name.endsWith(s));
  if (suffix) throw new MetricsError(`metric name ${name}: ends with ${suffix}, a suffix the text format gives sample names`);
}

/** `what` names the label in the message: "label name", "--grouping label". */
export function checkLabelName(name: string, what = "label name"): void {
  if (name.length > MAX_NAME_LENGTH || !LABEL_NAME.test(name))
    throw new MetricsError(
      `${what} ${JSON.stringify(name.slice(0, MAX_NAME_LENGTH))}: expected a letter, then letters, digits and _ (a leading _ is reserved)`,
    );
}

/** A unit must be the last part of its family's name, after an underscore ("Unit"). */
export function checkUnit(family: string, unit: string): void {
  if (!UNIT.test(unit)) throw new MetricsError(`unit ${JSON.stringify(unit)} of ${family}: expected lowercase letters, digits and _`);
  if (!family.endsWith(`_${unit}`)) throw new MetricsError(`unit ${unit} of ${family}: the family name must end with _${unit}`);
}
