import { z } from "zod";
import { aliasSchema, artifactNameSchema } from "./names.ts";

/**
 * The `compare:` section of `llmops.yaml`: where the baseline comes from, what happens without
 * one, and the regression gates a pull request must pass. Owned by the compare capability.
 */

/** Where the baseline results come from. */
export const baselineSourceSchema = z.union([
  /** The eval evidence recorded on the version an alias points to (e.g. `production`). */
  z.strictObject({ alias: aliasSchema, artifact: artifactNameSchema }),
  /** The latest successful results on the pull request's base branch (a workflow artifact). */
  z.strictObject({ branch: z.literal(true) }),
  /** An explicit results directory or `summary.json`, relative to the config file's directory. */
  z.strictObject({ file: z.string().min(1) }),
]);
export type BaselineSource = z.infer<typeof baselineSourceSchema>;

const fraction = z.number().nonnegative();

/** Regression gates on one metric, judged in the metric's own direction ("drop" = got worse). */
export const metricRegressionGateSchema = z
  .strictObject({
    /** Largest allowed worsening in the metric's units (0.02 = two points of pass rate). */
    maxDrop: fraction.optional(),
    /** Largest allowed worsening relative to the baseline value (0.05 = 5%). */
    maxRelativeDrop: fraction.optional(),
    /** Fail when the metric is a significant regression at alpha (Holm-adjusted); `true` uses the section's alpha. */
    noSignificantRegression: z.union([z.literal(true), z.strictObject({ alpha: z.number().gt(0).lt(1).optional() })]).optional(),
  })
  .refine((gate) => gate.maxDrop !== undefined || gate.maxRelativeDrop !== undefined || gate.noSignificantRegression !== undefined, {
    message: "expected at least one of maxDrop, maxRelativeDrop, noSignificantRegression",
  });
export type MetricRegressionGate = z.infer<typeof metricRegressionGateSchema>;

/** Settings that can be given for all suites and overridden per suite. */
const compareSettings = {
  /** What the verdict is when no baseline is found: `pass` (head's own gates decide) or `fail`. */
  noBaseline: z.enum(["pass", "fail"]).optional(),
  /** Significance level for verdicts; default 0.05. */
  alpha: z.number().gt(0).lt(1).optional(),
  /** Bootstrap resamples; default 10,000. */
  resamples: z.number().int().min(100).max(1_000_000).optional(),
  /** Bootstrap seed, so reports are reproducible. */
  seed: z.number().int().nonnegative().optional(),
  /** Regression gates keyed by metric name (`pass_rate`, `score`, a scorer's name, …). */
  gates: z.record(z.string().min(1), metricRegressionGateSchema).optional(),
  /** Largest allowed increase of the mean cost per case, relative to the baseline (0.1 = +10%). */
  maxCostIncrease: fraction.optional(),
  /** Largest allowed increase of the mean latency per case, relative to the baseline. */
  maxLatencyIncrease: fraction.optional(),
  /** Characters kept of inputs/outputs in flipped-case excerpts. */
  excerptLength: z.number().int().min(16).max(10_000).optional(),
};

export const suiteCompareOverrideSchema = z.strictObject(compareSettings);
export type SuiteCompareOverride = z.infer<typeof suiteCompareOverrideSchema>;

export const compareSchema = z.strictObject({
  baseline: baselineSourceSchema.optional(),
  ...compareSettings,
  /** Per-suite overrides keyed by suite (or variant) name; gates merge by metric. */
  suites: z.record(z.string().min(1), suiteCompareOverrideSchema).optional(),
});
export type CompareConfig = z.infer<typeof compareSchema>;

/** The settings in force for one suite, defaults filled in. */
export interface ResolvedCompareSettings {
  noBaseline: "pass" | "fail";
  alpha: number;
  resamples: number;
  seed: number;
  gates: Record<string, MetricRegressionGate>;
  maxCostIncrease?: number;
  maxLatencyIncrease?: number;
  excerptLength: number;
}

export const COMPARE_DEFAULTS = { noBaseline: "pass", alpha: 0.05, resamples: 10_000, seed: 20_240_601, excerptLength: 240 } as const;

/** The section's settings with the suite's overrides applied (gates merge by metric; a suite's gate replaces the global one). */
export function resolveCompareSettings(config: CompareConfig | undefined, suite: string): ResolvedCompareSettings {
  const override = config?.suites?.[suite];
  const pick = <K extends keyof SuiteCompareOverride>(key: K): SuiteCompareOverride[K] => override?.[key] ?? config?.[key];
  const settings: ResolvedCompareSettings = {
    noBaseline: pick("noBaseline") ?? COMPARE_DEFAULTS.noBaseline,
    alpha: pick("alpha") ?? COMPARE_DEFAULTS.alpha,
    resamples: pick("resamples") ?? COMPARE_DEFAULTS.resamples,
    seed: pick("seed") ?? COMPARE_DEFAULTS.seed,
    gates: { ...config?.gates, ...override?.gates },
    excerptLength: pick("excerptLength") ?? COMPARE_DEFAULTS.excerptLength,
  };
  const cost = pick("maxCostIncrease");
  const latency = pick("maxLatencyIncrease");
  if (cost !== undefined) settings.maxCostIncrease = cost;
  if (latency !== undefined) settings.maxLatencyIncrease = latency;
  return settings;
}
