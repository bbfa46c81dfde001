// Metrics export: results as OpenMetrics / Prometheus text, and a Pushgateway client.
export { bool, families } from "./catalog.ts";
export { type CheckMetricsInput, checkSamples } from "./check.ts";
export { comparisonSamples } from "./compare.ts";
export { MetricsError, PushgatewayError } from "./errors.ts";
export { boundLabelValue, escapeHelp, escapeLabelValue, formatValue, MAX_LABEL_VALUE_LENGTH } from "./escape.ts";
export { evalSamples, modelName, type ResultMetricsOptions } from "./eval.ts";
export {
  defineFamily,
  type FamilySeries,
  type LabelValues,
  type MetricFamily,
  type MetricSample,
  MetricSet,
  type MetricType,
  type Series,
} from "./metric-set.ts";
export {
  alertSamples,
  type DriftMetricsInput,
  driftSamples,
  type MonitorAlertInput,
  type MonitorResultInput,
  monitorResultInputSchema,
  monitorResultSamples,
  type QualityMetricsInput,
  qualitySamples,
} from "./monitor.ts";
export { checkLabelName, checkMetricName, RESERVED_SUFFIXES } from "./names.ts";
export { type PromotionStatusInput, promotionSamples } from "./promotion.ts";
export {
  checkGroupingAgainstSeries,
  groupingPath,
  PUSH_DEFAULTS,
  type PushgatewayOptions,
  type PushResult,
  pushgatewayBaseUrl,
  pushMetrics,
} from "./pushgateway.ts";
export { CONTENT_TYPES, EXPOSITION_FORMATS, type ExpositionFormat, renderExposition, sampleName } from "./render.ts";
export {
  detectResultKind,
  parseComparison,
  parseEvalSummary,
  parseResult,
  RESULT_KIND_DESCRIPTIONS,
  type ResultDocument,
  type ResultKind,
  readCompareReport,
  readResultDocuments,
  requireResultKind,
} from "./sources.ts";
