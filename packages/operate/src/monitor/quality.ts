import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import {
  type CompareConfig,
  ConfigError,
  environmentProvider,
  formatYamlPath,
  type LoadedConfig,
  type Logger,
  MONITOR_UNCOMPARED_METRICS,
  oneLine,
  type ProviderConfig,
  type SuiteConfig,
} from "@llmops/core";
import { compareRuns, evaluate, readRunResults } from "@llmops/eval";
import { parseRef, type Store } from "@llmops/store";
import { shown } from "../check/display.ts";
import type { MonitorEntry } from "./config.ts";
import type { MetricCheck, QualityResult } from "./result.ts";
import { type BaselineRun, baselineRun, type ServingVersion } from "./serving.ts";

/**
 * The quality monitor: the monitoring suite run through eval's `evaluate()` against the live
 * endpoint (its provider replaced by the monitor's, `{{environment.*}}` filled in), on the same
 * dataset version as the evidence the serving version was promoted on, then compared with that
 * evidence case by case with compare's paired statistics (McNemar for rates, paired bootstrap for
 * means, Holm across metrics). Nothing is recorded: a monitoring run is not evidence.
 */

/** What a quality monitor runs, checked against the config before anything runs. */
export interface QualityPlan {
  suite: SuiteConfig;
  /** The monitor's provider, `{{environment.*}}` filled in (none: the suite's own). */
  provider?: ProviderConfig;
}

/**
 * Checks a monitor's suite and provider; a ConfigError at their line when one is wrong. The
 * provider is checked as a smoke eval's is (`environmentProvider`): `env` is the process
 * environment its `{{env.NAME}}` will be rendered from.
 */
export function planQuality(
  loaded: LoadedConfig,
  environment: { name: string; url?: string | undefined },
  entry: MonitorEntry,
  env: NodeJS.ProcessEnv,
): QualityPlan {
  const suite = monitoredSuite(loaded, entry);
  if (!entry.config.provider) return { suite };
  const provider = environmentProvider(entry.config.provider, [...entry.at, "provider"], {
    environment,
    env,
    locate: (p) => loaded.doc.locate(p),
  });
  return { suite, provider };
}

export interface QualityOptions {
  plan: QualityPlan;
  loaded: LoadedConfig;
  /** llmops.yaml as the caller named it (evaluate loads it again, relative to `cwd`). */
  configFile?: string | undefined;
  cwd: string;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  store: Store;
  environment: { name: string; url?: string | undefined };
  monitor: MonitorEntry;
  serving: ServingVersion | null;
  /** Keep the live run's results here (default: a temporary directory, removed). */
  out?: string | undefined;
  signal?: AbortSignal | undefined;
}

/** The suite the monitor names, or a ConfigError at its `suite:`. */
export function monitoredSuite(loaded: LoadedConfig, entry: MonitorEntry): SuiteConfig {
  const name = entry.config.suite!;
  const suite = loaded.config.suites.find((s) => s.name === name);
  if (suite) return suite;
  const path = [...entry.at, "suite"];
  throw new ConfigError(`expected a suite of this file; "${name}" is not one`, formatYamlPath(path), loaded.doc.locate(path));
}

/**
 * The compare settings for the live run: the config's, without the cost and latency budgets and
 * without gates on metrics the monitor does not watch (the evidence run may have been served
 * another way: its latency and cost say nothing about the model).
 */
function compareSettings(compare: CompareConfig | undefined, watched: (metric: string) => boolean): CompareConfig | undefined {
  if (!compare) return undefined;
  const { maxCostIncrease: _c, maxLatencyIncrease: _l, suites, gates, ...rest } = compare;
  const keep = (g: CompareConfig["gates"]) => (g ? Object.fromEntries(Object.entries(g).filter(([metric]) => watched(metric))) : undefined);
  const out: CompareConfig = { ...rest };
  const kept = keep(gates);
  if (kept) out.gates = kept;
  if (suites) {
    out.suites = Object.fromEntries(
      Object.entries(suites).map(([name, { maxCostIncrease: _sc, maxLatencyIncrease: _sl, gates: suiteGates, ...other }]) => {
        const g = keep(suiteGates);
        return [name, g ? { ...other, gates: g } : other];
      }),
    );
  }
  return out;
}

/** The suite as the monitor runs it: the monitor's provider, and the evidence's dataset version pinned. */
function transformFor(suiteName: string, provider: ProviderConfig | undefined, baseline: BaselineRun | undefined, logger: Logger) {
  return (suite: SuiteConfig): SuiteConfig => {
    if (suite.name !== suiteName) return suite;
    let out: SuiteConfig = suite;
    if (provider) {
      const { providers: _, ...rest } = out;
      out = { ...rest, provider };
    }
    const pinned = baseline?.summary.dataset;
    const from = out.casesFrom;
    if (pinned && typeof from === "object" && from.dataset !== undefined) {
      const configured = parseRef(from.dataset).name;
      const evidenced = parseRef(pinned.ref).name;
      if (configured === evidenced) out = { ...out, casesFrom: { ...from, dataset: `${configured}@${pinned.digest}` } };
      else logger.warn(`suite "${suiteName}" now reads dataset ${configured}, the evidence ${evidenced}: cases are matched by id only`);
    }
    return out;
  };
}

const EMPTY = { matched: 0, added: 0, removed: 0, changed: 0, metrics: [], regressions: [], failedGates: [], errors: 0 };

/** Runs the monitoring suite against the live endpoint and judges it against the promotion's evidence. */
export async function runQuality(options: QualityOptions): Promise<QualityResult> {
  const { loaded, logger, monitor: entry } = options;
  const { suite, provider } = options.plan;
  if (!options.serving) {
    return { suite: suite.name, verdict: "skipped", ...EMPTY, reason: `nothing serves ${options.environment.name}` };
  }
  const serving = options.serving;
  const baseline = await baselineRun(options.store, serving, suite.name, logger);
  const out = options.out ?? (await mkdtemp(join(tmpdir(), "llmops-monitor-run-")));
  const timeout = AbortSignal.timeout(entry.config.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  try {
    const run = await evaluate({
      ...(options.configFile !== undefined ? { config: options.configFile } : {}),
      cwd: options.cwd,
      env: options.env,
      logger,
      suites: [suite.name],
      model: `${serving.name}@${serving.digest}`,
      record: false,
      openStore: () => options.store,
      out,
      // The live endpoint must answer: a cached response proves nothing.
      cache: false,
      transformSuite: transformFor(suite.name, provider, baseline, logger),
      signal,
    });
    const outcome = run.suites[0];
    const base: Omit<QualityResult, "verdict"> = {
      suite: suite.name,
      ...EMPTY,
      ...(baseline
        ? {
            baseline: {
              evidence: baseline.evidence,
              source: baseline.source,
              ...(baseline.promotion ? { promotion: baseline.promotion } : {}),
              finishedAt: baseline.summary.finishedAt,
              ...(baseline.summary.dataset ? { dataset: baseline.summary.dataset } : {}),
            },
          }
        : {}),
      ...(options.out ? { resultsDir: outcome ? dirname(outcome.summaryPath) : out } : {}),
    };
    if (!outcome || run.interrupted || !outcome.complete) {
      const why = timeout.aborted ? `did not finish within ${entry.config.timeoutMs} ms` : "was interrupted";
      return { ...base, verdict: "error", reason: `the run against the live endpoint ${why}` };
    }
    const head = await readRunResults(dirname(outcome.summaryPath));
    const firstError = head.cases.find((c) => c.error)?.error;
    const errors = head.summary.errors;
    const withErrors = {
      ...base,
      errors,
      // The endpoint's own words, which may echo the request (user text, a header): redacted as
      // `llmops check` shows found values, before they reach a possibly public issue.
      ...(firstError ? { firstError: shown(oneLine(firstError), 300) } : {}),
    };
    if (!baseline) {
      logger.warn(
        `${options.environment.name}: no complete eval run of suite "${suite.name}" is recorded on the serving version; the live run is judged by its gates only`,
      );
      const failedGates = head.summary.gates.filter((g) => !g.passed).map((g) => g.description);
      return {
        ...withErrors,
        verdict: failedGates.length > 0 ? "regression" : "no-baseline",
        failedGates,
        reason: `no complete eval run of suite "${suite.name}" is recorded on ${serving.name}@${serving.digest.slice(0, 19)}…`,
      };
    }
    const watchedNames = entry.config.metrics ? new Set(entry.config.metrics) : undefined;
    const watched = (metric: string) =>
      watchedNames ? watchedNames.has(metric) : !(MONITOR_UNCOMPARED_METRICS as readonly string[]).includes(metric);
    const comparison = compareRuns({
      head: { summary: head.summary, cases: head.cases },
      baseline: { summary: baseline.summary, cases: baseline.cases },
      ...(compareSettings(loaded.config.compare, watched) ? { config: compareSettings(loaded.config.compare, watched)! } : {}),
      baselineInfo: {
        source: "alias",
        description: `the evidence of ${serving.name}@${serving.digest.slice(0, 19)}…`,
        digest: serving.digest,
      },
      logger,
    });
    for (const name of watchedNames ?? [])
      if (!comparison.metrics.some((m) => m.name === name))
        logger.warn(`monitor metric "${name}" is not a metric of suite "${suite.name}"`);
    const metrics: MetricCheck[] = comparison.metrics.map((m) => ({
      name: m.name,
      baseline: m.baseline,
      head: m.head,
      delta: m.delta,
      n: m.n,
      test: m.test,
      pValue: m.pValue,
      pAdjusted: m.pAdjusted,
      verdict: m.verdict,
      watched: watched(m.name),
    }));
    const regressions = metrics.filter((m) => m.watched && m.verdict === "significant regression").map((m) => m.name);
    const failedGates = comparison.gates.filter((g) => !g.passed).map((g) => g.description);
    return {
      ...withErrors,
      verdict: regressions.length > 0 || failedGates.length > 0 ? "regression" : "ok",
      matched: comparison.matched,
      added: comparison.added.length,
      removed: comparison.removed.length,
      changed: comparison.changed.length,
      metrics,
      regressions,
      failedGates,
    };
  } finally {
    if (!options.out) await rm(out, { recursive: true, force: true });
  }
}
