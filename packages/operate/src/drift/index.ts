// Data drift: the statistics (PSI, and from @llmops/eval's stats the two-sample KS and chi-square
// tests), the language identifier, and the analysis of a production sample against a reference.
export { analyzeFeature, MAX_TABLE_CATEGORIES } from "./analyze.ts";
export {
  addRecord,
  type FeatureColumn,
  fieldValue,
  MAX_CATEGORIES,
  MAX_VOCABULARY,
  MISSING_CATEGORY,
  newColumn,
  OTHER_CATEGORY,
} from "./columns.ts";
export { type AnalyzeDriftOptions, analyzeDrift, type DriftSource } from "./drift.ts";
export { identifyLanguage, LANGUAGE_LABELS, type LanguageLabel } from "./language.ts";
export { binShares, categoricalPsi, numericPsi, PSI_FLOOR, psiOfShares, quantileEdges } from "./psi.ts";
export { MAX_RECORD_LINE_BYTES, RECORD_FORMATS, type RecordFormat, type RecordStats, readRecords, recordFormat } from "./records.ts";
export {
  type DataSource,
  type DriftResult,
  type DriftTest,
  dataSourceSchema,
  driftResultSchema,
  driftTestSchema,
  type FeatureDrift,
  featureDriftSchema,
} from "./result.ts";
export { characterLength, tokenize } from "./tokenize.ts";
