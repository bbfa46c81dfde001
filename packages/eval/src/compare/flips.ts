import type { CaseResult, FlippedCase } from "@llmops/core";
import { displayValue, excerpt } from "./excerpt.ts";
import type { MatchedCase } from "./match.ts";

/** A case passes when all its repeats pass (the runner's default pass rule). */
function passes(repeats: readonly CaseResult[]): boolean {
  return repeats.every((r) => r.pass);
}

function input(c: CaseResult): string {
  return c.prompt ?? displayValue(c.vars);
}

/** Matched cases whose pass/fail changed: pass -> fail first, then fail -> pass, each in case order. */
export function findFlips(matched: readonly MatchedCase[], maxLength: number): FlippedCase[] {
  const toFail: FlippedCase[] = [];
  const toPass: FlippedCase[] = [];
  for (const m of matched) {
    const before = passes(m.baseline);
    const after = passes(m.head);
    if (before === after) continue;
    const head = m.head[0] as CaseResult;
    const baseline = m.baseline[0] as CaseResult;
    const flip: FlippedCase = {
      id: m.id,
      direction: before ? "pass-to-fail" : "fail-to-pass",
      input: excerpt(input(head), maxLength),
      baselineOutput: baseline.output === null ? null : excerpt(baseline.output, maxLength),
      headOutput: head.output === null ? null : excerpt(head.output, maxLength),
    };
    if (head.expected !== undefined) flip.expected = excerpt(displayValue(head.expected), maxLength);
    (before ? toFail : toPass).push(flip);
  }
  return [...toFail, ...toPass];
}
