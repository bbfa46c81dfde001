export { UPLOT_VERSION } from "./assets.generated.ts";
export { DEFAULT_MAX_TEXT_BYTES, TRIMMED_TEXT_LENGTH } from "./data.ts";
export type {
  HistoryEvidence,
  HistoryMetric,
  HistoryMove,
  HistoryPromotion,
  HistoryVersion,
  HtmlReportHistory,
  HtmlReportInput,
  HtmlReportRun,
  HtmlReportSuite,
} from "./model.ts";
export { contentSecurityPolicy, DATA_ELEMENT_ID, type HtmlReportStats, htmlReportChunks, renderHtmlReport } from "./page.ts";
export { scriptJson } from "./script-json.ts";
export { assertNotDirectory, type WrittenHtmlReport, writeHtmlReport } from "./write.ts";
