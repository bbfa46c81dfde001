import { formatNumber } from "@llmops/core";
import { codeSpan, escapeInline, mermaidLabel, stripControlChars } from "@llmops/report";
import type { CaseLocation, CheckEntry, CheckResult, LengthStats } from "./result.ts";

/**
 * People's views of a check result: Markdown (a job summary, a PR comment, a demo report) with a
 * table per finding kind and Mermaid charts of the distributions, and plain text for the CLI.
 * Every string from a dataset was redacted and bounded when the result was made; here it is
 * escaped for where it goes (escapeInline/codeSpan in Markdown, control characters out in text).
 */

/** Findings listed per check in the Markdown and the text (the result holds up to maxListed). */
const SHOWN = 20;

function where(location: CaseLocation): string {
  return `${location.file}:${location.line}${location.id ? ` (${location.id})` : ""}`;
}

function bucketLabel(bucket: { from: number; to: number }): string {
  return bucket.from === bucket.to ? String(bucket.from) : `${bucket.from}-${bucket.to}`;
}

function verdict(check: CheckEntry): string {
  if (check.severity === "warn") return check.findings > 0 ? "⚠️ warn" : "✅";
  return check.passed ? "✅" : "❌";
}

function kindsText(kinds: Record<string, number>): string {
  return Object.entries(kinds)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k} ${formatNumber(n)}`)
    .join(", ");
}

/** Markdown for one check's findings: a table of the first SHOWN, and how many more there are. */
function findingsMarkdown(check: CheckEntry): string[] {
  const more = (listed: number) => (check.findings > listed ? [``, `… and ${formatNumber(check.findings - listed)} more`] : []);
  switch (check.name) {
    case "schema":
    case "required":
    case "labels": {
      if (check.violations.length === 0) return [];
      const rows = check.violations
        .slice(0, SHOWN)
        .map(
          (v) =>
            `| ${codeSpan(where(v), { inTable: true })} | ${escapeInline(v.kind)} | ${escapeInline(v.field ?? "")} | ${escapeInline(v.message)} |`,
        );
      return ["| case | kind | field | problem |", "| --- | --- | --- | --- |", ...rows, ...more(rows.length)];
    }
    case "duplicates": {
      if (check.pairs.length === 0) return [];
      const rows = check.pairs
        .slice(0, SHOWN)
        .map(
          (p) =>
            `| ${codeSpan(where(p.second), { inTable: true })} | ${codeSpan(where(p.first), { inTable: true })} | ${p.exact ? "exact" : formatNumber(p.similarity)} |`,
        );
      return ["| case | repeats | similarity |", "| --- | --- | --- |", ...rows, ...more(rows.length)];
    }
    case "contamination": {
      const lines: string[] = [];
      for (const a of check.against) {
        lines.push(
          "",
          `**${escapeInline(a.ref)}**: ${formatNumber(a.contaminated)} of this version's cases overlap (${formatNumber(a.ngramCases)} share a ${a.ngram}-gram, ${formatNumber(a.nearCases)} near duplicates), against ${formatNumber(a.cases)} cases`,
        );
        if (a.findings.length === 0) continue;
        lines.push("", "| case | found in | how |", "| --- | --- | --- |");
        for (const f of a.findings.slice(0, SHOWN)) {
          const how =
            f.kind === "ngram"
              ? `${formatNumber(f.overlap ?? 0)} of ${formatNumber(f.ngrams ?? 0)} ${a.ngram}-grams`
              : `near duplicate (${formatNumber(f.similarity ?? 0)})`;
          lines.push(`| ${codeSpan(where(f.case), { inTable: true })} | ${codeSpan(where(f.against), { inTable: true })} | ${how} |`);
        }
        if (a.contaminated > Math.min(a.findings.length, SHOWN))
          lines.push("", `… and ${formatNumber(a.contaminated - Math.min(a.findings.length, SHOWN))} more`);
      }
      return lines;
    }
    case "pii": {
      const lines: string[] = [];
      if (check.locations.length > 0) {
        lines.push("| case | field | kind | masked |", "| --- | --- | --- | --- |");
        for (const f of check.locations.slice(0, SHOWN)) {
          lines.push(
            `| ${codeSpan(where(f), { inTable: true })} | ${escapeInline(f.field ?? "")} | ${f.kind} | ${codeSpan(f.masked, { inTable: true })} |`,
          );
        }
        lines.push(...more(Math.min(check.locations.length, SHOWN)));
      }
      if (check.redacted) {
        lines.push(
          "",
          `Redacted copy: ${codeSpan(check.redacted.path)} (${formatNumber(check.redacted.files)} files${check.redacted.droppedLines ? `, ${formatNumber(check.redacted.droppedLines)} lines left blank` : ""})`,
        );
      }
      return lines;
    }
  }
}

function lengthChart(title: string, stats: LengthStats): string[] {
  if (stats.count === 0) return [];
  const buckets = stats.histogram;
  return [
    "```mermaid",
    "xychart-beta",
    `    title "${mermaidLabel(title, 40)}"`,
    `    x-axis [${buckets.map((b) => `"${bucketLabel(b)}"`).join(", ")}]`,
    `    y-axis "cases"`,
    `    bar [${buckets.map((b) => b.count).join(", ")}]`,
    "```",
  ];
}

/** The check as Markdown: a summary table, findings per check, and the distributions as tables and Mermaid charts. */
export function renderCheckMarkdown(result: CheckResult): string {
  const lines: string[] = [];
  const name = result.dataset.digest ? `${result.dataset.ref} (${result.dataset.digest.slice(0, 19)}…)` : result.dataset.ref;
  lines.push(`### Dataset check: ${escapeInline(name)} ${result.passed ? "✅ passed" : "❌ failed"}`, "");
  lines.push(
    `${formatNumber(result.cases)} cases in ${formatNumber(result.rows)} rows of ${formatNumber(result.files.length)} file${result.files.length === 1 ? "" : "s"}`,
    "",
  );
  if (result.checks.length > 0) {
    lines.push("| check | findings | max | severity | |", "| --- | --- | --- | --- | --- |");
    for (const check of result.checks) {
      const kinds = kindsText(check.kinds);
      lines.push(
        `| ${check.name} | ${formatNumber(check.findings)}${kinds ? ` (${escapeInline(kinds)})` : ""} | ${check.max} | ${check.severity} | ${verdict(check)} |`,
      );
    }
  }
  for (const check of result.checks) {
    const body = findingsMarkdown(check);
    if (body.length === 0) continue;
    lines.push(
      "",
      `<details${check.passed && check.findings === 0 ? "" : " open"}><summary>${check.name}</summary>`,
      "",
      ...body,
      "",
      "</details>",
    );
  }

  const { words, chars, label } = result.distributions;
  lines.push("", "#### Lengths", "", "| | min | p50 | p90 | p99 | max | mean |", "| --- | --- | --- | --- | --- | --- | --- |");
  for (const [what, s] of [
    ["words", words],
    ["characters", chars],
  ] as const) {
    lines.push(`| ${what} | ${s.min} | ${s.p50} | ${s.p90} | ${s.p99} | ${s.max} | ${formatNumber(s.mean)} |`);
  }
  lines.push("", ...lengthChart("Words per case", words));
  if (label && label.values.length > 0) {
    const total = label.values.reduce((sum, v) => sum + v.count, 0) + label.other + label.missing;
    lines.push("", `#### Labels (${escapeInline(label.field)})`, "", "| label | cases | share |", "| --- | --- | --- |");
    const share = (n: number) => `${formatNumber((100 * n) / Math.max(1, total))}%`;
    for (const v of label.values.slice(0, SHOWN)) lines.push(`| ${escapeInline(v.value)} | ${formatNumber(v.count)} | ${share(v.count)} |`);
    const rest = label.values.slice(SHOWN).reduce((sum, v) => sum + v.count, 0) + label.other;
    if (rest > 0) lines.push(`| (other) | ${formatNumber(rest)} | ${share(rest)} |`);
    if (label.missing > 0) lines.push(`| (none) | ${formatNumber(label.missing)} | ${share(label.missing)} |`);
    lines.push("", "```mermaid", `pie title ${mermaidLabel(`Labels: ${label.field}`, 40)}`);
    for (const v of label.values.slice(0, 12)) lines.push(`    "${mermaidLabel(v.value, 30)}" : ${v.count}`);
    const others = label.values.slice(12).reduce((sum, v) => sum + v.count, 0) + label.other;
    if (others > 0) lines.push(`    "other" : ${others}`);
    lines.push("```");
  }
  return `${lines.join("\n")}\n`;
}

/** Text from the result for a terminal: no control characters, one line each. */
function plain(text: string): string {
  return stripControlChars(text).replace(/[\r\n\u2028\u2029]+/g, " ");
}

/** The CLI's human report: the verdict, one line per check, the first findings of each. */
export function describeCheckResult(result: CheckResult, shown = 5): string {
  const lines: string[] = [];
  const digest = result.dataset.digest ? ` ${result.dataset.digest}` : "";
  lines.push(`${plain(result.dataset.ref)}${digest}: ${result.passed ? "passed" : "FAILED"}`);
  lines.push(
    `  ${result.cases} cases in ${result.rows} rows of ${result.files.length} file${result.files.length === 1 ? "" : "s"}${result.skippedFiles.length ? ` (${result.skippedFiles.length} other files skipped)` : ""}`,
  );
  for (const check of result.checks) {
    const mark = check.severity === "off" ? "off" : check.passed ? (check.findings > 0 ? "warn" : "ok") : "FAIL";
    const kinds = kindsText(check.kinds);
    lines.push(
      `  ${check.name.padEnd(13)} ${mark.padEnd(4)}  ${check.findings} found (max ${check.max}, ${check.severity})${kinds ? `: ${kinds}` : ""}`,
    );
    const details: string[] = [];
    switch (check.name) {
      case "schema":
      case "required":
      case "labels":
        for (const v of check.violations) details.push(`${where(v)}: ${v.kind}${v.field ? ` ${v.field}` : ""}: ${v.message}`);
        break;
      case "duplicates":
        for (const p of check.pairs)
          details.push(
            `${where(p.second)} repeats ${where(p.first)}${p.exact ? " (exact)" : ` (similarity ${formatNumber(p.similarity)})`}`,
          );
        break;
      case "contamination":
        for (const a of check.against) {
          details.push(
            `against ${a.ref}: ${a.contaminated} cases (${a.ngramCases} share a ${a.ngram}-gram, ${a.nearCases} near duplicates)`,
          );
          for (const f of a.findings.slice(0, shown)) {
            details.push(
              `  ${where(f.case)} ~ ${where(f.against)}: ${f.kind === "ngram" ? `${f.overlap} of ${f.ngrams} ${a.ngram}-grams` : `near duplicate (${formatNumber(f.similarity ?? 0)})`}`,
            );
          }
        }
        break;
      case "pii":
        for (const f of check.locations) details.push(`${where(f)} ${f.field ?? ""}: ${f.kind} ${f.masked}`);
        if (check.redacted)
          details.push(
            `redacted copy: ${check.redacted.path} (${check.redacted.files} files, ${check.redacted.droppedLines} lines left blank)`,
          );
        break;
    }
    const limit = check.name === "contamination" ? details.length : shown;
    for (const detail of details.slice(0, limit)) lines.push(`      ${plain(detail)}`);
    if (details.length > limit) lines.push(`      … ${details.length - limit} more listed in --json`);
  }
  const { words, label } = result.distributions;
  if (words.count > 0) lines.push(`  words per case: min ${words.min}, p50 ${words.p50}, p90 ${words.p90}, max ${words.max}`);
  if (label && label.values.length > 0) {
    lines.push(
      `  labels (${plain(label.field)}): ${label.values
        .slice(0, 10)
        .map((v) => `${plain(v.value)} ${v.count}`)
        .join(", ")}${label.missing ? `, none ${label.missing}` : ""}`,
    );
  }
  for (const reason of result.reasons) lines.push(`  ${plain(reason)}`);
  return lines.join("\n");
}
