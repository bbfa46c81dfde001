import type { CanaryMetricConfig, RouterConfig } from "@llmops/core";
import type { Sample } from "@llmops/eval";
import { type MetricReading, type MetricSource, type MetricSourceContext, MetricSourceError } from "../../src/canary/metric-source.ts";
import { type Router, RouterError, type RouterReading } from "../../src/canary/router.ts";

/** An in-memory router: the test reads `percent` and drives the request counters. */
export interface FakeRouter {
  factory: (config: RouterConfig) => Router;
  percent: number;
  requests: { stable: number; canary: number };
  log: string[];
  /** Makes every call fail (the socket is gone). */
  broken: boolean;
  /** Whether it counts requests (like HAProxy) or not (like a webhook). */
  counts: boolean;
}

export function fakeRouter(options: { counts?: boolean } = {}): FakeRouter {
  const state: FakeRouter = {
    percent: 0,
    requests: { stable: 0, canary: 0 },
    log: [],
    broken: false,
    counts: options.counts ?? true,
    factory: () => router,
  };
  const reading = (): RouterReading => ({
    canaryPercent: state.percent,
    ...(state.counts ? { requests: { ...state.requests } } : {}),
    details: { percent: state.percent },
    summary: `fake: stable ${100 - state.percent} / canary ${state.percent}`,
  });
  const router: Router = {
    type: state.counts ? "haproxy" : "webhook",
    variantNames: { stable: "blue", canary: "green" },
    async setCanaryPercent(percent) {
      if (state.broken) throw new RouterError("haproxy", "runtime API socket /run/haproxy/admin.sock: no such file");
      state.log.push(`set ${percent}`);
      state.percent = percent;
      return reading();
    },
    async read(_versions) {
      if (state.broken) throw new RouterError("haproxy", "runtime API socket /run/haproxy/admin.sock: no such file");
      return state.counts ? reading() : undefined;
    },
  };
  return state;
}

/** Metric sources whose readings the test sets per metric name (a function may look at the context). */
export interface FakeSources {
  factory: (metric: CanaryMetricConfig) => MetricSource;
  readings: Map<string, MetricReading | ((context: MetricSourceContext) => Promise<MetricReading> | MetricReading)>;
  contexts: MetricSourceContext[];
}

export function fakeSources(): FakeSources {
  const readings: FakeSources["readings"] = new Map();
  const contexts: MetricSourceContext[] = [];
  const factory = (metric: CanaryMetricConfig): MetricSource => ({
    async read(context) {
      contexts.push(context);
      const found = readings.get(metric.name);
      if (!found) throw new MetricSourceError(metric.name, "Prometheus at http://127.0.0.1:9/ unreachable (ECONNREFUSED)");
      return typeof found === "function" ? found(context) : found;
    },
  });
  return { factory, readings, contexts };
}

export const proportion = (successes: number, n: number): Sample => ({ kind: "proportion", n, successes });

export function reading(stable: Sample | null, canary: Sample | null): MetricReading {
  return { stable, canary, sources: ["fake"] };
}
