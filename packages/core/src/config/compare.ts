import { z } from "zod";

/** How pull requests compare head results with a baseline. Owned by the compare capability. */
export const compareSchema = z.strictObject({
  baseline: z
    .union([
      z.strictObject({ alias: z.string() }),
      z.strictObject({ branch: z.string().default("base") }),
      z.strictObject({ file: z.string() }),
    ])
    .optional(),
});
export type CompareConfig = z.infer<typeof compareSchema>;
