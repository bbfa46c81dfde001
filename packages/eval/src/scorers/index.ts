export {
  type BleuOptions,
  type BleuResult,
  type BleuScoreOptions,
  type BleuSmooth,
  type BleuStats,
  type BleuTokenize,
  bleuFromStats,
  bleuStats,
  bleuTokens,
  corpusBleu,
  MAX_NGRAM_ORDER,
  type SentenceBleuOptions,
  sentenceBleu,
  sumBleuStats,
  tokenize13a,
} from "./bleu.ts";
export { type ChrfOptions, type ChrfStats, chrF, chrfFromStats, chrfStats, corpusChrF } from "./chrf.ts";
export { type ClassificationReport, classificationReport, type LabelMetrics } from "./classification.ts";
export { createScorer } from "./create.ts";
export { type CustomScorerFunction, interpretCustomResult, loadCustomScorer } from "./custom.ts";
export { extractJsonObject, fencedBlock, parseJsonOutput } from "./json.ts";
export { parseJudgeReply, renderRubric } from "./judge.ts";
export { levenshteinDistance, levenshteinSimilarity } from "./levenshtein.ts";
export { parseNumbers, withinTolerance } from "./numeric.ts";
export { porterStem } from "./porter.ts";
export { parseRagReply, RAG_PROMPTS, renderRagPrompt, splitSentences } from "./rag.ts";
export { detectRefusal } from "./refusal.ts";
export { compileLinearRegex, type LinearRegex, UnsupportedRegexError } from "./regex.ts";
export { lcsLength, type RougeOptions, type RougeScore, type RougeVariant, rougeL, rougeMulti, rougeN, rougeTokenize } from "./rouge.ts";
export { cosineSimilarity, EmbeddingBatcher } from "./similar.ts";
export { squadExactMatch, squadNormalize, tokenF1 } from "./squad.ts";
export { jsonEqual, jsonSubset, toolCallF1 } from "./tool-call.ts";
export { compareTrajectory } from "./trajectory.ts";
export type * from "./types.ts";
