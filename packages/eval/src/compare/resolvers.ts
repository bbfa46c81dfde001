import path from "node:path";
import { type EvidenceStore, type HistoryPoint, InputError, type Logger, type StoreCandidates } from "@llmops/core";
import { aliasOfRef } from "../results/report-suites.ts";
import { loadBaselineFromStore, readResultsSet } from "./baseline.ts";
import type { BaselineInfo, RunResults } from "./compare.ts";

/**
 * Where the baselines of a comparison come from: the eval evidence recorded on a store version
 * (`alias`), the newest results of the pull request's base branch (`branch`), a results directory
 * (`file`), or nothing (`none`: a head-only report).
 */
export type BaselineSpec = { kind: "alias"; ref: string } | { kind: "branch" } | { kind: "file"; path: string } | { kind: "none" };

/** `alias:<artifact>:<alias>` | `branch` | `file:<path>` | `none`: the spelling of actions/compare's `baseline` input. */
export function parseBaselineSpec(text: string): BaselineSpec {
  const value = text.trim();
  if (value === "none") return { kind: "none" };
  if (value === "branch") return { kind: "branch" };
  if (value.startsWith("file:") && value.length > 5) return { kind: "file", path: value.slice(5) };
  const alias = /^alias:([^:\s]+):([^:\s]+)$/.exec(value);
  if (alias) return { kind: "alias", ref: `${alias[1]}:${alias[2]}` };
  throw new InputError(`baseline "${value}": expected alias:<artifact>:<alias>, branch, file:<path> or none`);
}

export type { StoreCandidates } from "@llmops/core";

/** What a resolver is asked for: the baseline of one head run. */
export interface BaselineRequest {
  suite: string;
  /** The head run's first metric: the one whose trend over earlier baselines is charted. */
  mainMetric: string | undefined;
  /**
   * The head results hold this one suite only. A baseline holding one suite is then compared with
   * it whatever its name, so a different name is an error naming both, not "no baseline".
   */
  onlyHead: boolean;
  /** The report directory; a resolver that downloads results puts them below `<reportDir>/baseline/`. */
  reportDir: string;
}

export interface ResolvedBaseline {
  /** Null when there is none: the report is head-only and `info` says why. */
  results: RunResults | null;
  info: BaselineInfo;
  /** Main-metric values of recent baselines, oldest first, for the trend chart. */
  history?: HistoryPoint[];
}

/**
 * One resolver per baseline kind, injected by the caller: the CLI gives `file` and `alias` (store),
 * actions/compare adds `branch` (a GitHub artifact). `none` needs no resolver. A spec whose
 * resolver is missing is a usage error.
 */
export interface BaselineResolvers {
  /** `location` is absolute: the pipeline resolves it against the working or the config's directory. */
  file?: (location: string, request: BaselineRequest) => Promise<ResolvedBaseline>;
  /** `store` holds what may name the store (the option, the config's `store:`); the resolver picks and opens it. */
  alias?: (target: { ref: string; store: StoreCandidates }, request: BaselineRequest) => Promise<ResolvedBaseline>;
  branch?: (request: BaselineRequest) => Promise<ResolvedBaseline>;
}

/**
 * The run of `suite` among `runs`; with `single`, a lone run whatever its suite (compareRuns then
 * refuses a different suite, naming both).
 */
export function pickBaselineRun<T extends RunResults>(runs: readonly T[], suite: string, single: boolean): T | undefined {
  if (single && runs.length === 1) return runs[0];
  return runs.find((r) => r.summary.suite === suite);
}

/**
 * Baselines from a results directory (a suite's, a parent of several, or a `summary.json`), read
 * once however many suites are compared. A suite the directory lacks (one this change adds) gets
 * a head-only report.
 */
export function fileBaselineResolver(options: { cwd: string }): NonNullable<BaselineResolvers["file"]> {
  const sets = new Map<string, ReturnType<typeof readResultsSet>>();
  const shown = (location: string) => path.relative(options.cwd, location) || ".";
  return async (location, request) => {
    let set = sets.get(location);
    if (!set) {
      set = readResultsSet(location);
      sets.set(location, set);
    }
    const run = pickBaselineRun(await set, request.suite, request.onlyHead);
    if (!run)
      return { results: null, info: { source: "none", description: `no results of suite "${request.suite}" in ${shown(location)}` } };
    return {
      results: { summary: run.summary, cases: run.cases },
      info: { source: "file", description: `results in ${shown(run.directory)}` },
    };
  };
}

/**
 * Baselines from the eval evidence recorded on the version a store ref names. The caller picks
 * and opens the store (`openStore`, once, and only when an alias baseline is asked for), so this
 * package needs no store client; `history`, when given, adds the trend of the main metric over
 * the versions the alias pointed to.
 */
export function storeBaselineResolver<S extends EvidenceStore>(options: {
  openStore: (candidates: StoreCandidates) => S;
  logger: Logger;
  history?: (store: S, query: { name: string; alias: string; suite: string; metric: string }) => Promise<HistoryPoint[]>;
}): NonNullable<BaselineResolvers["alias"]> {
  const stores = new Map<string, S>();
  return async ({ ref, store: candidates }, request) => {
    const key = JSON.stringify([candidates.input, candidates.config]);
    let store = stores.get(key);
    if (!store) {
      store = options.openStore(candidates);
      stores.set(key, store);
    }
    const loaded = await loadBaselineFromStore({ store, ref, suite: request.suite, logger: options.logger });
    const alias = aliasOfRef(ref);
    if (!options.history || !alias || !request.mainMetric) return loaded;
    const history = await options.history(store, { ...alias, suite: request.suite, metric: request.mainMetric });
    return { ...loaded, history };
  };
}
