import { z } from "zod";
import { bool, families } from "./catalog.ts";
import type { MetricSample } from "./metric-set.ts";

/**
 * Monitoring results as samples: data drift per feature, live quality per metric against the
 * evidence of the promotion, and the alert state. The inputs are structural: the rows below are
 * the least a monitoring pass must say, and MonitorResultInput is the part of `llmops monitor
 * --json` (monitor/result.ts) the export reads, so a MonitorResult is passed as it is.
 */

export interface DriftMetricsInput {
  readonly environment: string;
  /** The monitor's suite, or its key (`drift`) when it has none. */
  readonly suite: string;
  readonly feature: string;
  /** The headline population stability index, when computed. */
  readonly psi?: number | undefined;
  /** Each test that ran: its statistic and, for KS and chi-square, its p-value; `of` is the aspect compared (value, length, …). */
  readonly tests?:
    | readonly {
        readonly test: string;
        readonly of?: string | undefined;
        readonly statistic?: number | undefined;
        readonly pValue?: number | undefined;
      }[]
    | undefined;
  /** The verdict; undefined when there were too few values to judge. */
  readonly drifted?: boolean | undefined;
}

export interface QualityMetricsInput {
  readonly environment: string;
  readonly suite: string;
  readonly metrics: readonly {
    readonly name: string;
    /** The metric on the live endpoint. */
    readonly head: number;
    /** The metric in the evidence recorded at promotion. */
    readonly baseline?: number | undefined;
    readonly delta?: number | undefined;
    /** The paired test; `none` (untestable) gives no p-value series. */
    readonly test?: string | undefined;
    readonly pValue?: number | undefined;
    readonly regression?: boolean | undefined;
  }[];
}

export interface MonitorAlertInput {
  readonly environment: string;
  readonly suite: string;
  readonly alerting: boolean;
}

/** The part of `llmops monitor --json` the export reads. */
export interface MonitorResultInput {
  readonly environments: readonly {
    readonly environment: string;
    readonly monitors: readonly {
      /** The alert key: the monitor's suite, else `drift`. */
      readonly key: string;
      readonly quality?:
        | {
            readonly suite: string;
            readonly metrics: readonly {
              readonly name: string;
              readonly baseline: number;
              readonly head: number;
              readonly delta: number;
              readonly test: string;
              readonly pValue: number;
              readonly verdict: string;
            }[];
          }
        | undefined;
      readonly drift?:
        | {
            readonly features: readonly {
              readonly field: string;
              readonly verdict: string;
              readonly psi?: number | undefined;
              readonly tests: readonly {
                readonly test: string;
                readonly of: string;
                readonly statistic: number;
                readonly pValue?: number | undefined;
              }[];
            }[];
          }
        | undefined;
      /** `alerting`, `ok`, or `inconclusive` (some part could not be judged: an open alert stays, so no series). */
      readonly alert: { readonly status: string };
    }[];
  }[];
}

/**
 * MonitorResultInput as a zod schema: what `llmops metrics` checks a monitor document against.
 * Loose (other fields pass) and narrower than monitor/result.ts's schema, which the tests hold it
 * to; `alerting` at the top is what tells a monitor document from a status one.
 */
export const monitorResultInputSchema = z.looseObject({
  schemaVersion: z.literal(1),
  alerting: z.boolean(),
  environments: z.array(
    z.looseObject({
      environment: z.string(),
      monitors: z.array(
        z.looseObject({
          key: z.string(),
          quality: z
            .looseObject({
              suite: z.string(),
              metrics: z.array(
                z.looseObject({
                  name: z.string(),
                  baseline: z.number(),
                  head: z.number(),
                  delta: z.number(),
                  test: z.string(),
                  pValue: z.number(),
                  verdict: z.string(),
                }),
              ),
            })
            .optional(),
          drift: z
            .looseObject({
              features: z.array(
                z.looseObject({
                  field: z.string(),
                  verdict: z.string(),
                  psi: z.number().optional(),
                  tests: z.array(z.looseObject({ test: z.string(), of: z.string(), statistic: z.number(), pValue: z.number().optional() })),
                }),
              ),
            })
            .optional(),
          alert: z.looseObject({ status: z.string() }),
        }),
      ),
    }),
  ),
});

export function driftSamples(drift: readonly DriftMetricsInput[]): MetricSample[] {
  const samples: MetricSample[] = [];
  for (const d of drift) {
    const labels = { environment: d.environment, suite: d.suite, feature: d.feature };
    if (d.psi !== undefined) samples.push({ family: families.driftPsi, labels, value: d.psi });
    for (const t of d.tests ?? []) {
      const tested = { ...labels, test: t.test, aspect: t.of };
      if (t.statistic !== undefined) samples.push({ family: families.driftStatistic, labels: tested, value: t.statistic });
      if (t.pValue !== undefined) samples.push({ family: families.driftPValue, labels: tested, value: t.pValue });
    }
    if (d.drifted !== undefined) samples.push({ family: families.driftDetected, labels, value: bool(d.drifted) });
  }
  return samples;
}

export function qualitySamples(quality: readonly QualityMetricsInput[]): MetricSample[] {
  const samples: MetricSample[] = [];
  for (const q of quality) {
    for (const m of q.metrics) {
      const labels = { environment: q.environment, suite: q.suite, metric: m.name };
      samples.push({ family: families.monitorMetric, labels, value: m.head });
      if (m.baseline !== undefined) samples.push({ family: families.monitorBaseline, labels, value: m.baseline });
      if (m.delta !== undefined) samples.push({ family: families.monitorDelta, labels, value: m.delta });
      if (m.pValue !== undefined && m.test !== "none")
        samples.push({ family: families.monitorPValue, labels: { ...labels, test: m.test }, value: m.pValue });
      if (m.regression !== undefined) samples.push({ family: families.monitorRegression, labels, value: bool(m.regression) });
    }
  }
  return samples;
}

export function alertSamples(alerts: readonly MonitorAlertInput[]): MetricSample[] {
  return alerts.map((a) => ({
    family: families.monitorAlert,
    labels: { environment: a.environment, suite: a.suite },
    value: bool(a.alerting),
  }));
}

/** A whole monitoring pass: every environment's monitors, drift, quality and alert. */
export function monitorResultSamples(result: MonitorResultInput): MetricSample[] {
  const drift: DriftMetricsInput[] = [];
  const quality: QualityMetricsInput[] = [];
  const alerts: MonitorAlertInput[] = [];
  for (const { environment, monitors } of result.environments) {
    for (const monitor of monitors) {
      const suite = monitor.quality?.suite ?? monitor.key;
      for (const f of monitor.drift?.features ?? []) {
        const drifted = f.verdict === "drift" ? true : f.verdict === "ok" ? false : undefined;
        drift.push({ environment, suite, feature: f.field, psi: f.psi, tests: f.tests, drifted });
      }
      if (monitor.quality) {
        const metrics = monitor.quality.metrics.map((m) => ({ ...m, regression: m.verdict === "significant regression" }));
        quality.push({ environment, suite, metrics });
      }
      if (monitor.alert.status === "alerting" || monitor.alert.status === "ok")
        alerts.push({ environment, suite, alerting: monitor.alert.status === "alerting" });
    }
  }
  return [...driftSamples(drift), ...qualitySamples(quality), ...alertSamples(alerts)];
}
