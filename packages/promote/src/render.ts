import { formatNumber } from "@llmops/core";
import { stripControlChars } from "@llmops/report";
import { rolloutLines } from "./canary/render.ts";
import { shortDigest } from "./environment.ts";
import type { PromotionResult, StatusResult } from "./result.ts";

/**
 * Plain text for terminals and job summaries (no Markdown). Every string from the store (or from
 * a result built from it) passes through clean(): control characters stripped and one line, so a
 * recorded reason or timestamp cannot move the cursor or reorder what people read.
 */

const clean = (text: string) => stripControlChars(text).replace(/\s*[\r\n\u2028\u2029]\s*/g, " ");
const version = (digest: string | null, tag?: string) =>
  digest ? `${tag ? `${clean(tag)} ` : ""}${clean(shortDigest(digest))}` : "(none)";

/** What a promote or rollback did, a few lines. */
export function describePromotion(result: PromotionResult): string {
  const lines = [clean(result.message)];
  const head = `${clean(result.name)}:${clean(result.alias)}`;
  // A dry run changes nothing, so what it would do is from -> the version, not from -> serving.
  const to = result.dryRun ? version(result.digest, result.version) : version(result.serving);
  lines.push(
    `  ${clean(result.environment)}: ${head} ${version(result.from)} -> ${to}${result.dryRun ? " (dry run)" : ""}  (promotion ${clean(result.id)})`,
  );
  for (const check of result.requirements)
    lines.push(`  ${check.met ? "ok  " : "FAIL"} ${check.kind} ${clean(check.name)}: ${clean(check.detail)}`);
  for (const [i, step] of result.targets.entries()) {
    lines.push(
      `  target ${i + 1} ${step.type}: ${step.status}${step.summary ? ` - ${clean(step.summary)}` : ""}${step.error ? ` (${clean(step.error)})` : ""}`,
    );
  }
  if (result.deployment) lines.push(`  deployment ${result.deployment.id}`);
  if (result.approvers.length > 0)
    lines.push(`  approvers: ${result.approvers.map((a) => `${clean(a.login)} (${clean(a.state)})`).join(", ")}`);
  if (result.smoke) {
    const metrics = Object.entries(result.smoke.metrics)
      .map(([name, value]) => `${clean(name)}=${formatNumber(value)}`)
      .join(" ");
    lines.push(
      `  smoke ${clean(result.smoke.suite)}: ${result.smoke.passed ? "passed" : "failed"}${result.smoke.error ? ` (${clean(result.smoke.error)})` : ""}${metrics ? `  ${metrics}` : ""}`,
    );
  }
  for (const n of result.notifications)
    lines.push(`  notified ${n.channel}: ${n.action}${n.target ? ` ${clean(n.target)}` : ""}${n.error ? ` (${clean(n.error)})` : ""}`);
  if (result.interrupted) lines.push("  interrupted: what was applied was undone");
  return `${lines.join("\n")}\n`;
}

/** `llmops status`: one block per environment. */
export function renderStatus(result: StatusResult): string {
  const blocks = result.environments.map((e) => {
    const head = `${clean(e.environment)}  ${clean(e.name ?? "?")}:${clean(e.alias)}`;
    if (e.error) return `${head}  error: ${clean(e.error)}`;
    const lines = [e.digest ? `${head} -> ${version(e.digest, e.version)}` : `${head}  (nothing promoted yet)`];
    if (e.undone) lines.push("  nothing serves it: its targets were undone after its first promotion failed (a tag cannot be deleted)");
    if (e.since) lines.push(`  since ${clean(e.since)}${e.actor ? ` by ${clean(e.actor)}` : ""}`);
    if (e.runUrl) lines.push(`  run ${clean(e.runUrl)}`);
    if (e.url) lines.push(`  url ${clean(e.url)}`);
    if (e.approvers.length > 0) lines.push(`  approved by ${e.approvers.map((a) => clean(a.login)).join(", ")}`);
    for (const ev of e.evidence) {
      lines.push(
        `  evidence ${clean(ev.suite)}: ${ev.passed ? "passed" : "failed"} ${clean(ev.finishedAt).slice(0, 10)}${ev.ref ? ` ${clean(ev.ref)}` : ""} (${clean(shortDigest(ev.digest))})`,
      );
    }
    if (e.lastEvent) {
      const about = e.lastEvent.subject ? ` of ${version(e.lastEvent.subject, e.lastEvent.subjectVersion)}` : "";
      lines.push(
        `  last event ${e.lastEvent.event}${about} at ${clean(e.lastEvent.at)}${e.lastEvent.reason ? `: ${clean(e.lastEvent.reason)}` : ""}`,
      );
    }
    if (e.digest) lines.push(`  previous ${version(e.previous, e.previousVersion)}`);
    if (e.rollout) lines.push(...rolloutLines(e.rollout.state, e.rollout.version));
    return lines.join("\n");
  });
  return blocks.length > 0 ? `${blocks.join("\n\n")}\n` : "no environments in llmops.yaml\n";
}
