// Results → series: the numbers of each result document under the documented names and labels,
// and every family the export defines accepted by promtool (parse and lint) in both formats.
import { describe, expect, it } from "vitest";
// The engines' own result schemas, to hold the fixtures (and so the structural inputs) to them.
import { checkResultSchema } from "../../src/check/result.ts";
import {
  checkSamples,
  comparisonSamples,
  driftSamples,
  evalSamples,
  families,
  type MetricSample,
  MetricSet,
  modelName,
  monitorResultInputSchema,
  monitorResultSamples,
  promotionSamples,
  qualitySamples,
  renderExposition,
} from "../../src/metrics/index.ts";
import { monitorResultSchema } from "../../src/monitor/result.ts";
import {
  CANDIDATE_DIGEST,
  checkDocument,
  comparison,
  evalSummary,
  MODEL_DIGEST,
  monitorDocument,
  STABLE_DIGEST,
  statusDocument,
} from "./fixtures.ts";
import { promtoolCheckMetrics, promtoolParseOpenMetrics } from "./promtool.ts";

/** The sample lines of the OpenMetrics text (no metadata, no # EOF). */
function sampleLines(samples: MetricSample[]): string[] {
  const set = new MetricSet();
  set.addAll(samples);
  return renderExposition(set, "openmetrics")
    .split("\n")
    .filter((line) => line !== "" && !line.startsWith("#"));
}

const run = `suite="sentiment",model="acme/sentiment",digest="${MODEL_DIGEST}",environment="production"`;

describe("eval results (summary.json)", () => {
  it("gives per metric its value, interval (when it has one) and cases; per slice its values; the run's counts, gates and end", () => {
    expect(sampleLines(evalSamples(evalSummary(), { environment: "production" }))).toEqual([
      `llmops_eval_metric{suite="sentiment",metric="accuracy",model="acme/sentiment",digest="${MODEL_DIGEST}",environment="production"} 0.915`,
      `llmops_eval_metric{suite="sentiment",metric="latency_ms",model="acme/sentiment",digest="${MODEL_DIGEST}",environment="production"} 120.5`,
      `llmops_eval_metric_ci_low{suite="sentiment",metric="accuracy",model="acme/sentiment",digest="${MODEL_DIGEST}",environment="production",level="0.95"} 0.8686`,
      `llmops_eval_metric_ci_high{suite="sentiment",metric="accuracy",model="acme/sentiment",digest="${MODEL_DIGEST}",environment="production",level="0.95"} 0.9462`,
      `llmops_eval_metric_cases{suite="sentiment",metric="accuracy",model="acme/sentiment",digest="${MODEL_DIGEST}",environment="production"} 200`,
      `llmops_eval_metric_cases{suite="sentiment",metric="latency_ms",model="acme/sentiment",digest="${MODEL_DIGEST}",environment="production"} 198`,
      `llmops_eval_slice_metric{suite="sentiment",metric="accuracy",model="acme/sentiment",digest="${MODEL_DIGEST}",environment="production",slice="language",slice_value="de"} 0.9`,
      `llmops_eval_cases{${run}} 200`,
      `llmops_eval_errors{${run}} 2`,
      `llmops_eval_passed{${run}} 1`,
      // 2026-01-02T03:04:05.5Z in Unix seconds (python3: datetime(2026,1,2,3,4,5,500000,tzinfo=timezone.utc).timestamp()).
      `llmops_eval_finished_timestamp_seconds{${run}} 1767323045.5`,
    ]);
  });

  it("leaves out model, digest and environment when the run has none", () => {
    const lines = sampleLines(evalSamples(evalSummary({ model: undefined, passed: false })));
    expect(lines).toContain('llmops_eval_metric{suite="sentiment",metric="accuracy"} 0.915');
    expect(lines).toContain('llmops_eval_passed{suite="sentiment"} 0');
  });

  it("refuses a shard or an interrupted run: exported, it would read as the suite's result", () => {
    expect(() => evalSamples(evalSummary({ complete: false, shard: { index: 2, count: 4 } }))).toThrow(
      "eval results of suite sentiment are shard 2 of 4; export the complete (merged) run",
    );
    expect(() => evalSamples(evalSummary({ complete: false }))).toThrow(/an interrupted run/);
  });

  it("names the model by its repository, so a series keeps its name across versions", () => {
    expect(modelName("acme/sentiment:v3")).toBe("acme/sentiment");
    expect(modelName(`acme/sentiment@${MODEL_DIGEST}`)).toBe("acme/sentiment");
    expect(modelName("sentiment")).toBe("sentiment");
    expect(modelName("registry:5000/acme/sentiment")).toBe("registry:5000/acme/sentiment");
  });
});

describe("comparisons (comparison.json)", () => {
  it("gives baseline, head, delta, its interval, p-values with the test, regression; the suite's matched cases, flips and gates", () => {
    const labels = (metric: string) => `suite="sentiment",metric="${metric}",environment="staging"`;
    expect(sampleLines(comparisonSamples(comparison(), { environment: "staging" }))).toEqual([
      `llmops_compare_baseline{${labels("accuracy")}} 0.9`,
      `llmops_compare_baseline{${labels("bleu")}} 31.2`,
      `llmops_compare_head{${labels("accuracy")}} 0.8`,
      `llmops_compare_head{${labels("bleu")}} 31.5`,
      `llmops_compare_delta{${labels("accuracy")}} -0.1`,
      `llmops_compare_delta{${labels("bleu")}} 0.3`,
      `llmops_compare_delta_ci_low{${labels("accuracy")},level="0.9"} -0.18`,
      `llmops_compare_delta_ci_high{${labels("accuracy")},level="0.9"} -0.03`,
      // bleu was not tested (test: none): its placeholder p of 1 is not exported.
      `llmops_compare_p_value{${labels("accuracy")},test="mcnemar-exact"} 0.0117`,
      `llmops_compare_p_adjusted{${labels("accuracy")},test="mcnemar-exact"} 0.0234`,
      `llmops_compare_regression{${labels("accuracy")}} 1`,
      `llmops_compare_regression{${labels("bleu")}} 0`,
      'llmops_compare_matched_cases{suite="sentiment",environment="staging"} 60',
      'llmops_compare_flips{suite="sentiment",environment="staging",direction="pass-to-fail"} 2',
      'llmops_compare_flips{suite="sentiment",environment="staging",direction="fail-to-pass"} 1',
      'llmops_compare_passed{suite="sentiment",environment="staging"} 0',
    ]);
  });

  it("reads passed from the gates, not from the stored verdict (as the report stage reads a comparison it did not write)", () => {
    const forged = comparison({ verdict: "pass" });
    expect(sampleLines(comparisonSamples(forged))).toContain('llmops_compare_passed{suite="sentiment"} 0');
  });
});

describe("promotion status (llmops status --json)", () => {
  it("gives what each environment serves and since when, and the canary rollout's decision, percent and step", () => {
    expect(sampleLines(promotionSamples(statusDocument()))).toEqual([
      `llmops_promotion_info{environment="staging",name="acme/sentiment",alias="staging",digest="${STABLE_DIGEST}",version="v3"} 1`,
      `llmops_promotion_info{environment="production",name="acme/sentiment",alias="production",digest="${MODEL_DIGEST}",version="v2"} 1`,
      // 2026-03-01T12:00:00Z (python3: datetime(2026,3,1,12,tzinfo=timezone.utc).timestamp()).
      'llmops_promotion_since_timestamp_seconds{environment="staging",name="acme/sentiment",alias="staging"} 1772366400',
      'llmops_promotion_since_timestamp_seconds{environment="production",name="acme/sentiment",alias="production"} 1767323045.5',
      `llmops_rollout_info{environment="staging",name="acme/sentiment",candidate="${CANDIDATE_DIGEST}",stable="${STABLE_DIGEST}",version="v4",decision="advance"} 1`,
      `llmops_rollout_percent{environment="staging",name="acme/sentiment",candidate="${CANDIDATE_DIGEST}"} 25`,
      `llmops_rollout_step{environment="staging",name="acme/sentiment",candidate="${CANDIDATE_DIGEST}"} 1`,
      `llmops_rollout_steps{environment="staging",name="acme/sentiment",candidate="${CANDIDATE_DIGEST}"} 3`,
    ]);
  });
});

describe("dataset checks (llmops check --json)", () => {
  it("gives per check passed and findings, findings by kind, and the cases read", () => {
    const result = checkResultSchema.parse(checkDocument());
    const dataset = `dataset="demo/reviews",digest="${MODEL_DIGEST}"`;
    expect(sampleLines(checkSamples(result))).toEqual([
      `llmops_check_passed{${dataset},check="duplicates"} 1`,
      `llmops_check_passed{${dataset},check="pii"} 0`,
      `llmops_check_findings{${dataset},check="duplicates"} 0`,
      `llmops_check_findings{${dataset},check="pii"} 4`,
      `llmops_check_findings_by_kind{${dataset},check="duplicates",kind="exact"} 0`,
      `llmops_check_findings_by_kind{${dataset},check="duplicates",kind="near"} 0`,
      `llmops_check_findings_by_kind{${dataset},check="pii",kind="email"} 3`,
      `llmops_check_findings_by_kind{${dataset},check="pii",kind="iban"} 1`,
      `llmops_check_cases{${dataset}} 1000`,
    ]);
  });
});

describe("monitoring (llmops monitor --json)", () => {
  it("gives drift per feature and test, live quality against promotion, and the alert (none while inconclusive)", () => {
    const result = monitorResultSchema.parse(monitorDocument());
    // What the CLI checks a monitor document against reads the engine's document as it is.
    expect(monitorResultInputSchema.safeParse(monitorDocument()).success).toBe(true);
    const drift = 'environment="production",suite="drift",feature="text"';
    const live = 'environment="production",suite="sentiment"';
    expect(sampleLines(monitorResultSamples(result))).toEqual([
      `llmops_drift_psi{${drift}} 0.31`,
      `llmops_drift_statistic{${drift},test="psi",aspect="length"} 0.31`,
      `llmops_drift_statistic{${drift},test="ks",aspect="length"} 0.12`,
      `llmops_drift_statistic{${drift},test="chi-square",aspect="language"} 1.5`,
      `llmops_drift_p_value{${drift},test="ks",aspect="length"} 0.0004`,
      `llmops_drift_p_value{${drift},test="chi-square",aspect="language"} 0.47`,
      // rating: too few values to judge, so no verdict series.
      `llmops_drift_detected{${drift}} 1`,
      `llmops_monitor_metric{${live},metric="accuracy"} 0.84`,
      `llmops_monitor_metric{${live},metric="bleu"} 30.5`,
      `llmops_monitor_baseline{${live},metric="accuracy"} 0.915`,
      `llmops_monitor_baseline{${live},metric="bleu"} 30`,
      `llmops_monitor_delta{${live},metric="accuracy"} -0.075`,
      `llmops_monitor_delta{${live},metric="bleu"} 0.5`,
      `llmops_monitor_p_value{${live},metric="accuracy",test="mcnemar-exact"} 0.003`,
      `llmops_monitor_regression{${live},metric="accuracy"} 1`,
      `llmops_monitor_regression{${live},metric="bleu"} 0`,
      `llmops_monitor_alert{${live}} 1`,
    ]);
  });

  it("takes plain rows too, for a caller without a whole monitoring pass", () => {
    expect(driftSamples([])).toEqual([]);
    expect(sampleLines(qualitySamples([{ environment: "e", suite: "s", metrics: [{ name: "m", head: 0.5 }] }]))).toEqual([
      'llmops_monitor_metric{environment="e",suite="s",metric="m"} 0.5',
    ]);
  });
});

describe("the whole catalog", () => {
  it("is accepted by promtool in both formats, without a lint remark, every family present", () => {
    const set = new MetricSet();
    set.addAll(evalSamples(evalSummary(), { environment: "production" }));
    set.addAll(comparisonSamples(comparison(), { environment: "staging" }));
    set.addAll(promotionSamples(statusDocument()));
    set.addAll(checkSamples(checkResultSchema.parse(checkDocument())));
    set.addAll(monitorResultSamples(monitorResultSchema.parse(monitorDocument())));
    expect(
      set
        .families()
        .map((f) => f.family.name)
        .sort(),
    ).toEqual(
      Object.values(families)
        .map((f) => f.name)
        .sort(),
    );
    expect(promtoolCheckMetrics(renderExposition(set, "prometheus"))).toEqual({ code: 0, output: "" });
    const parsed = promtoolParseOpenMetrics(renderExposition(set, "openmetrics"));
    expect(parsed.code, parsed.output).toBe(0);
  });
});
