export { binomialCdfHalf } from "./binomial.ts";
export {
  type BootstrapOptions,
  bootstrapMeanInterval,
  bootstrapStatisticInterval,
  type PairedBootstrapResult,
  pairedBootstrapInterval,
  pairedBootstrapStatistic,
} from "./bootstrap.ts";
export { type ContingencyResult, chiSquareContingency, chiSquareSf, regularizedGammaQ } from "./chi-square.ts";
export { mean, quantileSorted, sampleSd } from "./descriptive.ts";
export { holmAdjust } from "./holm.ts";
export { kolmogorovSmirnovSf, smirnovSf } from "./kolmogorov.ts";
export { KS_EXACT_MAX_N, type KsTwoSampleResult, ksTwoSample } from "./ks.ts";
export { mcnemarExact } from "./mcnemar.ts";
export { normalQuantile } from "./normal.ts";
export { createRng, DEFAULT_RESAMPLES, DEFAULT_SEED } from "./rng.ts";
export {
  DEFAULT_OPTIMIZE_AT,
  type DifferenceOptions,
  type DifferenceSequence,
  differenceConfidenceSequence,
  type Interval,
  MIN_MEAN_SAMPLE,
  meanConfidenceSequence,
  mixtureRho,
  PROPORTION_PRIOR,
  proportionConfidenceSequence,
  type SequentialOptions,
  type SequentialSample,
} from "./sequential.ts";
export { erfc, logBeta, logGamma, normalCdf, normalSf, regularizedBeta, studentTQuantile, studentTSf } from "./special.ts";
export {
  type FixedDifference,
  type Moments,
  newcombeDifferenceInterval,
  tMeanInterval,
  twoProportionZTest,
  welchDifference,
} from "./two-sample.ts";
export { wilsonInterval } from "./wilson.ts";
