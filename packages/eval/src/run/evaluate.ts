import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import {
  type EvidenceStore,
  InputError,
  type LlmopsConfig,
  type Logger,
  loadConfig,
  type MetricSummary,
  type RunSummary,
  runUrlFromEnv,
  type StoreCandidates,
  type SuiteConfig,
  UsageError,
} from "@llmops/core";
import { recordEvalEvidence } from "../evidence.ts";
import { RESPONSE_CACHE_DIR } from "../response-cache.ts";
import { outputDirFor } from "../results/output-dir.ts";
import { readAllResults } from "../results/stream.ts";
import { type Renderers, readRunOutputs, writeRunOutputs } from "../results/write.ts";
import type { Shard, ShardOutput } from "../shard.ts";
import { mergeShardOutputs } from "./merge.ts";
import { type PreparedSuite, prepareSuite } from "./suite.ts";
import type { RunProgress } from "./types.ts";

/** What evaluate needs of a store: evidence, and fetching a dataset version for `casesFrom: {dataset}`. */
export interface EvalStore extends EvidenceStore {
  /** `include`: glob patterns; only matching files are fetched (a packed dataset reads just their bytes). */
  fetch(ref: string, destDir: string, options?: { include?: string[] }): Promise<{ digest: string; path: string }>;
}

export const DEFAULT_RESULTS_DIR = join(".llmops", "results");

/** Provider settings an action input or flag may override for every suite (small on purpose). */
export interface ProviderOverrides {
  baseUrl?: string;
  model?: string;
}

export interface EvaluateOptions {
  config?: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  /** Suite names to run; default all. */
  suites?: string[];
  /** Model version evaluated (`name:alias`, `name:v3`, `name@sha256:…`); pinned in summaries. */
  model?: string;
  /** The store option (`--store`, the `store` input): with the config's `store:`, what `openStore` chooses from. */
  store?: string;
  /** Opens the store (datasets of casesFrom, --model, --record); the caller applies @llmops/store's chooseStore to the candidates. */
  openStore?: (candidates: StoreCandidates) => EvalStore;
  /** Root of the output directories; each run writes `<out>/<suite>`. */
  out?: string;
  cache?: boolean;
  shard?: Shard;
  /** Attach results as evidence to `model` in the store. */
  record?: boolean;
  /**
   * `casesFrom` dataset refs pinned to the digests a gate checked (operate's checkSuiteDatasets):
   * those versions are read by digest, so an alias moved since cannot bring in an unchecked one.
   */
  datasetDigests?: ReadonlyMap<string, string>;
  overrides?: ProviderOverrides;
  /**
   * Rewrites each selected suite after the config is loaded and before it is prepared (before
   * `overrides`): promotion's smoke eval swaps in the provider of the live endpoint this way.
   */
  transformSuite?: (suite: SuiteConfig) => SuiteConfig;
  signal?: AbortSignal;
  onProgress?: (variant: string, progress: RunProgress) => void;
  /** Called once every suite is prepared, before the first provider call (e.g. to mask keys). */
  onPrepared?: (prepared: PreparedSuite[]) => void;
  renderers?: Renderers;
}

export interface SuiteOutcome {
  suite: string;
  passed: boolean;
  complete: boolean;
  summaryPath: string;
  resultsPath: string;
  junitPath?: string;
  markdownPath?: string;
  metrics: Record<string, number>;
  summary: RunSummary;
  evidenceDigest?: string;
}

export interface EvaluateResult {
  suites: SuiteOutcome[];
  /** Every suite complete and passing. */
  passed: boolean;
  interrupted: boolean;
  providerCalls: number;
}

/** `{ exact: 0.8, pass_rate: 0.75, ... }`: the headline number of each metric. */
export function metricValues(metrics: MetricSummary[]): Record<string, number> {
  return Object.fromEntries(metrics.map((m) => [m.name, m.mean]));
}

export function applyOverrides(suite: SuiteConfig, overrides: ProviderOverrides | undefined): SuiteConfig {
  if (!overrides || (overrides.baseUrl === undefined && overrides.model === undefined)) return suite;
  const apply = <P extends NonNullable<SuiteConfig["provider"]>>(provider: P): P => {
    if (provider.type !== "openai" && provider.type !== "anthropic") return provider;
    return {
      ...provider,
      ...(overrides.baseUrl !== undefined ? { baseUrl: overrides.baseUrl } : {}),
      ...(overrides.model !== undefined ? { model: overrides.model } : {}),
    };
  };
  return {
    ...suite,
    ...(suite.provider ? { provider: apply(suite.provider) } : {}),
    ...(suite.providers ? { providers: suite.providers.map(apply) } : {}),
  };
}

/** Git commit/ref and the workflow run URL from the CI environment, when there is one. */
export function ciContext(env: NodeJS.ProcessEnv): { git?: RunSummary["git"]; runUrl?: string } {
  const git = { ...(env.GITHUB_SHA ? { commit: env.GITHUB_SHA } : {}), ...(env.GITHUB_REF ? { ref: env.GITHUB_REF } : {}) };
  const runUrl = runUrlFromEnv(env);
  return { ...(Object.keys(git).length ? { git } : {}), ...(runUrl ? { runUrl } : {}) };
}

function selectSuites(config: LlmopsConfig, names: string[] | undefined): { suite: SuiteConfig; index: number }[] {
  const all = config.suites.map((suite, index) => ({ suite, index }));
  if (!names || names.length === 0) {
    if (all.length === 0) throw new UsageError("the config has no suites (add a suites: list)");
    return all;
  }
  return names.map((name) => {
    const found = all.find((s) => s.suite.name === name);
    if (!found) throw new UsageError(`no suite named "${name}"; the config has ${all.map((s) => s.suite.name).join(", ") || "none"}`);
    return found;
  });
}

/**
 * `llmops eval` and actions/eval: load the config (every config error before any provider
 * call), run each suite, write its outputs, optionally record evidence on the model version.
 */
export async function evaluate(options: EvaluateOptions): Promise<EvaluateResult> {
  const loaded = await loadConfig(options.config, { cwd: options.cwd });
  const selected = selectSuites(loaded.config, options.suites);
  if (options.record && !options.model) throw new UsageError("--record needs --model (the version to attach the results to)");
  let store: EvalStore | undefined;
  const getStore = (): EvalStore => {
    if (!options.openStore) throw new InputError("this command cannot open a store");
    store ??= options.openStore({ input: options.store, config: loaded.config.store });
    return store;
  };

  // Dataset files are fetched once per version into a temp dir that is removed afterwards.
  const datasets = new Map<string, { digest: string; path: string }>();
  const fetchedFiles = new Map<string, { digest: string; path: string }>();
  const temps: string[] = [];
  const fetchDatasetFile = async (ref: string, file: string): Promise<Uint8Array> => {
    // Only the one file: a dataset of a million files must not be downloaded for one cases file.
    let fetched = fetchedFiles.get(`${ref}\0${file}`);
    if (!fetched) {
      const dir = await mkdtemp(join(tmpdir(), "llmops-dataset-"));
      temps.push(dir);
      const pinned = options.datasetDigests?.get(ref);
      // A ref's name is everything before its tag or digest (names hold neither ':' nor '@').
      fetched = await fetchOneFile(getStore(), pinned ? `${ref.split(/[:@]/)[0]}@${pinned}` : ref, file, dir, ref);
      fetchedFiles.set(`${ref}\0${file}`, fetched);
      datasets.set(ref, fetched);
    }
    try {
      return await readFile(join(fetched.path, file));
    } catch {
      throw new InputError(`dataset ${ref}: has no file ${file}`);
    }
  };

  try {
    const model = options.model ? await getStore().resolve(options.model) : undefined;
    const prepared: PreparedSuite[] = [];
    for (const { suite, index } of selected) {
      prepared.push(
        await prepareSuite({
          loaded,
          suite: applyOverrides(options.transformSuite ? options.transformSuite(suite) : suite, options.overrides),
          suiteIndex: index,
          env: options.env,
          logger: options.logger,
          fetchDatasetFile,
          ...(options.shard ? { shard: options.shard } : {}),
        }),
      );
    }
    options.onPrepared?.(prepared);

    const outRoot = resolve(options.cwd, options.out ?? DEFAULT_RESULTS_DIR);
    const ci = ciContext(options.env);
    const outcomes: SuiteOutcome[] = [];
    let providerCalls = 0;
    let interrupted = false;
    for (const suite of prepared) {
      if (options.signal?.aborted) {
        interrupted = true;
        break;
      }
      const casesFrom = suite.suite.casesFrom;
      const datasetRef = typeof casesFrom === "object" ? casesFrom.dataset : undefined;
      const dataset = datasetRef ? datasets.get(datasetRef) : undefined;
      const runs = await suite.execute({
        cacheDir: options.cache === false ? null : join(options.cwd, RESPONSE_CACHE_DIR),
        cwd: options.cwd,
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        ...(model ? { model: { ref: options.model!, digest: model.digest } } : {}),
        ...(datasetRef && dataset ? { dataset: { ref: datasetRef, digest: dataset.digest } } : {}),
        ...ci,
        // Each variant streams its results into its directory and writes its outputs as it ends.
        outDir: (name) => outputDirFor(outRoot, name),
        ...(options.renderers ? { renderers: options.renderers } : {}),
      });
      for (const run of runs) {
        providerCalls += run.providerCalls;
        if (!run.summary.complete && !options.shard) interrupted = true;
        // Every variant streamed into its outDir above, so its files are written.
        const written = run.written!;
        let evidenceDigest: string | undefined;
        // Evidence is a claim about a whole run: never record a shard or an interrupted run.
        if (options.record && model && run.summary.complete) {
          // The evidence carries results.jsonl as one blob, so its rows are read back for it.
          const rows = await readAllResults(written.resultsPath);
          evidenceDigest = (await recordEvalEvidence(getStore(), model, run.summary, rows)).digest;
          options.logger.info(`recorded ${run.name} as evidence on ${options.model} (${evidenceDigest})`);
        }
        outcomes.push({
          suite: run.name,
          passed: run.summary.passed,
          complete: run.summary.complete,
          summaryPath: written.summaryPath,
          resultsPath: written.resultsPath,
          ...(written.junitPath ? { junitPath: written.junitPath } : {}),
          ...(written.markdownPath ? { markdownPath: written.markdownPath } : {}),
          metrics: metricValues(run.summary.metrics),
          summary: run.summary,
          ...(evidenceDigest ? { evidenceDigest } : {}),
        });
      }
      if (runs.length < suite.variants.length) interrupted = true;
    }
    if (options.signal?.aborted) interrupted = true;
    return {
      suites: outcomes,
      passed: !interrupted && outcomes.length > 0 && outcomes.every((o) => o.passed),
      interrupted,
      providerCalls,
    };
  } finally {
    await Promise.all(temps.map((dir) => rm(dir, { recursive: true, force: true })));
  }
}

export interface MergeOptions {
  dirs: string[];
  out: string;
  config?: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  renderers?: Renderers;
  openStore?: (candidates: StoreCandidates) => EvalStore;
  store?: string;
}

/** `llmops eval merge`: shard outputs of one suite → the outputs an unsharded run writes. */
export async function mergeEvalShards(options: MergeOptions): Promise<SuiteOutcome> {
  const outputs: ShardOutput[] = [];
  for (const dir of options.dirs) {
    const path = resolve(options.cwd, dir);
    outputs.push({ dir: path, ...(await readRunOutputs(path)) });
  }
  const variantName = outputs[0]?.summary.suite;
  if (!variantName) throw new UsageError("eval merge: expected at least one results directory");
  const suiteName = variantName.split("/")[0]!;
  const loaded = await loadConfig(options.config, { cwd: options.cwd });
  const index = loaded.config.suites.findIndex((s) => s.name === suiteName);
  if (index < 0) throw new InputError(`eval merge: the config has no suite named "${suiteName}" (the shards ran it)`);
  let store: EvalStore | undefined;
  const prepared = await prepareSuite({
    loaded,
    suite: loaded.config.suites[index]!,
    suiteIndex: index,
    env: options.env,
    logger: options.logger,
    providers: false,
    fetchDatasetFile: async (ref, file) => {
      if (!options.openStore) throw new InputError("eval merge: cannot open a store");
      store ??= options.openStore({ input: options.store, config: loaded.config.store });
      const dir = await mkdtemp(join(tmpdir(), "llmops-dataset-"));
      try {
        const fetched = await fetchOneFile(store, ref, file, dir);
        return await readFile(join(fetched.path, file));
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  });
  const { summary, rows } = mergeShardOutputs(outputs, prepared, { logger: options.logger });
  const written = await writeRunOutputs(resolve(options.cwd, options.out), summary, rows, options.renderers);
  return {
    suite: summary.suite,
    passed: summary.passed,
    complete: summary.complete,
    summaryPath: written.summaryPath,
    resultsPath: written.resultsPath,
    ...(written.junitPath ? { junitPath: written.junitPath } : {}),
    ...(written.markdownPath ? { markdownPath: written.markdownPath } : {}),
    metrics: metricValues(summary.metrics),
    summary,
  };
}

/**
 * Fetches one file of a dataset version into `dir`: a dataset of a million files is not downloaded
 * for one cases file. A file the version lacks is named as such, not as the glob it became.
 */
async function fetchOneFile(
  store: EvalStore,
  ref: string,
  file: string,
  dir: string,
  shown = ref,
): Promise<{ digest: string; path: string }> {
  try {
    return await store.fetch(ref, dir, { include: [globEscape(file)] });
  } catch (error) {
    // The store's UnmatchedIncludeError (eval does not depend on the store package, hence the shape test).
    if (error instanceof InputError && Array.isArray((error as { patterns?: unknown }).patterns))
      throw new InputError(`dataset ${shown}: has no file ${file}`);
    throw error;
  }
}

/** A path as a glob matching only itself (store fetch `include`). */
function globEscape(path: string): string {
  return path.replace(/[*?[\]\\]/g, "\\$&");
}
