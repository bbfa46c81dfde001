import { z } from "zod";

/**
 * One entry of a suite's `scorers:` list. Every scorer takes `name` (its metric name; defaults to
 * its type), `weight` (for the weighted `score` metric), `threshold` (the score a case needs to
 * pass; scorers with a 0/1 score ignore it unless set) and `not` (negation: pass <-> fail,
 * score -> 1 - score). Scores are fractions in [0, 1] — BLEU and chrF too (sacrebleu's 0..100
 * divided by 100).
 *
 * Each type has one exported schema here (`bleuScorerSchema`, …) and one definition in
 * `@llmops/eval`'s scorer registry (packages/eval/src/scorers/registry.ts) that names it; a test
 * there keeps the two lists equal. The schemas stay in core because the config loader needs them
 * and core may not import eval.
 */

const common = {
  name: z.string().min(1).optional(),
  weight: z.number().nonnegative().default(1),
  threshold: z.number().optional(),
  not: z.boolean().default(false),
};

const fraction = z.number().min(0).max(1);

/** Why JavaScript cannot compile a pattern, or undefined when it can (so a bad one is a config error). */
function regexProblem(source: string, flags: string): string | undefined {
  try {
    new RegExp(source, flags);
    return undefined;
  } catch (error) {
    return `invalid regular expression: ${(error as Error).message.replace(/^Invalid regular expression: /, "")}`;
  }
}

const regexFlags = z.string().regex(/^(?!.*(.).*\1)[dgimsuvy]*$/, "expected regular expression flags: distinct letters of d g i m s u v y");

/** Text compared with the output; without it the case's `expected` is used. */
const textValue = z.string().optional();

export const equalsScorerSchema = z.strictObject({
  type: z.literal("equals"),
  ...common,
  value: z.unknown().optional(),
  trim: z.boolean().default(true),
  caseSensitive: z.boolean().default(true),
});

export const containsScorerSchema = z
  .strictObject({
    type: z.literal("contains"),
    ...common,
    value: z.string().optional(),
    values: z.array(z.string()).min(1).optional(),
    /** With several values: pass when any of them / all of them occur. */
    mode: z.enum(["any", "all"]).default("any"),
    caseSensitive: z.boolean().default(true),
  })
  .refine((c) => !(c.value !== undefined && c.values !== undefined), { message: "expected value or values, not both", path: ["values"] });

export const startsWithScorerSchema = z.strictObject({
  type: z.literal("starts-with"),
  ...common,
  value: textValue,
  trim: z.boolean().default(true),
  caseSensitive: z.boolean().default(true),
});

export const regexScorerSchema = z
  .strictObject({
    type: z.literal("regex"),
    ...common,
    pattern: z.string(),
    flags: regexFlags.default(""),
  })
  .superRefine((c, ctx) => {
    const problem = regexProblem(c.pattern, c.flags);
    if (problem) ctx.addIssue({ code: "custom", path: ["pattern"], message: problem });
  });

export const isJsonScorerSchema = z.strictObject({
  type: z.literal("is-json"),
  ...common,
  /** Also accept JSON wrapped in a Markdown code fence. */
  allowFence: z.boolean().default(false),
});

export const jsonSchemaScorerSchema = z
  .strictObject({
    type: z.literal("json-schema"),
    ...common,
    schema: z.record(z.string(), z.unknown()).optional(),
    /** A JSON (or YAML) file holding the schema, relative to the config's directory. */
    schemaFile: z.string().min(1).optional(),
    allowFence: z.boolean().default(false),
  })
  .refine((c) => (c.schema === undefined) !== (c.schemaFile === undefined), {
    message: "expected exactly one of schema or schemaFile",
    path: ["schema"],
  });

export const numericScorerSchema = z.strictObject({
  type: z.literal("numeric"),
  ...common,
  /** The target number; without it the case's `expected`. */
  value: z.number().optional(),
  /** Largest absolute difference accepted. */
  tolerance: z.number().nonnegative().default(0),
  /** Largest difference accepted as a fraction of |target|. */
  relativeTolerance: z.number().nonnegative().default(0),
  /** Which number in the output to use when it holds several. */
  pick: z.enum(["first", "last"]).default("first"),
});

export const levenshteinScorerSchema = z.strictObject({
  type: z.literal("levenshtein"),
  ...common,
  threshold: fraction.optional(),
  value: textValue,
  caseSensitive: z.boolean().default(true),
});

export const squadExactMatchScorerSchema = z.strictObject({ type: z.literal("squad-exact-match"), ...common });
export const tokenF1ScorerSchema = z.strictObject({ type: z.literal("token-f1"), ...common, threshold: fraction.optional() });

export const bleuScorerSchema = z.strictObject({
  type: z.literal("bleu"),
  ...common,
  threshold: fraction.optional(),
  tokenize: z.enum(["13a", "none", "char"]).default("13a"),
  lowercase: z.boolean().default(false),
  /** Sentence-level smoothing for the per-case score (corpus BLEU uses sacrebleu's corpus default, `exp`). */
  smooth: z.enum(["exp", "floor", "add-k", "none"]).default("exp"),
  smoothValue: z.number().nonnegative().optional(),
});

export const rougeScorerSchema = z.strictObject({
  type: z.literal("rouge"),
  ...common,
  threshold: fraction.optional(),
  variant: z.enum(["rouge1", "rouge2", "rougeL"]).default("rougeL"),
  /** Porter-stem tokens longer than 3 characters, as rouge-score's `use_stemmer`. */
  stemmer: z.boolean().default(false),
});

export const chrfScorerSchema = z.strictObject({
  type: z.literal("chrf"),
  ...common,
  threshold: fraction.optional(),
  charOrder: z.number().int().positive().default(6),
  beta: z.number().positive().default(2),
  /** Keep whitespace in character n-grams (sacrebleu's `whitespace`, off by default). */
  whitespace: z.boolean().default(false),
  lowercase: z.boolean().default(false),
  /** sacrebleu's `eps_smoothing` (off by default: average over the orders that occur). */
  epsSmoothing: z.boolean().default(false),
});

export const classificationScorerSchema = z.strictObject({
  type: z.literal("classification"),
  ...common,
  /** The corpus value reported for the suite. */
  metric: z
    .enum(["accuracy", "macro-precision", "macro-recall", "macro-f1", "micro-precision", "micro-recall", "micro-f1"])
    .default("accuracy"),
  trim: z.boolean().default(true),
  caseSensitive: z.boolean().default(false),
  /** Fixed label order for the confusion matrix; by default the sorted union of seen labels. */
  labels: z.array(z.string()).min(1).optional(),
});

const budgetFields = {
  /** The largest value that passes. `threshold` is accepted as an alias (promptfoo style). */
  max: z.number().nonnegative().optional(),
};

export const latencyScorerSchema = z.strictObject({ type: z.literal("latency"), ...common, ...budgetFields });
export const costScorerSchema = z.strictObject({ type: z.literal("cost"), ...common, ...budgetFields });
export const tokensScorerSchema = z.strictObject({
  type: z.literal("tokens"),
  ...common,
  ...budgetFields,
  count: z.enum(["total", "prompt", "completion"]).default("total"),
});

export const llmJudgeScorerSchema = z.strictObject({
  type: z.literal("llm-judge"),
  ...common,
  threshold: fraction.optional(),
  /** Prompt template: {{output}}, {{expected}}, {{vars.name}}. */
  rubric: z.string().min(1),
  /**
   * The judge's provider, in the same form as a suite's `provider` (validated in full when the
   * runner builds it); passed to the runner's `complete`.
   */
  provider: z.looseObject({ type: z.string().min(1) }),
  /** The judge's scale: 1 means scores in [0, 1]; N > 1 means integers-or-reals in [1, N]. */
  scale: z.number().int().positive().default(1),
});

export const customScorerSchema = z.strictObject({
  type: z.literal("custom"),
  ...common,
  /** JS/TS module path, relative to the config's directory. */
  module: z.string().min(1),
  export: z.string().min(1).default("default"),
  /** Free-form options passed to the function as its second argument. */
  options: z.record(z.string(), z.unknown()).optional(),
});

export const scorerConfigSchema = z
  .discriminatedUnion("type", [
    equalsScorerSchema,
    containsScorerSchema,
    startsWithScorerSchema,
    regexScorerSchema,
    isJsonScorerSchema,
    jsonSchemaScorerSchema,
    numericScorerSchema,
    levenshteinScorerSchema,
    squadExactMatchScorerSchema,
    tokenF1ScorerSchema,
    bleuScorerSchema,
    rougeScorerSchema,
    chrfScorerSchema,
    classificationScorerSchema,
    latencyScorerSchema,
    tokensScorerSchema,
    costScorerSchema,
    llmJudgeScorerSchema,
    customScorerSchema,
  ])
  .superRefine((scorer, ctx) => {
    if (scorer.type === "latency" || scorer.type === "tokens" || scorer.type === "cost") {
      if ((scorer.max === undefined) === (scorer.threshold === undefined)) {
        ctx.addIssue({
          code: "custom",
          path: ["max"],
          message: `expected exactly one of max or threshold (the largest ${scorer.type} that passes)`,
        });
      }
    }
  });
export type ScorerConfig = z.infer<typeof scorerConfigSchema>;
export type ScorerConfigInput = z.input<typeof scorerConfigSchema>;
export type ScorerType = ScorerConfig["type"];
/** The validated config of one scorer type, e.g. `ScorerConfigOf<"bleu">`. */
export type ScorerConfigOf<T extends ScorerType> = Extract<ScorerConfig, { type: T }>;
export const SCORER_TYPES = scorerConfigSchema.options.map((option) => option.shape.type.value) as readonly ScorerType[];
