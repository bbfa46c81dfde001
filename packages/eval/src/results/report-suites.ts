import type { CaseResult, Comparison, RunSummary, StoreCandidates } from "@llmops/core";
import type { RunResults } from "../compare/compare.ts";
import type { ComparePipelineResult } from "../compare/pipeline.ts";
import type { BaselineResolvers } from "../compare/resolvers.ts";
import { readResultsFile } from "./stream.ts";

/**
 * What the HTML report (`@llmops/report`'s `HtmlReportSuite`, above eval in the layering) is made
 * of, gathered from the compare pipeline that `llmops report html`, `llmops compare` and
 * actions/compare share: each suite's head, the baseline it was compared with, the comparison.
 */

export interface ReportSuite {
  head: { summary: RunSummary; cases: Iterable<CaseResult> | AsyncIterable<CaseResult> };
  baseline: { summary: RunSummary; cases: Iterable<CaseResult> | AsyncIterable<CaseResult> } | null;
  comparison: Comparison | null;
}

/** The resolvers given, recording what they resolve: each suite's baseline, and the alias baselines came from (for its history). */
export interface RecordingResolvers {
  resolvers: BaselineResolvers;
  /** The baseline each suite was compared with (null: none was found), by suite. */
  baselines: Map<string, RunResults | null>;
  /** The store ref and store of the last alias baseline asked for. */
  alias: { ref: string; store: StoreCandidates } | undefined;
}

export function recordingResolvers(resolvers: BaselineResolvers): RecordingResolvers {
  const recorded: RecordingResolvers = { resolvers: {}, baselines: new Map(), alias: undefined };
  const { file, alias, branch } = resolvers;
  if (file)
    recorded.resolvers.file = async (location, request) => {
      const resolved = await file(location, request);
      recorded.baselines.set(request.suite, resolved.results);
      return resolved;
    };
  if (alias)
    recorded.resolvers.alias = async (target, request) => {
      recorded.alias = target;
      const resolved = await alias(target, request);
      recorded.baselines.set(request.suite, resolved.results);
      return resolved;
    };
  if (branch)
    recorded.resolvers.branch = async (request) => {
      const resolved = await branch(request);
      recorded.baselines.set(request.suite, resolved.results);
      return resolved;
    };
  return recorded;
}

/** The report's suites from a pipeline run whose resolvers were recorded. */
export function reportSuites(result: Pick<ComparePipelineResult, "suites">, baselines: Map<string, RunResults | null>): ReportSuite[] {
  return result.suites.map((s) => {
    const baseline = s.comparison.baseline.source === "none" ? null : (baselines.get(s.suite) ?? null);
    return {
      head: { summary: s.head.summary, cases: s.head.cases },
      baseline: baseline ? { summary: baseline.summary, cases: baseline.cases } : null,
      comparison: s.comparison,
    };
  });
}

/** A head-only report suite read from an eval's output files, its rows streamed from results.jsonl as the report is written. */
export function reportSuiteFromFiles(summary: RunSummary, resultsPath: string): ReportSuite {
  return { head: { summary, cases: readResultsFile(resultsPath, { validate: false }) }, baseline: null, comparison: null };
}

/** The `name` and `alias` of a `name:alias` ref; undefined for `name:v3` (a version, not an alias) or a digest ref. */
export function aliasOfRef(ref: string): { name: string; alias: string } | undefined {
  const match = /^([^:@\s]+):([^:@\s]+)$/.exec(ref);
  if (!match || /^v\d+$/.test(match[2] as string)) return undefined;
  return { name: match[1] as string, alias: match[2] as string };
}
