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
    /** What is validated: the output (the default), or the arguments of the reply's tool calls. */
    target: z.enum(["output", "toolCall"]).optional(),
    /** With `target: toolCall`: only the calls of this tool (without it, every call). */
    tool: z.string().min(1).optional(),
  })
  .refine((c) => (c.schema === undefined) !== (c.schemaFile === undefined), {
    message: "expected exactly one of schema or schemaFile",
    path: ["schema"],
  })
  .refine((c) => c.tool === undefined || c.target === "toolCall", { message: "tool needs target: toolCall", path: ["tool"] });

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
/** Time to first token of a streamed call, in ms, at most `max`. */
export const ttftScorerSchema = z.strictObject({ type: z.literal("ttft"), ...common, ...budgetFields });
/** Output tokens per second of a streamed call, at least `min` (`threshold` is accepted in its place). */
export const tokensPerSecondScorerSchema = z.strictObject({
  type: z.literal("tokens-per-second"),
  ...common,
  min: z.number().nonnegative().optional(),
});
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

/** JSON Schema for a value: inline, or a JSON/YAML file relative to the config's directory. */
const schemaFields = {
  schema: z.record(z.string(), z.unknown()).optional(),
  schemaFile: z.string().min(1).optional(),
};

/** An expected tool call: its name alone, or `{name, arguments?}` (without arguments only the name is compared). */
export const expectedToolCallSchema = z.union([
  z.string().min(1),
  z.strictObject({ name: z.string().min(1), arguments: z.unknown().optional() }),
]);
export type ExpectedToolCallInput = z.infer<typeof expectedToolCallSchema>;

export const toolCallScorerSchema = z
  .strictObject({
    type: z.literal("tool-call"),
    ...common,
    /** The expected tool's name; without it the case's expected call's. */
    tool: z.string().min(1).optional(),
    /** The expected arguments; without them the case's expected call's (and without those, only the name is compared). */
    arguments: z.unknown().optional(),
    /** How arguments are compared: canonical JSON equality, expected ⊆ actual, or a JSON Schema. */
    argumentsMode: z.enum(["equal", "subset", "schema"]).default("equal"),
    ...schemaFields,
    /** Check only the call at this position (0-based; negative counts from the end, -1 is the last). */
    index: z.number().int().optional(),
  })
  .superRefine((c, ctx) => {
    const schemas = (c.schema === undefined ? 0 : 1) + (c.schemaFile === undefined ? 0 : 1);
    if (c.argumentsMode === "schema" && schemas !== 1) {
      ctx.addIssue({ code: "custom", path: ["schema"], message: "argumentsMode schema expects exactly one of schema or schemaFile" });
    }
    if (c.argumentsMode !== "schema" && schemas !== 0) {
      ctx.addIssue({ code: "custom", path: ["argumentsMode"], message: "schema and schemaFile need argumentsMode: schema" });
    }
    if (c.argumentsMode === "schema" && c.arguments !== undefined) {
      ctx.addIssue({ code: "custom", path: ["arguments"], message: "arguments are not compared with argumentsMode: schema" });
    }
  });

export const toolCallF1ScorerSchema = z.strictObject({
  type: z.literal("tool-call-f1"),
  ...common,
  threshold: fraction.optional(),
  /** The expected calls; without them the case's `expected.toolCalls` (or `expected` when it is a list). */
  calls: z.array(expectedToolCallSchema).optional(),
  argumentsMode: z.enum(["equal", "subset"]).default("equal"),
});

export const trajectoryScorerSchema = z
  .strictObject({
    type: z.literal("trajectory"),
    ...common,
    /** The expected calls in order; without them the case's `expected.trajectory` or `expected.toolCalls`. */
    steps: z.array(expectedToolCallSchema).optional(),
    mode: z.enum(["exact", "subsequence", "set"]).default("exact"),
    /** Calls beyond the expected ones that are allowed (subsequence: no limit by default; set: 0). */
    maxExtra: z.number().int().nonnegative().optional(),
    argumentsMode: z.enum(["equal", "subset"]).default("equal"),
  })
  .refine((c) => !(c.mode === "exact" && c.maxExtra !== undefined), {
    message: "maxExtra applies to mode subsequence or set",
    path: ["maxExtra"],
  });

export const finishReasonScorerSchema = z
  .strictObject({
    type: z.literal("finish-reason"),
    ...common,
    value: z.string().min(1).optional(),
    values: z.array(z.string().min(1)).min(1).optional(),
  })
  .refine((c) => (c.value === undefined) !== (c.values === undefined), {
    message: "expected exactly one of value or values",
    path: ["value"],
  });

export const isRefusalScorerSchema = z.strictObject({
  type: z.literal("is-refusal"),
  ...common,
  /** true: pass when the output is a refusal; false: pass when it is not. */
  expect: z.boolean().default(true),
});

export const similarScorerSchema = z.strictObject({
  type: z.literal("similar"),
  ...common,
  threshold: fraction.optional(),
  /** The reference text(s); without it the case's `expected` (a string or a list of strings). */
  value: z.union([z.string(), z.array(z.string()).min(1)]).optional(),
  /**
   * The embeddings provider (`type: embeddings`, core's embeddingsProviderSchema), validated in
   * full at load time by the suite schema (the scorer schema cannot import it: circular).
   */
  embeddings: z.looseObject({ type: z.literal("embeddings") }),
});

/** A judge's provider, as `llm-judge` takes it (validated in full by the suite schema at load time). */
const judgeProvider = z.looseObject({ type: z.string().min(1) });

const ragFields = {
  threshold: fraction.optional(),
  provider: judgeProvider,
  /** The case var holding the retrieved context (a string or a list of strings), when the output carries none. */
  contextVar: z.string().min(1).default("context"),
  /** The case var holding the user's question. */
  questionVar: z.string().min(1).default("question"),
};

export const contextFaithfulnessScorerSchema = z.strictObject({ type: z.literal("context-faithfulness"), ...common, ...ragFields });
export const contextRecallScorerSchema = z.strictObject({ type: z.literal("context-recall"), ...common, ...ragFields });
export const contextRelevanceScorerSchema = z.strictObject({ type: z.literal("context-relevance"), ...common, ...ragFields });
export const answerRelevanceScorerSchema = z.strictObject({
  type: z.literal("answer-relevance"),
  ...common,
  threshold: fraction.optional(),
  provider: judgeProvider,
  questionVar: z.string().min(1).default("question"),
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
    ttftScorerSchema,
    tokensPerSecondScorerSchema,
    llmJudgeScorerSchema,
    customScorerSchema,
    toolCallScorerSchema,
    toolCallF1ScorerSchema,
    trajectoryScorerSchema,
    finishReasonScorerSchema,
    isRefusalScorerSchema,
    similarScorerSchema,
    contextFaithfulnessScorerSchema,
    contextRecallScorerSchema,
    contextRelevanceScorerSchema,
    answerRelevanceScorerSchema,
  ])
  .superRefine((scorer, ctx) => {
    if (scorer.type === "tokens-per-second" && (scorer.min === undefined) === (scorer.threshold === undefined)) {
      ctx.addIssue({
        code: "custom",
        path: ["min"],
        message: "expected exactly one of min or threshold (the lowest tokens per second that passes)",
      });
    }
    if (scorer.type === "latency" || scorer.type === "tokens" || scorer.type === "cost" || scorer.type === "ttft") {
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

/** Scorer types that ask a judge model (their `provider` is a suite provider config). */
export const JUDGE_SCORER_TYPES = [
  "llm-judge",
  "context-faithfulness",
  "context-recall",
  "context-relevance",
  "answer-relevance",
] as const satisfies readonly ScorerType[];

/**
 * The provider configs a scorer names, with their path in the scorer's entry: a judge's
 * `provider` (a suite provider config) or `similar`'s `embeddings` (an embeddings provider
 * config). The suite schema validates them in full at load time; the runner builds them and
 * masks their keys.
 */
export function scorerProviders(scorer: ScorerConfig): { path: string[]; kind: "judge" | "embeddings"; config: unknown }[] {
  if ((JUDGE_SCORER_TYPES as readonly string[]).includes(scorer.type)) {
    return [{ path: ["provider"], kind: "judge", config: (scorer as { provider: unknown }).provider }];
  }
  if (scorer.type === "similar") return [{ path: ["embeddings"], kind: "embeddings", config: scorer.embeddings }];
  return [];
}
