import { formatNumber, formatSigned } from "@llmops/core";
import { codeSpan, escapeInline } from "@llmops/report";
import type { DriftResult, DriftTest, FeatureDrift } from "../drift/result.ts";
import type { EnvironmentMonitor, MonitorOutcome, MonitorResult, QualityResult } from "./result.ts";

/**
 * The monitor's words: plain text for terminals, Markdown for the alert issue and the job summary.
 * Names, values and errors come from the config, the store, production samples and the live
 * endpoint: in Markdown every one of them goes through escapeInline or codeSpan.
 */

const pText = (p: number | undefined) => (p === undefined ? "" : p < 1e-4 ? p.toExponential(1) : formatNumber(p));

/** A link only for an http(s) URL with nothing Markdown could misread; anything else is escaped text. */
export function markdownLink(text: string, url: string | undefined): string | undefined {
  if (!url) return undefined;
  return /^https?:\/\/[^\s()<>[\]"'`]+$/.test(url) ? `[${escapeInline(text)}](${url})` : escapeInline(url);
}

/** `production/sentiment: quality regression and input drift`, for the issue title. */
export function alertTitle(environment: string, outcome: MonitorOutcome): string {
  const parts: string[] = [];
  if (outcome.quality?.verdict === "regression") parts.push("quality regression");
  if (outcome.quality?.verdict === "error") parts.push("monitoring run incomplete");
  if (outcome.drift?.verdict === "drift") parts.push("input drift");
  return `llmops monitor: ${environment}/${outcome.key}: ${parts.join(" and ") || "alert"}`;
}

/** Why a monitor alerts, one line each (plain text: escaped where shown). */
export function alertReasons(outcome: MonitorOutcome): string[] {
  const reasons: string[] = [];
  const q = outcome.quality;
  if (q?.verdict === "regression") {
    for (const name of q.regressions) {
      const m = q.metrics.find((x) => x.name === name)!;
      reasons.push(
        `quality: ${name} ${formatNumber(m.baseline)} → ${formatNumber(m.head)} (${formatSigned(m.delta)}), significant regression, p = ${pText(m.pAdjusted)} after Holm`,
      );
    }
    for (const gate of q.failedGates) reasons.push(`quality: gate failed: ${gate}`);
  }
  if (q?.verdict === "error") reasons.push(`quality: ${q.reason ?? "the run did not complete"}`);
  for (const feature of outcome.drift?.features ?? [])
    for (const reason of feature.reasons) reasons.push(`drift in ${feature.field}: ${reason}`);
  return reasons;
}

function testCell(t: DriftTest | undefined): string {
  if (!t) return "";
  const mark = t.exceeded ? " ⚠" : "";
  if (t.test === "psi") return `${formatNumber(t.statistic)}${mark}`;
  if (t.test === "oov") return `${formatNumber(t.statistic * 100)}% (expected ${formatNumber((t.expected ?? 0) * 100)}%)${mark}`;
  return `${formatNumber(t.statistic)}, p = ${pText(t.pValue)}${mark}`;
}

const find = (f: FeatureDrift, test: DriftTest["test"], of: DriftTest["of"]) => f.tests.find((t) => t.test === test && t.of === of);

function qualityMarkdown(q: QualityResult): string[] {
  const lines = [`### Quality: suite ${codeSpan(q.suite)} — ${escapeInline(q.verdict)}`, ""];
  if (q.reason) lines.push(escapeInline(q.reason), "");
  if (q.baseline) {
    lines.push(
      `Compared with eval evidence ${codeSpan(q.baseline.evidence)} (${q.baseline.source === "promotion" ? "named by the promotion" : "the newest on the version"}, ${escapeInline(q.baseline.finishedAt)}), ${q.matched} cases paired.`,
      "",
    );
  }
  if (q.metrics.length > 0) {
    lines.push("| metric | promoted | live | delta | p (Holm) | verdict |", "| --- | ---: | ---: | ---: | ---: | --- |");
    for (const m of q.metrics) {
      const name = `${escapeInline(m.name)}${m.watched ? "" : " (not watched)"}`;
      lines.push(
        `| ${name} | ${formatNumber(m.baseline)} | ${formatNumber(m.head)} | ${formatSigned(m.delta)} | ${pText(m.pAdjusted)} | ${escapeInline(m.verdict)} |`,
      );
    }
    lines.push("");
  }
  for (const gate of q.failedGates) lines.push(`- Gate failed: ${escapeInline(gate)}`);
  if (q.errors > 0) lines.push(`- ${q.errors} case errors${q.firstError ? `; first: ${codeSpan(q.firstError)}` : ""}`);
  if (q.failedGates.length > 0 || q.errors > 0) lines.push("");
  return lines;
}

function driftMarkdown(d: DriftResult): string[] {
  const source = (s: DriftResult["sample"]) =>
    `${codeSpan(s.source)} (${s.records} records${s.skipped ? `, ${s.skipped} skipped` : ""}${s.truncated ? ", truncated" : ""})`;
  const lines = [
    `### Data drift — ${escapeInline(d.verdict)}`,
    "",
    `Sample ${source(d.sample)} against reference ${source(d.reference)}.`,
    "",
    "| feature | type | PSI | KS / chi-square | OOV | languages | verdict |",
    "| --- | --- | ---: | --- | --- | --- | --- |",
  ];
  for (const f of d.features) {
    const aspect = f.type === "text" ? "length" : f.type === "categorical" ? "category" : "value";
    const test = f.type === "categorical" ? find(f, "chi-square", "category") : find(f, "ks", aspect);
    const languages = f.type === "text" ? testCell(find(f, "chi-square", "language")) : "";
    lines.push(
      `| ${codeSpan(f.field, { inTable: true })} | ${f.type}${f.type === "text" ? " (length)" : ""} | ${testCell(find(f, "psi", aspect))} | ${testCell(test)} | ${testCell(find(f, "oov", "vocabulary"))} | ${languages} | ${f.verdict} |`,
    );
  }
  lines.push("");
  for (const f of d.features) {
    for (const reason of f.reasons) lines.push(`- ${codeSpan(f.field)}: ${escapeInline(reason)}`);
    if (f.verdict === "drift" && f.shares && f.shares.length > 0) {
      const shares = f.shares
        .slice(0, 5)
        .map((s) => `${codeSpan(s.value)} ${formatNumber(s.reference * 100)}% → ${formatNumber(s.sample * 100)}%`)
        .join(", ");
      lines.push(`  - shares: ${shares}`);
    }
    for (const note of f.notes ?? []) lines.push(`- ${codeSpan(f.field)}: ${escapeInline(note)}`);
  }
  lines.push("");
  return lines;
}

/** The Markdown of one monitor: the issue body, and its part of the job summary. */
export function monitorMarkdown(environment: EnvironmentMonitor, outcome: MonitorOutcome, runUrl?: string): string {
  const serving = environment.serving
    ? `${escapeInline(environment.artifact ?? "")} ${environment.serving.version ? `${escapeInline(environment.serving.version)} ` : ""}${codeSpan(environment.serving.digest)}`
    : "nothing";
  const lines = [`**${escapeInline(alertTitle(environment.environment, outcome).replace(/^llmops monitor: /, ""))}**`, ""];
  lines.push(`- Environment: ${escapeInline(environment.environment)}${environment.url ? ` (${escapeInline(environment.url)})` : ""}`);
  lines.push(`- Serving: ${serving}`);
  lines.push(`- Monitor: ${codeSpan(outcome.key)}`);
  const run = markdownLink("workflow run", runUrl);
  if (run) lines.push(`- Run: ${run}`);
  lines.push("");
  const reasons = outcome.alert.reasons;
  if (reasons.length > 0) {
    lines.push("### Why", "");
    for (const reason of reasons) lines.push(`- ${escapeInline(reason)}`);
    lines.push("");
  }
  if (outcome.quality) lines.push(...qualityMarkdown(outcome.quality));
  if (outcome.drift) lines.push(...driftMarkdown(outcome.drift));
  return lines.join("\n");
}

/** Every environment's monitors in Markdown: the job summary. */
export function monitorSummaryMarkdown(result: MonitorResult): string {
  const lines = ["## llmops monitor", ""];
  if (result.environments.length === 0) lines.push("No environment has a `monitor:` section.", "");
  for (const env of result.environments) {
    for (const outcome of env.monitors) {
      lines.push(`<details${outcome.alert.status === "alerting" ? " open" : ""}>`);
      lines.push(`<summary>${escapeInline(`${env.environment}/${outcome.key}`)}: ${outcome.alert.status}</summary>`, "");
      lines.push(monitorMarkdown(env, outcome, result.runUrl), "</details>", "");
    }
  }
  return lines.join("\n");
}

/** Plain text for terminals (`llmops monitor` without --json). */
export function describeMonitor(result: MonitorResult): string {
  const lines: string[] = [];
  if (result.environments.length === 0) lines.push("no environment has a monitor: section");
  for (const env of result.environments) {
    const serving = env.serving ? `${env.artifact ?? ""} ${env.serving.version ?? env.serving.digest.slice(0, 19)}` : "nothing";
    lines.push(`${env.environment}: serving ${serving}`);
    for (const outcome of env.monitors) {
      lines.push(`  ${outcome.key}: ${outcome.alert.status}`);
      const q = outcome.quality;
      if (q) {
        lines.push(`    quality (suite ${q.suite}): ${q.verdict}${q.reason ? ` — ${q.reason}` : ""}`);
        for (const m of q.metrics.filter((x) => x.watched)) {
          lines.push(
            `      ${m.name}: ${formatNumber(m.baseline)} → ${formatNumber(m.head)} (${formatSigned(m.delta)}, p = ${pText(m.pAdjusted)}) ${m.verdict}`,
          );
        }
        for (const gate of q.failedGates) lines.push(`      gate failed: ${gate}`);
      }
      const d = outcome.drift;
      if (d) {
        lines.push(`    drift (${d.sample.records} sample vs ${d.reference.records} reference records): ${d.verdict}`);
        for (const f of d.features) {
          lines.push(`      ${f.field} (${f.type}): ${f.verdict}${f.psi !== undefined ? `, PSI ${formatNumber(f.psi)}` : ""}`);
          for (const reason of f.reasons) lines.push(`        ${reason}`);
        }
      }
      for (const n of outcome.alert.notifications)
        lines.push(`    ${n.channel}: ${n.action}${n.target ? ` ${n.target}` : ""}${n.error ? ` (${n.error})` : ""}`);
    }
  }
  return `${lines.join("\n")}\n`;
}
