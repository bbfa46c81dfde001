// Monitoring: the quality of a serving environment against the evidence it was promoted on, data
// drift of its production inputs, and the alert issue per environment and monitor.
export {
  type AlertMessage,
  MONITOR_SIGNATURE_HEADER,
  type MonitorAlertKey,
  type MonitorAlerts,
  type NotifyMonitorOptions,
  notifyMonitor,
  sendMonitorWebhook,
  webhookPayload,
} from "./alerts.ts";
export { type MonitorConfig, type MonitorEntry, monitorsOf } from "./config.ts";
export { type MonitorOptions, monitor } from "./monitor.ts";
export { planQuality, type QualityOptions, type QualityPlan, runQuality } from "./quality.ts";
export { alertReasons, alertTitle, describeMonitor, monitorMarkdown, monitorSummaryMarkdown } from "./render.ts";
export {
  type EnvironmentMonitor,
  environmentMonitorSchema,
  type MetricCheck,
  type MonitorAlertState,
  type MonitorNotification,
  type MonitorOutcome,
  type MonitorResult,
  metricCheckSchema,
  monitorAlertStateSchema,
  monitorNotificationSchema,
  monitorOutcomeSchema,
  monitorResultSchema,
  type QualityResult,
  qualityResultSchema,
} from "./result.ts";
export { type BaselineRun, baselineRun, type ServingVersion, servingVersion } from "./serving.ts";
export { SourceResolver } from "./sources.ts";
