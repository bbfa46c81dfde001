import { join } from "node:path";
import { environmentArtifact, type LoadedConfig, type Logger, loadConfig, UsageError } from "@llmops/core";
import type { Store } from "@llmops/store";
import { analyzeDrift, type DriftSource } from "../drift/drift.ts";
import type { DriftResult } from "../drift/result.ts";
import { type MonitorAlerts, notifyMonitor } from "./alerts.ts";
import { type MonitorEntry, monitorsOf } from "./config.ts";
import { planQuality, type QualityPlan, runQuality } from "./quality.ts";
import { alertReasons, alertTitle, monitorMarkdown } from "./render.ts";
import type { EnvironmentMonitor, MonitorOutcome, MonitorResult, QualityResult } from "./result.ts";
import { servingVersion } from "./serving.ts";
import { SourceResolver } from "./sources.ts";

/**
 * `llmops monitor [ENV]` and actions/monitor: for each environment with a `monitor:` section (or
 * the one named), each monitor's quality check against the live endpoint and drift check of
 * production inputs, then its alert raised, kept or resolved. Config and input problems throw
 * (exit 2), a store or registry that fails throws ExternalError (exit 3); verdicts are returned.
 */

export interface MonitorOptions {
  store: Store;
  cwd: string;
  /** llmops.yaml (default: in `cwd`). */
  config?: string | undefined;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  /** One environment; default every environment with a `monitor:` section, in file order. */
  environment?: string | undefined;
  /** Replaces every drift monitor's `sample`: a file, or a dataset ref. */
  sample?: string | undefined;
  /** The issue tracker; without it an alert's issue is `skipped`. */
  alerts?: MonitorAlerts | undefined;
  /** The workflow run, linked from alerts. */
  runUrl?: string | undefined;
  /** Keep each live run's results in `<out>/<environment>/<monitor>` (default: temporary). */
  out?: string | undefined;
  signal?: AbortSignal | undefined;
}

function selectEnvironments(loaded: LoadedConfig, options: MonitorOptions): string[] {
  const environments = loaded.config.environments;
  const withMonitor = Object.keys(environments).filter((name) => environments[name]!.monitor !== undefined);
  if (options.environment !== undefined) {
    if (!Object.hasOwn(environments, options.environment)) {
      const known = Object.keys(environments);
      throw new UsageError(
        `unknown environment "${options.environment}"; llmops.yaml has ${known.length > 0 ? known.join(", ") : "no environments: section"}`,
      );
    }
    if (!withMonitor.includes(options.environment))
      throw new UsageError(`environment ${options.environment} has no monitor: section; add environments.${options.environment}.monitor`);
    return [options.environment];
  }
  if (withMonitor.length === 0) throw new UsageError("no environment of llmops.yaml has a monitor: section");
  return withMonitor;
}

/** A path segment from a name (environment and suite names are already safe; this keeps it so). */
const segment = (name: string) => name.replace(/[^A-Za-z0-9._-]/g, "_");

function alertStatus(quality: QualityResult | undefined, drift: DriftResult | undefined): MonitorOutcome["alert"]["status"] {
  if (quality?.verdict === "regression" || quality?.verdict === "error" || drift?.verdict === "drift") return "alerting";
  if ((quality === undefined || quality.verdict === "ok") && (drift === undefined || drift.verdict === "ok")) return "ok";
  return "inconclusive";
}

/** Runs every selected monitor. */
export async function monitor(options: MonitorOptions): Promise<MonitorResult> {
  const { logger } = options;
  const loaded = await loadConfig(options.config, { cwd: options.cwd });
  const names = selectEnvironments(loaded, options);
  const entries = names.map((name) => ({ name, monitors: monitorsOf(name, loaded.config.environments[name]!) }));
  if (options.sample !== undefined && !entries.some((e) => e.monitors.some((m) => m.config.features.length > 0)))
    throw new UsageError("--sample: no selected monitor has features to compare");
  // Every config error before anything runs: the suites and providers of every selected monitor.
  const plans = new Map<MonitorEntry, QualityPlan>();
  for (const { name, monitors } of entries) {
    const url = loaded.config.environments[name]!.url;
    for (const entry of monitors)
      if (entry.config.suite !== undefined) plans.set(entry, planQuality(loaded, { name, url }, entry, options.env));
  }
  const sources = new SourceResolver({ store: () => options.store, configDir: loaded.dir, cwd: options.cwd });
  const environments: EnvironmentMonitor[] = [];
  try {
    for (const { name, monitors } of entries) {
      const config = loaded.config.environments[name]!;
      const alias = config.alias ?? name;
      const artifact = environmentArtifact(loaded.config, name);
      if (artifact === undefined && monitors.some((m) => m.config.suite !== undefined)) {
        throw new UsageError(
          `environment ${name}: cannot tell which artifact it serves; set environments.${name}.artifact (or declare exactly one model in artifacts:)`,
        );
      }
      const serving = artifact ? await servingVersion(options.store, { name: artifact, alias, environment: name }, logger) : null;
      if (artifact && !serving) logger.warn(`${name}: ${artifact}:${alias} does not exist; nothing serves the environment yet`);
      const result: EnvironmentMonitor = {
        environment: name,
        ...(artifact ? { artifact } : {}),
        alias,
        ...(config.url ? { url: config.url } : {}),
        serving: serving ? { digest: serving.digest, ...(serving.version ? { version: serving.version } : {}) } : null,
        monitors: [],
      };
      for (const entry of monitors) {
        logger.info(`monitoring ${name}/${entry.key}`);
        const outcome = await runMonitor(options, loaded, sources, { name, url: config.url }, entry, plans.get(entry), serving);
        result.monitors.push(outcome);
        if (options.signal?.aborted) {
          // A run stopped half-way judged nothing: it must neither raise nor close an alert.
          outcome.alert = { status: "inconclusive", reasons: ["the monitoring run was interrupted"], notifications: [] };
          break;
        }
        const reasons = outcome.alert.reasons;
        outcome.alert.notifications = await notifyMonitor(
          outcome.alert.status,
          {
            key: { environment: name, suite: entry.key },
            title: alertTitle(name, outcome),
            body: `${monitorMarkdown(result, outcome, options.runUrl)}\n_This issue is updated while the problem lasts and closed by the first monitoring run that finds it gone._\n`,
            reasons,
            resolvedComment: `Recovered: this monitoring run found no significant regression and no drift${options.runUrl ? ` (${options.runUrl})` : ""}.`,
            serving: serving ? `${serving.name}@${serving.digest}` : undefined,
            runUrl: options.runUrl,
          },
          { config: entry.config.alert, alerts: options.alerts, env: options.env, logger },
        );
        logger.info(`${name}/${entry.key}: ${outcome.alert.status}${reasons.length > 0 ? ` (${reasons.length} reasons)` : ""}`);
      }
      environments.push(result);
      if (options.signal?.aborted) break;
    }
  } finally {
    await sources.close();
  }
  const outcomes = environments.flatMap((e) => e.monitors);
  const alerting = outcomes.some((o) => o.alert.status === "alerting");
  const undelivered = outcomes.some((o) => o.alert.notifications.some((n) => n.action === "failed"));
  return {
    schemaVersion: 1,
    exitCode: undelivered ? 3 : alerting ? 1 : 0,
    alerting,
    environments,
    ...(options.runUrl ? { runUrl: options.runUrl } : {}),
  };
}

async function runMonitor(
  options: MonitorOptions,
  loaded: LoadedConfig,
  resolver: SourceResolver,
  environment: { name: string; url?: string | undefined },
  entry: MonitorEntry,
  plan: QualityPlan | undefined,
  serving: Awaited<ReturnType<typeof servingVersion>>,
): Promise<MonitorOutcome> {
  const { config } = entry;
  // Sources first: a missing sample is bad input, found before minutes of calls to the live endpoint.
  let sources: { sample: DriftSource; reference: DriftSource } | undefined;
  if (config.features.length > 0) {
    const sample =
      options.sample !== undefined
        ? await resolver.resolveOverride(options.sample, config.sample)
        : await resolver.resolve(config.sample!, "sample");
    sources = { sample, reference: await resolver.resolve(config.reference!, "reference") };
  }
  const quality =
    plan !== undefined
      ? await runQuality({
          plan,
          loaded,
          configFile: options.config,
          cwd: options.cwd,
          env: options.env,
          logger: options.logger,
          store: options.store,
          environment,
          monitor: entry,
          serving,
          ...(options.out ? { out: join(options.out, segment(environment.name), segment(entry.key)) } : {}),
          signal: options.signal,
        })
      : undefined;
  const drift: DriftResult | undefined = sources
    ? await analyzeDrift({ ...sources, features: config.features, thresholds: config.thresholds, maxRecords: config.maxRecords })
    : undefined;
  const outcome: MonitorOutcome = {
    key: entry.key,
    ...(quality ? { quality } : {}),
    ...(drift ? { drift } : {}),
    alert: { status: alertStatus(quality, drift), reasons: [], notifications: [] },
  };
  outcome.alert.reasons = alertReasons(outcome);
  return outcome;
}
