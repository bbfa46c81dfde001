export { findResultsDirectories, loadBaselineFromStore, readResultsSet, readRunResults } from "./baseline.ts";
export { type BaselineInfo, type CompareRunsOptions, compareRuns, noBaselineGate, type RunResults, regressions } from "./compare.ts";
export { type CorpusInput, type CorpusScorer, corpusStatistics, suiteCorpusStatistics } from "./corpus.ts";
export { excerpt } from "./excerpt.ts";
// The fork-safe flow's second stage judges a fork's reported metrics with the base branch's gates.
export { evaluateRegressionGates } from "./gates.ts";
export { type CaseMatch, type MatchedCase, matchCases } from "./match.ts";
export type { CorpusStatistic } from "./metrics.ts";
export {
  type CompareConfigLocation,
  type ComparePipelineOptions,
  type ComparePipelineResult,
  type ComparisonRenderers,
  type LoadedCompareConfig,
  loadCompareConfig,
  runComparePipeline,
  type SuiteComparison,
  type SuiteReport,
} from "./pipeline.ts";
export {
  type BaselineRequest,
  type BaselineResolvers,
  type BaselineSpec,
  fileBaselineResolver,
  parseBaselineSpec,
  pickBaselineRun,
  type ResolvedBaseline,
  type StoreCandidates,
  storeBaselineResolver,
} from "./resolvers.ts";
