import { readFileSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { canonicalJson, InputError } from "@llmops/core";
import { Ajv, type ValidateFunction } from "ajv";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { parse as parseYaml } from "yaml";
import { type BleuStats, bleuFromStats, bleuStats, sentenceBleu, sumBleuStats } from "./bleu.ts";
import { type ChrfStats, chrF, chrfFromStats, chrfStats } from "./chrf.ts";
import { classificationReport } from "./classification.ts";
import { type CustomScorerFunction, interpretCustomResult, loadCustomScorer } from "./custom.ts";
import { parseJsonOutput } from "./json.ts";
import { judgeInstructions, parseJudgeReply, renderRubric, unknownRubricPlaceholders } from "./judge.ts";
import { levenshteinSimilarity } from "./levenshtein.ts";
import { parseNumbers, withinTolerance } from "./numeric.ts";
import { compileLinearRegex } from "./regex.ts";
import { rougeMulti } from "./rouge.ts";
import { squadExactMatch, tokenF1 } from "./squad.ts";
import { asText, referenceList, requireReferences } from "./text.ts";
import type { CaseScore, CorpusValue, Scorer, ScorerConfig, ScorerContext, ScorerInput } from "./types.ts";

/**
 * What a scorer computes before the shared rules apply. `pass` is set by scorers that decide it
 * themselves (0/1 checks, budgets, custom functions); otherwise the threshold decides. `invalid`
 * marks a result that says nothing about the output (a malformed judge reply), which negation
 * must not turn into a pass.
 */
interface RawScore {
  score: number;
  pass?: boolean;
  reason?: string;
  invalid?: boolean;
}

interface Implementation {
  /** The threshold used when the config sets none and the scorer does not decide `pass` itself. */
  defaultThreshold: number;
  /** Budgets read `threshold` as their max, so it is not a score threshold for them. */
  thresholdIsMax?: boolean;
  score(output: string, input: ScorerInput, context: ScorerContext): RawScore | Promise<RawScore>;
  corpus?(inputs: ScorerInput[]): CorpusValue;
}

const binary = (ok: boolean, reason?: string): RawScore => ({ score: ok ? 1 : 0, pass: ok, ...(reason !== undefined ? { reason } : {}) });
const round = (x: number) => Math.round(x * 10_000) / 10_000;
const quote = (text: string, max = 60) => JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);

/** Builds a scorer from its validated config entry; `cwd` is where relative paths (schemaFile, module) start. */
export function createScorer(config: ScorerConfig, context: { cwd: string }): Scorer {
  const implementation = implement(config, context.cwd);
  const threshold = implementation.thresholdIsMax ? undefined : config.threshold;
  const negate = config.not;
  const finish = (raw: RawScore): CaseScore => {
    const pass = threshold !== undefined ? raw.score >= threshold : (raw.pass ?? raw.score >= implementation.defaultThreshold);
    if (raw.invalid) return { score: 0, pass: false, ...(raw.reason !== undefined ? { reason: raw.reason } : {}) };
    if (!negate) return { score: raw.score, pass, ...(raw.reason !== undefined ? { reason: raw.reason } : {}) };
    return { score: 1 - raw.score, pass: !pass, reason: `not: ${raw.reason ?? (pass ? "the check passed" : "the check failed")}` };
  };
  const scorer: Scorer = {
    name: config.name ?? config.type,
    type: config.type,
    weight: config.weight,
    // Every score is "1 is good" (budgets score 1 when within their max), so larger is better throughout.
    higherIsBetter: true,
    async scoreCase(input, scoreContext) {
      if (input.output === null) return { score: 0, pass: false, reason: "no output (provider error)" };
      return finish(await implementation.score(input.output, input, scoreContext));
    },
  };
  const corpus = implementation.corpus;
  if (corpus) {
    scorer.corpus = (inputs) => {
      const result = corpus(inputs);
      return negate ? { ...result, value: 1 - result.value } : result;
    };
  }
  return scorer;
}

function implement(config: ScorerConfig, cwd: string): Implementation {
  const label = `scorer ${config.name ?? config.type}`;
  switch (config.type) {
    case "equals": {
      const prepare = (text: string) => {
        const trimmed = config.trim ? text.trim() : text;
        return config.caseSensitive ? trimmed : trimmed.toLowerCase();
      };
      return {
        defaultThreshold: 1,
        score(output, input) {
          const target = config.value !== undefined ? config.value : input.expected;
          if (target === undefined) throw new Error(`${label}: equals needs value or the case's expected value`);
          if (typeof target !== "string") {
            // Structured expectations compare as JSON values, so key order and spacing do not matter.
            const parsed = parseJsonOutput(output, false);
            const ok = parsed.ok && canonicalJson(parsed.value) === canonicalJson(target);
            return binary(ok, ok ? undefined : `expected JSON equal to ${quote(canonicalJson(target))}`);
          }
          const ok = prepare(output) === prepare(target);
          return binary(ok, ok ? undefined : `expected ${quote(target)}, got ${quote(output)}`);
        },
      };
    }
    case "contains": {
      const fold = (text: string) => (config.caseSensitive ? text : text.toLowerCase());
      return {
        defaultThreshold: 1,
        score(output, input) {
          const needles = config.values ?? (config.value !== undefined ? [config.value] : referenceList(input.expected));
          if (needles.length === 0) throw new Error(`${label}: contains needs value, values or the case's expected value`);
          const haystack = fold(output);
          const missing = needles.filter((needle) => !haystack.includes(fold(needle)));
          const ok = config.mode === "all" ? missing.length === 0 : missing.length < needles.length;
          if (ok) return binary(true);
          return binary(
            false,
            config.mode === "all" || needles.length === 1
              ? `missing ${missing.map((m) => quote(m)).join(", ")}`
              : "none of the values occur",
          );
        },
      };
    }
    case "starts-with": {
      const fold = (text: string) => (config.caseSensitive ? text : text.toLowerCase());
      return {
        defaultThreshold: 1,
        score(output, input) {
          const prefixes = config.value !== undefined ? [config.value] : referenceList(input.expected);
          if (prefixes.length === 0) throw new Error(`${label}: starts-with needs value or the case's expected value`);
          const text = fold(config.trim ? output.trimStart() : output);
          const ok = prefixes.some((prefix) => text.startsWith(fold(prefix)));
          return binary(ok, ok ? undefined : `expected to start with ${prefixes.map((p) => quote(p)).join(" or ")}`);
        },
      };
    }
    case "regex": {
      // Linear-time matching: a model's output must not be able to hang the run (see regex.ts).
      const pattern = compileLinearRegex(config.pattern, config.flags);
      return {
        defaultThreshold: 1,
        score(output) {
          const ok = pattern.test(output);
          return binary(ok, ok ? undefined : `no match for /${config.pattern}/${config.flags}`);
        },
      };
    }
    case "is-json":
      return {
        defaultThreshold: 1,
        score(output) {
          const parsed = parseJsonOutput(output, config.allowFence);
          return binary(parsed.ok, parsed.ok ? undefined : parsed.error);
        },
      };
    case "json-schema": {
      const validate = compileSchema(config.schema ?? readSchemaFile(config.schemaFile!, cwd, label), label);
      return {
        defaultThreshold: 1,
        score(output) {
          const parsed = parseJsonOutput(output, config.allowFence);
          if (!parsed.ok) return binary(false, parsed.error);
          if (validate(parsed.value)) return binary(true);
          const errors = (validate.errors ?? []).slice(0, 3).map((e) => `${e.instancePath || "(root)"} ${e.message ?? "is invalid"}`);
          return binary(false, `does not match the schema: ${errors.join("; ")}`);
        },
      };
    }
    case "numeric":
      return {
        defaultThreshold: 1,
        score(output, input) {
          const target = config.value ?? toNumber(input.expected);
          if (target === undefined) throw new Error(`${label}: numeric needs value or a numeric expected value`);
          const numbers = parseNumbers(output);
          const actual = config.pick === "last" ? numbers.at(-1) : numbers[0];
          if (actual === undefined) return binary(false, `no number in the output ${quote(output)}`);
          const ok = withinTolerance(actual, target, config.tolerance, config.relativeTolerance);
          return binary(ok, ok ? undefined : `${actual} is not within tolerance of ${target}`);
        },
      };
    case "levenshtein": {
      const fold = (text: string) => (config.caseSensitive ? text : text.toLowerCase());
      return {
        defaultThreshold: 0.8,
        score(output, input) {
          const refs = config.value !== undefined ? [config.value] : requireReferences(input.expected, label);
          const score = Math.max(...refs.map((ref) => levenshteinSimilarity(fold(output), fold(ref))));
          return { score, reason: `similarity ${round(score)}` };
        },
      };
    }
    case "squad-exact-match":
      return {
        defaultThreshold: 1,
        score(output, input) {
          const ok = squadExactMatch(output, requireReferences(input.expected, label)) === 1;
          return binary(ok, ok ? undefined : "no gold answer matches after SQuAD normalisation");
        },
      };
    case "token-f1":
      return {
        defaultThreshold: 0.5,
        score(output, input) {
          const score = tokenF1(output, requireReferences(input.expected, label));
          return { score, reason: `token F1 ${round(score)}` };
        },
      };
    case "bleu": {
      const bleuCache = new WeakMap<ScorerInput, BleuStats>();
      const options = {
        tokenize: config.tokenize,
        lowercase: config.lowercase,
        smooth: config.smooth,
        ...(config.smoothValue !== undefined ? { smoothValue: config.smoothValue } : {}),
      };
      return {
        defaultThreshold: 0.5,
        score(output, input) {
          const score = sentenceBleu(output, requireReferences(input.expected, label), options).score;
          return { score, reason: `sentence BLEU ${round(score)}` };
        },
        corpus(inputs) {
          // Corpus BLEU keeps sacrebleu's corpus defaults (exp smoothing, no effective order).
          const stats = perInput(inputs, bleuCache, (i, refs) =>
            bleuStats(i.output ?? "", refs, { tokenize: config.tokenize, lowercase: config.lowercase }),
          );
          const result = bleuFromStats(sumBleuStats(stats.values), { effectiveOrder: false });
          return {
            value: result.score,
            details: {
              scale: "fraction (sacrebleu score / 100)",
              precisions: result.precisions,
              brevityPenalty: result.brevityPenalty,
              hypLength: result.hypLength,
              refLength: result.refLength,
              ...(stats.skipped > 0 ? { skippedWithoutExpected: stats.skipped } : {}),
            },
          };
        },
      };
    }
    case "rouge":
      return {
        defaultThreshold: 0.5,
        score(output, input) {
          const result = rougeMulti(requireReferences(input.expected, label), output, config.variant, { stemmer: config.stemmer });
          return {
            score: result.fmeasure,
            reason: `${config.variant} F ${round(result.fmeasure)} (P ${round(result.precision)}, R ${round(result.recall)})`,
          };
        },
      };
    case "chrf": {
      const chrfCache = new WeakMap<ScorerInput, ChrfStats>();
      const options = {
        charOrder: config.charOrder,
        beta: config.beta,
        whitespace: config.whitespace,
        lowercase: config.lowercase,
        epsSmoothing: config.epsSmoothing,
      };
      return {
        defaultThreshold: 0.5,
        score(output, input) {
          const score = chrF(output, requireReferences(input.expected, label), options);
          return { score, reason: `chrF ${round(score)}` };
        },
        corpus(inputs) {
          const stats = perInput(inputs, chrfCache, (i, refs) => chrfStats(i.output ?? "", refs, options));
          const sum: number[] = Array(config.charOrder * 3).fill(0);
          for (const one of stats.values) {
            for (let j = 0; j < one.length; j++) sum[j]! += one[j]!;
          }
          return {
            value: chrfFromStats(sum, options),
            details: { scale: "fraction (sacrebleu score / 100)", ...(stats.skipped > 0 ? { skippedWithoutExpected: stats.skipped } : {}) },
          };
        },
      };
    }
    case "classification": {
      const normalise = (label: unknown) => {
        const text = asText(label);
        const trimmed = config.trim ? text.trim() : text;
        return config.caseSensitive ? trimmed : trimmed.toLowerCase();
      };
      const truth = (input: ScorerInput) => {
        if (input.expected === undefined || input.expected === null)
          throw new Error(`${label}: classification needs the case's expected label`);
        return normalise(input.expected);
      };
      const labels = config.labels?.map(normalise);
      const hasTruth = (input: ScorerInput) => input.expected !== undefined && input.expected !== null;
      return {
        defaultThreshold: 1,
        score(output, input) {
          const expected = truth(input);
          const predicted = normalise(output);
          const ok = predicted === expected;
          return binary(ok, ok ? undefined : `predicted ${quote(predicted)}, expected ${quote(expected)}`);
        },
        corpus(inputs) {
          // An errored case has no label: it counts as the empty label, a wrong prediction.
          const labelled = inputs.filter(hasTruth);
          const report = classificationReport(
            labelled.map(truth),
            labelled.map((i) => normalise(i.output ?? "")),
            labels,
          );
          const [average, measure] =
            config.metric === "accuracy"
              ? [undefined, undefined]
              : (config.metric.split("-") as ["macro" | "micro", "precision" | "recall" | "f1"]);
          const value = average && measure ? report[average][measure] : report.accuracy;
          const skipped = inputs.length - labelled.length;
          return { value, details: { ...report, ...(skipped > 0 ? { skippedWithoutExpected: skipped } : {}) } };
        },
      };
    }
    case "latency":
    case "tokens":
    case "cost": {
      const max = (config.max ?? config.threshold)!;
      const unit = config.type === "latency" ? " ms" : "";
      return {
        defaultThreshold: 1,
        thresholdIsMax: true,
        score(_output, input) {
          const value =
            config.type === "latency"
              ? input.latencyMs
              : config.type === "cost"
                ? input.cost
                : input.tokens
                  ? input.tokens[config.count]
                  : null;
          if (value === null) {
            return {
              score: 0,
              pass: false,
              invalid: true,
              reason: `the provider reported no ${config.type === "tokens" ? "token usage" : config.type}`,
            };
          }
          const ok = value <= max;
          return binary(ok, `${config.type} ${round(value)}${unit} ${ok ? "<=" : ">"} ${max}${unit}`);
        },
      };
    }
    case "llm-judge": {
      const unknown = unknownRubricPlaceholders(config.rubric);
      if (unknown.length > 0) {
        throw new InputError(`${label}: rubric placeholder {{${unknown[0]}}} is not one of {{output}}, {{expected}}, {{vars.<name>}}`);
      }
      return {
        defaultThreshold: 0.5,
        async score(output, input, scoreContext) {
          if (!scoreContext.complete) throw new Error(`${label}: llm-judge needs a provider, and none was supplied to score with`);
          const prompt =
            renderRubric(config.rubric, { output, expected: input.expected, vars: input.vars }) + judgeInstructions(config.scale);
          const reply = await scoreContext.complete(prompt, config.provider);
          const verdict = parseJudgeReply(reply, config.scale);
          if (!verdict.ok) return { score: 0, pass: false, invalid: true, reason: verdict.reason };
          return { score: verdict.score, ...(verdict.reason ? { reason: verdict.reason } : {}) };
        },
      };
    }
    case "custom": {
      let loaded: Promise<CustomScorerFunction> | undefined;
      return {
        defaultThreshold: 0.5,
        async score(_output, input) {
          loaded ??= loadCustomScorer(config.module, config.export, cwd);
          const fn = await loaded;
          const result = interpretCustomResult(await fn(input, config.options ?? {}));
          if (!result.ok) return { score: 0, pass: false, invalid: true, reason: result.reason };
          return {
            score: result.score,
            ...(result.pass !== undefined ? { pass: result.pass } : {}),
            ...(result.reason !== undefined ? { reason: result.reason } : {}),
          };
        },
      };
    }
  }
}

/**
 * Segment statistics of a corpus metric, memoised per input object: the aggregator bootstraps
 * corpus metrics by resampling the same inputs, so each segment is tokenized once, not per resample.
 * Cases without references are left out (their per-case score already reports why).
 */
function perInput<T>(
  inputs: readonly ScorerInput[],
  cache: WeakMap<ScorerInput, T>,
  compute: (input: ScorerInput, refs: string[]) => T,
): { values: T[]; skipped: number } {
  const values: T[] = [];
  let skipped = 0;
  for (const input of inputs) {
    let value = cache.get(input);
    if (value === undefined) {
      const refs = referenceList(input.expected);
      if (refs.length === 0) {
        skipped++;
        continue;
      }
      value = compute(input, refs);
      cache.set(input, value);
    }
    values.push(value);
  }
  return { values, skipped };
}

function toNumber(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) return Number(value);
  return undefined;
}

function readSchemaFile(file: string, cwd: string, label: string): Record<string, unknown> {
  const path = isAbsolute(file) ? file : resolve(cwd, file);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(`${label}: schema file ${file}: ${code === "ENOENT" ? "not found" : `cannot be read (${code})`}`);
  }
  let value: unknown;
  try {
    value = /\.ya?ml$/i.test(file) ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw new InputError(
      `${label}: schema file ${file}: not valid ${/\.ya?ml$/i.test(file) ? "YAML" : "JSON"} (${(error as Error).message.split("\n")[0]})`,
    );
  }
  if (value === null || typeof value !== "object" || Array.isArray(value))
    throw new InputError(`${label}: schema file ${file}: expected a JSON Schema object`);
  return value as Record<string, unknown>;
}

/** Compiles once per scorer; draft 2020-12 when the schema says so, draft-07 otherwise. */
function compileSchema(schema: Record<string, unknown>, label: string): ValidateFunction {
  const is2020 = typeof schema.$schema === "string" && schema.$schema.includes("2020-12");
  const ajv = is2020
    ? new Ajv2020({ allErrors: true, strict: false, logger: false })
    : new Ajv({ allErrors: true, strict: false, logger: false });
  addFormats(ajv);
  try {
    return ajv.compile(schema);
  } catch (error) {
    throw new InputError(`${label}: invalid JSON schema: ${(error as Error).message}`);
  }
}
