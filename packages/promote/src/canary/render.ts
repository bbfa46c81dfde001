import { type CanaryMetricResult, type CanaryState, formatNumber, formatSigned } from "@llmops/core";
import { stripControlChars } from "@llmops/report";
import { shortDigest } from "../environment.ts";
import type { CanaryResult } from "./result.ts";

/**
 * Plain text for terminals and job summaries. Strings that come from the store or from a metric
 * source (reasons, queries, router summaries) are stripped of control characters and kept on one
 * line, so a recorded reason cannot move the cursor or fake a line of its own.
 */

const clean = (text: string) => stripControlChars(text).replace(/\s*[\r\n\u2028\u2029]\s*/g, " ");
const label = (v: { digest: string; version?: string | undefined } | null) =>
  v ? `${v.version ? `${clean(v.version)} ` : ""}${clean(shortDigest(v.digest))}` : "(none)";

/** `0.012 [0.008, 0.019]`, or the bare value without an interval. */
function valueText(
  side: { n?: number | undefined; value: number; low?: number | undefined; high?: number | undefined } | null | undefined,
): string {
  if (!side) return "no data";
  const interval = side.low !== undefined && side.high !== undefined ? ` [${formatNumber(side.low)}, ${formatNumber(side.high)}]` : "";
  return `${formatNumber(side.value)}${interval}${side.n !== undefined ? ` n=${side.n}` : ""}`;
}

/** One line per metric: status, stable and canary values with their anytime-valid intervals, the difference. */
export function metricLines(metrics: CanaryMetricResult[]): string[] {
  return metrics.map((m) => {
    const j = m.judgement;
    const diff = j.difference
      ? `  diff ${formatSigned(j.difference.estimate)} [${formatSigned(j.difference.low)}, ${formatSigned(j.difference.high)}]`
      : "";
    const status = j.status.toUpperCase().padEnd(12);
    const error = m.error ? `  (${clean(m.error)})` : "";
    return `  ${status} ${clean(m.name)}${m.guardrail ? " (guardrail)" : ""}: stable ${valueText(j.control)}  canary ${valueText(j.treatment)}${diff}${error}`;
  });
}

/** What a canary command did, a few lines. */
export function describeCanary(result: CanaryResult): string {
  const lines = [clean(result.message)];
  lines.push(
    `  ${clean(result.environment)}: ${clean(result.name)}:${clean(result.alias)} stable ${label(result.stable)}, candidate ${label(result.candidate)}  (rollout ${clean(result.id)})`,
  );
  if (result.step !== undefined) {
    lines.push(`  step ${result.step + 1} of ${result.steps.length} [${result.steps.join(", ")}]: ${result.percent}% to the candidate`);
  }
  if (result.decision) lines.push(`  decision: ${result.decision}`);
  if (result.requests) lines.push(`  requests this step: stable ${result.requests.stable}, canary ${result.requests.canary}`);
  lines.push(...metricLines(result.metrics));
  for (const reason of result.reasons) lines.push(`  - ${clean(reason)}`);
  for (const check of result.requirements)
    lines.push(`  ${check.met ? "ok  " : "FAIL"} ${check.kind} ${clean(check.name)}: ${clean(check.detail)}`);
  for (const [i, step] of result.targets.entries()) {
    lines.push(
      `  target ${i + 1} ${step.type}: ${step.status}${step.summary ? ` - ${clean(step.summary)}` : ""}${step.error ? ` (${clean(step.error)})` : ""}`,
    );
  }
  if (result.router) lines.push(`  router: ${clean(result.router)}`);
  if (result.deployment) lines.push(`  deployment ${result.deployment.id}`);
  for (const n of result.notifications)
    lines.push(`  notified ${n.channel}: ${n.action}${n.target ? ` ${clean(n.target)}` : ""}${n.error ? ` (${clean(n.error)})` : ""}`);
  return `${lines.join("\n")}\n`;
}

/** `llmops status`'s lines about an environment's rollout. */
export function rolloutLines(state: CanaryState, candidateVersion?: string): string[] {
  const over = state.decision === "complete" || state.decision === "rollback" || state.decision === "abort";
  const lines = [
    `  canary ${label({ digest: state.candidate, version: candidateVersion })}: ${over ? `ended (${state.decision})` : `step ${state.step + 1} of ${state.steps.length}, ${state.percent}% of traffic`}, last decision ${state.decision}`,
  ];
  lines.push(...metricLines(state.metrics));
  for (const reason of state.reasons.slice(0, 5)) lines.push(`  - ${clean(reason)}`);
  return lines;
}
