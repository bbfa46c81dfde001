import { z } from "zod";

/**
 * An eval suite. Owned by the eval capability; this is the shape `llmops.yaml` accepts under
 * `suites`.
 */
export const suiteSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
});
export type SuiteConfig = z.infer<typeof suiteSchema>;
