import { type CanaryMetricConfig, canaryMetricSchema, InputError, type RouterConfig, routerConfigSchema } from "@llmops/core";
import { describe, expect, it } from "vitest";
import { createMetricSource, METRIC_SOURCE_FACTORIES, METRIC_SOURCE_KEYS } from "../../src/canary/metrics/index.ts";
import { createRouter, ROUTER_FACTORIES, ROUTER_TYPES } from "../../src/canary/routers/index.ts";

/** The smallest valid config of each router type, parsed by the schema (defaults filled in). */
const MINIMAL: Record<string, unknown> = {
  haproxy: { type: "haproxy", socket: "haproxy.sock", backend: "model", stable: "blue", canary: "green" },
  gitops: { type: "gitops", path: "isvc.yaml", reference: "oci://ghcr.io/acme/{{name}}@{{digest}}" },
  webhook: { type: "webhook", url: "https://mesh.example/traffic" },
};

describe("router registry", () => {
  const schemaTypes = routerConfigSchema.options.map((option) => option.shape.type.value).sort();

  it("has a router for every type of the config schema's discriminated union, and no other", () => {
    expect([...ROUTER_TYPES].sort()).toEqual(schemaTypes);
    expect(Object.keys(ROUTER_FACTORIES).sort()).toEqual(schemaTypes);
    expect(Object.keys(MINIMAL).sort()).toEqual(schemaTypes);
  });

  it.each(schemaTypes)("createRouter builds %s from a parsed config", (type) => {
    const router = createRouter(routerConfigSchema.parse(MINIMAL[type]) as RouterConfig);
    expect(router.type).toBe(type);
    expect(typeof router.setCanaryPercent).toBe("function");
    expect(typeof router.read).toBe("function");
    expect(Object.keys(router.variantNames).sort()).toEqual(["canary", "stable"]);
  });

  it("refuses a type it does not know, naming the ones it does", () => {
    expect(() => createRouter({ type: "nginx" } as unknown as RouterConfig)).toThrow(InputError);
    expect(() => createRouter({ type: "toString" } as unknown as RouterConfig)).toThrow(
      'router type "toString" has no implementation; expected one of haproxy, gitops, webhook',
    );
  });
});

describe("metric source registry", () => {
  const metric = (source: Record<string, unknown>) => canaryMetricSchema.parse({ name: "m", max: 1, ...source }) as CanaryMetricConfig;
  const SOURCES: Record<string, Record<string, unknown>> = {
    prometheus: { prometheus: 'sum(rate(errors{server="{{variant}}"}[5m]))' },
    feedback: { feedback: { file: "feedback.jsonl", field: "ok" } },
  };

  // Every other key of a metric is a source: a key added to the schema fails here until it is classified.
  const CRITERIA = ["name", "direction", "max", "min", "noWorseThan", "guardrail"];

  it("has a source for every source key of the metric schema, and each builds from a parsed metric", () => {
    const schemaKeys = Object.keys(canaryMetricSchema.shape).filter((key) => !CRITERIA.includes(key));
    expect([...METRIC_SOURCE_KEYS].sort()).toEqual(Object.keys(SOURCES).sort());
    expect(schemaKeys.sort()).toEqual(Object.keys(SOURCES).sort());
    for (const key of METRIC_SOURCE_KEYS) {
      expect(typeof METRIC_SOURCE_FACTORIES[key]).toBe("function");
      expect(typeof createMetricSource(metric(SOURCES[key]!)).read).toBe("function");
    }
  });

  it("refuses a metric without a source", () => {
    expect(() => createMetricSource({ name: "m", guardrail: false } as CanaryMetricConfig)).toThrow(
      "metric m has no source; expected one of prometheus, feedback",
    );
  });
});
