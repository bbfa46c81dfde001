import { type CaseResult, canonicalJson, InputError } from "@llmops/core";

/** The repeats of one case on both sides. */
export interface MatchedCase {
  id: string;
  head: CaseResult[];
  baseline: CaseResult[];
}

export interface CaseMatch {
  /** Cases with the same id and the same vars and expected value, in head order. */
  matched: MatchedCase[];
  /** Ids only the head has. */
  added: string[];
  /** Ids only the baseline has. */
  removed: string[];
  /** Same id, different vars or expected value: not the same case, so not paired. */
  changed: string[];
}

function groupById(cases: readonly CaseResult[], side: string): Map<string, CaseResult[]> {
  const groups = new Map<string, CaseResult[]>();
  const seen = new Set<string>();
  for (const c of cases) {
    const key = `${c.id}\u0000${c.repeat}`;
    if (seen.has(key)) throw new InputError(`${side} results: case "${c.id}" repeat ${c.repeat} appears twice`);
    seen.add(key);
    const group = groups.get(c.id);
    if (group) group.push(c);
    else groups.set(c.id, [c]);
  }
  for (const group of groups.values()) group.sort((a, b) => a.repeat - b.repeat);
  return groups;
}

function caseIdentity(c: CaseResult): string {
  return canonicalJson({ vars: c.vars, expected: c.expected });
}

/** Matches head and baseline cases by id; nothing is dropped without being listed. */
export function matchCases(head: readonly CaseResult[], baseline: readonly CaseResult[]): CaseMatch {
  const headGroups = groupById(head, "head");
  const baselineGroups = groupById(baseline, "baseline");
  const result: CaseMatch = { matched: [], added: [], removed: [], changed: [] };
  const ordered = [...headGroups.entries()].sort(([, a], [, b]) => (a[0]?.index ?? 0) - (b[0]?.index ?? 0));
  for (const [id, headRepeats] of ordered) {
    const baselineRepeats = baselineGroups.get(id);
    if (!baselineRepeats) {
      result.added.push(id);
      continue;
    }
    const first = headRepeats[0] as CaseResult;
    const firstBaseline = baselineRepeats[0] as CaseResult;
    if (caseIdentity(first) !== caseIdentity(firstBaseline)) result.changed.push(id);
    else result.matched.push({ id, head: headRepeats, baseline: baselineRepeats });
  }
  const removed = [...baselineGroups.entries()].filter(([id]) => !headGroups.has(id));
  removed.sort(([, a], [, b]) => (a[0]?.index ?? 0) - (b[0]?.index ?? 0));
  result.removed = removed.map(([id]) => id);
  return result;
}
