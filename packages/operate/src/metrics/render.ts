import { escapeHelp, escapeLabelValue, formatValue } from "./escape.ts";
import type { FamilySeries, MetricSet, MetricType } from "./metric-set.ts";

/**
 * The two text formats of one MetricSet:
 * - `openmetrics`: OpenMetrics 1.0 text (`# TYPE`, `# UNIT`, `# HELP`, counters as `<name>_total`,
 *   info as `<name>_info`, ending with `# EOF`), for files and scrapers;
 * - `prometheus`: the Prometheus text format 0.0.4, for the Pushgateway, which parses nothing else
 *   as text (it answers OpenMetrics with `unknown metric type "info"`). It has no info type and no
 *   UNIT: an info family is a gauge named `<name>_info`, a counter is typed under its `_total`
 *   name, and the unit lives on in the name.
 * No sample carries a timestamp: the Pushgateway refuses them, and a scraper's own time is right.
 */

export type ExpositionFormat = "openmetrics" | "prometheus";
export const EXPOSITION_FORMATS: readonly ExpositionFormat[] = ["openmetrics", "prometheus"];

export const CONTENT_TYPES: Readonly<Record<ExpositionFormat, string>> = {
  openmetrics: "application/openmetrics-text; version=1.0.0; charset=utf-8",
  prometheus: "text/plain; version=0.0.4; charset=utf-8",
};

/** The name each series of a family is written under. */
export function sampleName(name: string, type: MetricType): string {
  return type === "counter" ? `${name}_total` : type === "info" ? `${name}_info` : name;
}

export function renderExposition(set: MetricSet, format: ExpositionFormat): string {
  const lines: string[] = [];
  for (const family of set.families()) {
    if (format === "openmetrics") writeOpenMetricsFamily(family, lines);
    else writePrometheusFamily(family, lines);
  }
  if (format === "openmetrics") lines.push("# EOF");
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}

function writeOpenMetricsFamily({ family, series }: FamilySeries, lines: string[]): void {
  // The spec's order: TYPE, UNIT, HELP.
  lines.push(`# TYPE ${family.name} ${family.type}`);
  if (family.unit) lines.push(`# UNIT ${family.name} ${family.unit}`);
  if (family.help) lines.push(`# HELP ${family.name} ${escapeHelp(family.help, "openmetrics")}`);
  writeSeries(sampleName(family.name, family.type), series, lines);
}

function writePrometheusFamily({ family, series }: FamilySeries, lines: string[]): void {
  const name = sampleName(family.name, family.type);
  if (family.help) lines.push(`# HELP ${name} ${escapeHelp(family.help, "prometheus")}`);
  lines.push(`# TYPE ${name} ${family.type === "info" ? "gauge" : family.type}`);
  writeSeries(name, series, lines);
}

function writeSeries(name: string, series: FamilySeries["series"], lines: string[]): void {
  for (const { labels, value } of series) {
    const text = labels.length === 0 ? "" : `{${labels.map(([label, v]) => `${label}="${escapeLabelValue(v)}"`).join(",")}}`;
    lines.push(`${name}${text} ${formatValue(value)}`);
  }
}
