import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ConfigError,
  environmentProvider,
  formatYamlPath,
  type LoadedConfig,
  type Logger,
  oneLine,
  type ProviderConfig,
  type SmokeConfig,
  type SmokeSummary,
  type SuiteConfig,
} from "@llmops/core";
import { evaluate, readResultsFile } from "@llmops/eval";
import type { Store } from "@llmops/store";

/**
 * The smoke eval: the environment's smoke suite, an ordinary suite of the config, run through
 * eval's `evaluate()` against the live endpoint, its provider replaced by `smoke.provider` when
 * given. `{{environment.url}}` and `{{environment.name}}` in the provider's strings are filled in
 * here; `{{env.NAME}}` stays the process environment, rendered by the provider at call time.
 * It passes when the run completes within `smoke.timeoutMs` and passes its gates; a suite without
 * gates must pass every case (eval alone would pass it whatever its cases did).
 */

export interface SmokePlan {
  suite: string;
  /** The provider(s) the suite runs with, environment templates filled in. */
  transformSuite: (suite: SuiteConfig) => SuiteConfig;
  timeoutMs: number;
}

/**
 * Checks the smoke config against what is known before anything is deployed, so a typo cannot
 * leave a half-done promotion: the suite exists, `{{environment.url}}` has a URL to stand for,
 * `{{env.url}}` (a likely slip for `{{environment.url}}`) names a variable that is set, and the
 * filled-in provider is a valid provider. Throws ConfigError at the provider's line.
 */
export function planSmoke(
  loaded: LoadedConfig,
  environment: { name: string; url?: string | undefined },
  smoke: SmokeConfig,
  env: NodeJS.ProcessEnv,
): SmokePlan {
  const at = ["environments", environment.name, "smoke"];
  const suite = loaded.config.suites.find((s) => s.name === smoke.suite);
  if (!suite) {
    throw new ConfigError(
      `expected a suite of this file; "${smoke.suite}" is not one`,
      formatYamlPath([...at, "suite"]),
      loaded.doc.locate([...at, "suite"]),
    );
  }
  const providers: { value: unknown; path: (string | number)[] }[] = smoke.provider
    ? [{ value: smoke.provider, path: [...at, "provider"] }]
    : suite.providers
      ? suite.providers.map((p, i) => ({ value: p, path: ["suites", loaded.config.suites.indexOf(suite), "providers", i] }))
      : [{ value: suite.provider, path: ["suites", loaded.config.suites.indexOf(suite), "provider"] }];
  const filled: ProviderConfig[] = providers.map(({ value, path }) =>
    environmentProvider(value, path, { environment, env, locate: (p) => loaded.doc.locate(p) }),
  );
  const transformSuite = (s: SuiteConfig): SuiteConfig => {
    if (s.name !== smoke.suite) return s;
    if (smoke.provider) {
      const { providers: _, ...rest } = s;
      return { ...rest, provider: filled[0]! };
    }
    return s.providers ? { ...s, providers: filled } : { ...s, provider: filled[0]! };
  };
  return { suite: smoke.suite, transformSuite, timeoutMs: smoke.timeoutMs };
}

export interface RunSmokeOptions {
  plan: SmokePlan;
  /** Path of llmops.yaml (as loaded) and the directory it is relative to. */
  configFile: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  store: Store;
  /** The promoted version, as `name@digest`: the smoke run is recorded as eval evidence on it. */
  model: string;
  /** Where the smoke run's outputs go; default a temporary directory removed afterwards. */
  out?: string | undefined;
  signal?: AbortSignal | undefined;
}

/** Grace after the timeout for evaluate() to return before the smoke run is abandoned. */
const ABANDON_AFTER_MS = 5_000;

/** Runs the smoke suite; a timeout, an interruption or an error is a failed smoke run, never a throw. */
export async function runSmoke(options: RunSmokeOptions): Promise<SmokeSummary> {
  const { plan } = options;
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(new Error(`smoke eval timed out after ${plan.timeoutMs} ms`)), plan.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout.signal]) : timeout.signal;
  const out = options.out ?? (await mkdtemp(join(tmpdir(), "llmops-smoke-")));
  let abandon: NodeJS.Timeout | undefined;
  try {
    const run = evaluate({
      config: options.configFile,
      cwd: options.cwd,
      env: options.env,
      logger: options.logger,
      suites: [plan.suite],
      model: options.model,
      record: true,
      openStore: () => options.store,
      out,
      // The live endpoint must answer: a cached response proves nothing.
      cache: false,
      transformSuite: plan.transformSuite,
      signal,
    });
    const abandoned = new Promise<never>((_, reject) => {
      const onAbort = () => {
        abandon = setTimeout(() => reject(signal.reason), ABANDON_AFTER_MS);
      };
      if (signal.aborted) onAbort();
      else signal.addEventListener("abort", onAbort, { once: true });
    });
    run.catch(() => undefined);
    const result = await Promise.race([run, abandoned]);
    const timedOut = timeout.signal.aborted;
    const metrics: Record<string, number> = {};
    for (const suite of result.suites) {
      for (const [name, value] of Object.entries(suite.metrics))
        metrics[result.suites.length > 1 ? `${suite.suite}:${name}` : name] = value;
    }
    const evidenceDigest = result.suites.find((s) => s.evidenceDigest)?.evidenceDigest;
    // Eval passes a suite without gates whatever its cases did; a smoke eval without gates must pass every case.
    const ungated = result.suites.filter((s) => s.summary.gates.length === 0 && (s.summary.errors > 0 || s.metrics.pass_rate !== 1));
    const passed = result.passed && !timedOut && ungated.length === 0;
    const summary: SmokeSummary = { suite: plan.suite, passed, metrics, ...(evidenceDigest ? { evidenceDigest } : {}) };
    if (timedOut) {
      summary.timedOut = true;
      summary.error = `timed out after ${plan.timeoutMs} ms`;
    } else if (result.interrupted) summary.error = "interrupted";
    else if (!passed) {
      const failed = result.suites.flatMap((s) => s.summary.gates.filter((g) => !g.passed).map((g) => g.description));
      if (failed.length > 0) summary.error = `gates failed: ${failed.join("; ")}`;
      else if (ungated.length > 0) summary.error = "not every case passed (the suite has no gates)";
      const cause = await firstCaseError(result.suites.map((s) => s.resultsPath));
      if (cause) summary.error = `${summary.error ?? "failed"}; first error: ${cause}`;
    }
    return summary;
  } catch (error) {
    const timedOut = timeout.signal.aborted;
    const message = timedOut
      ? `timed out after ${plan.timeoutMs} ms`
      : (error instanceof Error ? error.message : String(error)).split("\n")[0]!;
    return { suite: plan.suite, passed: false, metrics: {}, ...(timedOut ? { timedOut: true } : {}), error: message };
  } finally {
    clearTimeout(timer);
    if (abandon) clearTimeout(abandon);
    if (!options.out) await rm(out, { recursive: true, force: true });
  }
}

/**
 * The first case error of a failed smoke run, one line and bounded: "gates failed" alone does not
 * say that the endpoint answered 500, which is what people reading the alert need. It is text the
 * endpoint chose, so it is clipped here and escaped wherever it is shown.
 */
async function firstCaseError(resultsPaths: string[]): Promise<string | undefined> {
  for (const path of resultsPaths) {
    try {
      for await (const row of readResultsFile(path)) {
        if (row.error) return oneLine(row.error).slice(0, 300);
      }
    } catch {
      // No results file (the run stopped early): the gate message is all there is.
    }
  }
  return undefined;
}
