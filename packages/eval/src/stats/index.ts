export { binomialCdfHalf } from "./binomial.ts";
export {
  type BootstrapOptions,
  bootstrapMeanInterval,
  bootstrapStatisticInterval,
  type PairedBootstrapResult,
  pairedBootstrapInterval,
  pairedBootstrapStatistic,
} from "./bootstrap.ts";
export { mean, quantileSorted, sampleSd } from "./descriptive.ts";
export { holmAdjust } from "./holm.ts";
export { mcnemarExact } from "./mcnemar.ts";
export { normalQuantile } from "./normal.ts";
export { createRng, DEFAULT_RESAMPLES, DEFAULT_SEED } from "./rng.ts";
export { wilsonInterval } from "./wilson.ts";
