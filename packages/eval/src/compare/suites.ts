import { CALL_METRICS, type CaseResult, InputError, type RunSummary } from "@llmops/core";

/**
 * Metrics the runner reports only when some case recorded them (no pricing → no `cost`): one side
 * lacking them is a difference in the data, not in the suite, so they are compared when both
 * sides have them and otherwise left out with a notice.
 */
export const DATA_DEPENDENT_METRICS: ReadonlySet<string> = new Set(CALL_METRICS);

function scorerTypes(cases: readonly CaseResult[]): Map<string, string> {
  const types = new Map<string, string>();
  for (const c of cases) for (const s of c.scores) if (!types.has(s.name)) types.set(s.name, s.type);
  return types;
}

/**
 * Refuses to compare runs that measure different things. Two runs "match" when they have the same
 * suite name and the same metric definitions: the same metric names (latency, cost, tokens and the
 * streaming metrics may be missing on one side), each with the same kind and direction, and each scorer name bound to
 * the same scorer type. Everything else that changes the
 * suite digest (provider, model, prompt, parameters, cases) is exactly what a comparison is for,
 * so it is allowed; case differences are listed as added/removed/changed.
 */
export function assertSuitesMatch(
  head: { summary: RunSummary; cases: readonly CaseResult[] },
  baseline: { summary: RunSummary; cases: readonly CaseResult[] },
): void {
  const headName = head.summary.suite;
  const baselineName = baseline.summary.suite;
  if (headName !== baselineName) {
    throw new InputError(`suites do not match: head is suite "${headName}" but the baseline is suite "${baselineName}"`);
  }
  const differences: string[] = [];
  const headMetrics = new Map(head.summary.metrics.map((m) => [m.name, m]));
  const baselineMetrics = new Map(baseline.summary.metrics.map((m) => [m.name, m]));
  for (const [name, m] of headMetrics) {
    const other = baselineMetrics.get(name);
    if (!other) {
      if (!DATA_DEPENDENT_METRICS.has(name)) differences.push(`metric "${name}" is only in head`);
    } else if (other.kind !== m.kind) differences.push(`metric "${name}" is ${m.kind} in head but ${other.kind} in the baseline`);
    else if (other.higherIsBetter !== m.higherIsBetter)
      differences.push(`metric "${name}" changed direction (higherIsBetter ${other.higherIsBetter} -> ${m.higherIsBetter})`);
  }
  for (const name of baselineMetrics.keys()) {
    if (!headMetrics.has(name) && !DATA_DEPENDENT_METRICS.has(name)) differences.push(`metric "${name}" is only in the baseline`);
  }
  const headTypes = scorerTypes(head.cases);
  for (const [name, type] of scorerTypes(baseline.cases)) {
    const headType = headTypes.get(name);
    if (headType !== undefined && headType !== type)
      differences.push(`scorer "${name}" is ${headType} in head but ${type} in the baseline`);
  }
  if (differences.length > 0) {
    const digests =
      head.summary.suiteDigest === baseline.summary.suiteDigest
        ? ""
        : ` (suite digest ${head.summary.suiteDigest.slice(7, 19)} vs ${baseline.summary.suiteDigest.slice(7, 19)})`;
    throw new InputError(`suite "${headName}" does not match its baseline${digests}: ${differences.join("; ")}`);
  }
}
