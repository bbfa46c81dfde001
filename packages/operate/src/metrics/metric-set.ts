import { MetricsError } from "./errors.ts";
import { boundLabelValue } from "./escape.ts";
import { checkLabelName, checkMetricName, checkUnit } from "./names.ts";

/**
 * The model the converters fill and the renderers write: metric families (name, type, unit,
 * help, the label names of their series) and their samples. It enforces what OpenMetrics 1.0
 * requires of a MetricSet, whatever the inputs: unique family names, no sample-name clashes
 * (names.ts), one label set per series, counters that are not NaN or negative, info values of 1.
 */

/** The types we write. Everything we export is a snapshot (gauge) or metadata (info); counter is for counts kept over time. */
export type MetricType = "gauge" | "counter" | "info";

export interface MetricFamily {
  readonly name: string;
  readonly type: MetricType;
  readonly help: string;
  /** A unit the name ends with (`seconds`), written as `# UNIT` in OpenMetrics. */
  readonly unit?: string;
  /** The label names its series may carry, in the order they are written. */
  readonly labels: readonly string[];
}

/** A label with an undefined, null or empty value is left out: OpenMetrics treats an empty value as absent. */
export type LabelValues = Readonly<Record<string, string | null | undefined>>;

export interface MetricSample {
  readonly family: MetricFamily;
  readonly labels: LabelValues;
  /** Info samples are always 1. */
  readonly value: number;
}

/** A series as written: its labels (bounded, present ones only, in the family's order) and its value. */
export interface Series {
  readonly labels: readonly (readonly [name: string, value: string])[];
  readonly value: number;
}

export interface FamilySeries {
  readonly family: MetricFamily;
  readonly series: readonly Series[];
}

/** Checks a family's names once, where it is defined, so a bad definition fails at import, not mid-export. */
export function defineFamily<const F extends MetricFamily>(family: F): F {
  checkMetricName(family.name);
  // The spec says SHOULD; promtool's lint says "no help text": every family of ours explains itself.
  if (family.help.trim() === "") throw new MetricsError(`${family.name}: HELP is empty; say what the family measures`);
  if (family.unit !== undefined) {
    if (family.type === "info") throw new MetricsError(`${family.name}: an info family has no unit`);
    checkUnit(family.name, family.unit);
  }
  const seen = new Set<string>();
  for (const label of family.labels) {
    checkLabelName(label);
    if (seen.has(label)) throw new MetricsError(`${family.name}: label ${label} listed twice`);
    seen.add(label);
  }
  return family;
}

function sameDefinition(a: MetricFamily, b: MetricFamily): boolean {
  return (
    a.type === b.type &&
    a.help === b.help &&
    a.unit === b.unit &&
    a.labels.length === b.labels.length &&
    a.labels.every((l, i) => l === b.labels[i])
  );
}

interface Entry {
  family: MetricFamily;
  series: Series[];
  /** Series key → where it came from (for the duplicate message). */
  sources: Map<string, string | undefined>;
}

export class MetricSet {
  readonly #families = new Map<string, Entry>();
  #samples = 0;

  /** Adds one series; `source` (a file name) is named when another source gives the same series. */
  add(sample: MetricSample, source?: string): void {
    const { family, value } = sample;
    let entry = this.#families.get(family.name);
    if (!entry) {
      defineFamily(family);
      entry = { family, series: [], sources: new Map() };
      this.#families.set(family.name, entry);
    } else if (entry.family !== family && !sameDefinition(entry.family, family)) {
      throw new MetricsError(`metric family ${family.name} is defined twice, differently`);
    }
    const unknown = Object.keys(sample.labels).find((name) => !family.labels.includes(name));
    if (unknown !== undefined)
      throw new MetricsError(`${family.name}: label ${unknown} is not one of its labels (${family.labels.join(", ")})`);
    if (family.type === "info" && value !== 1) throw new MetricsError(`${family.name}: an info sample's value is 1, got ${value}`);
    if (family.type === "counter" && !(value >= 0)) throw new MetricsError(`${family.name}: a counter is a number ≥ 0, got ${value}`);

    const labels: [string, string][] = [];
    for (const name of family.labels) {
      const raw = sample.labels[name];
      if (raw === undefined || raw === null || raw === "") continue;
      labels.push([name, boundLabelValue(raw)]);
    }
    const key = JSON.stringify(labels);
    if (entry.sources.has(key)) {
      const first = entry.sources.get(key);
      const where = [first, source].filter((s) => s !== undefined);
      const from = where.length > 0 ? ` (from ${where.join(" and ")})` : "";
      throw new MetricsError(`series ${describeSeries(family.name, labels)} is given twice${from}: each series once per export`);
    }
    entry.sources.set(key, source);
    entry.series.push({ labels, value });
    this.#samples++;
  }

  addAll(samples: Iterable<MetricSample>, source?: string): void {
    for (const sample of samples) this.add(sample, source);
  }

  /** Families in the order their first series was added, each with its series in order. */
  families(): FamilySeries[] {
    return [...this.#families.values()].map(({ family, series }) => ({ family, series }));
  }

  /** How many series were added. */
  get size(): number {
    return this.#samples;
  }
}

/** `name{a="x",b="y"}` for a message; values JSON-quoted so a hostile one stays on one line. */
function describeSeries(name: string, labels: readonly (readonly [string, string])[]): string {
  const text = labels.map(([label, value]) => `${label}=${JSON.stringify(value.slice(0, 80))}`).join(",");
  return `${name}{${text}}`;
}
