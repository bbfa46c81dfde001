import { z } from "zod";

/**
 * What one variant of a live experiment (a canary's stable or candidate slot, an A/B arm) has
 * shown so far for one metric. The kind decides the statistics: counts and moments get
 * anytime-valid intervals; a bare value (a PromQL ratio, which carries no sample size) can only be
 * compared with a threshold.
 */
export const sampleSchema = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("proportion"),
    /** Outcomes observed. */
    n: z.number().int().nonnegative(),
    /** Outcomes that were the counted event (an error, a thumbs-up). */
    successes: z.number().int().nonnegative(),
  }),
  z.strictObject({
    kind: z.literal("mean"),
    n: z.number().int().nonnegative(),
    mean: z.number(),
    /** Sample variance (n − 1 denominator); 0 when n < 2. */
    variance: z.number().nonnegative(),
  }),
  z.strictObject({ kind: z.literal("value"), value: z.number() }),
]);
export type Sample = z.infer<typeof sampleSchema>;
