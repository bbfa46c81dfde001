import { InputError } from "@llmops/core";
import { z } from "zod";
import { newcombeDifferenceInterval, tMeanInterval, twoProportionZTest, welchDifference } from "../stats/two-sample.ts";
import { wilsonInterval } from "../stats/wilson.ts";
import { EventScanner, OUTCOME_NUMBER } from "./event-scan.ts";
import { type Criteria, criteriaSchema, judgementSchema, judgeSequential } from "./judge.ts";
import type { Sample } from "./sample.ts";

/**
 * `llmops ab analyze`: a two-variant event log (JSONL, one event per line naming its variant and
 * its outcome) read as a stream in constant memory, then judged with the anytime-valid rule the
 * canary uses, beside the fixed-horizon statistics of an experiment analysed once.
 */

export const DEFAULT_VARIANT_FIELD = "variant";
export const DEFAULT_OUTCOME_FIELD = "outcome";
export const DEFAULT_AB_ALPHA = 0.05;
/** More distinct variants than this is a wrong --variant-field (an id, a timestamp), not an experiment. */
export const MAX_VARIANTS = 100;
/** Longest variant name kept: a name is a label, and up to MAX_VARIANTS of them are held. */
export const MAX_VARIANT_NAME = 256;
/** Bad lines listed in the result; all are counted. */
export const MAX_PROBLEMS = 20;
const DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;

/** A log that cannot be analysed at all (every line bad, an unknown variant, too many variants). */
export class EventLogError extends InputError {
  /** The 1-based line the error is about, when it is about one. */
  readonly line: number | undefined;
  constructor(message: string, line?: number) {
    super(line === undefined ? message : `line ${line}: ${message}`);
    this.name = "EventLogError";
    this.line = line;
  }
}

export interface EventLogOptions {
  /** Field naming the variant (string or number); default "variant". Dotted paths reach into objects. */
  variantField?: string;
  /** Field with the outcome: booleans or 0/1 make a proportion, other numbers a mean (or as `kind` says); default "outcome". */
  outcomeField?: string;
  /**
   * `proportion` refuses a number other than 0 and 1 (naming its line); `mean` averages whatever
   * comes, true/false as 1/0, so a numeric outcome that happens to hold only 0s and 1s is still a
   * mean. Default: the values decide.
   */
  kind?: "proportion" | "mean";
  /** Default: of the first two variants seen, the first. */
  control?: string;
  /** Default: of the first two variants seen, the other one. */
  treatment?: string;
  /** Default: lower when only `max` is given, else higher (as a canary metric). */
  direction?: "higher" | "lower";
  max?: number;
  min?: number;
  /** Default 0 when no criterion is given: "is the treatment worse than the control?". */
  noWorseThan?: number;
  /** Default 0.05. */
  alpha?: number;
  /** Where the normal-mixture intervals are tightest; default stats' DEFAULT_OPTIMIZE_AT. */
  optimizeAt?: number;
  /** Stop at the first bad line instead of counting it and going on. */
  strict?: boolean;
  /** Lines longer than this are bad lines (default 16 MiB). */
  maxLineBytes?: number;
}

const boundsSchema = z.strictObject({ low: z.number(), high: z.number() });

export const abVariantSchema = z.strictObject({
  name: z.string(),
  n: z.number().int().nonnegative(),
  /** Proportions: outcomes that were true or 1. */
  successes: z.number().int().nonnegative().optional(),
  /** The rate or the mean; absent without data. */
  value: z.number().optional(),
  /** Means: the sample standard deviation (n − 1). */
  sd: z.number().nonnegative().optional(),
  /** The anytime-valid interval the decision used (at judgement.intervalAlpha); absent while unbounded. */
  anytimeValid: boundsSchema.optional(),
  /** Fixed-horizon interval at level 1 − alpha: Wilson for proportions, Student's t for means. */
  fixedHorizon: boundsSchema.optional(),
});
export type AbVariant = z.infer<typeof abVariantSchema>;

/** The `--json` document of `llmops ab analyze`. */
export const abResultSchema = z.strictObject({
  kind: z.enum(["proportion", "mean"]),
  variantField: z.string(),
  outcomeField: z.string(),
  alpha: z.number().gt(0).lt(1),
  control: abVariantSchema,
  treatment: abVariantSchema,
  /** Treatment − control; absent while a variant has no data. */
  difference: z
    .strictObject({
      estimate: z.number(),
      anytimeValid: boundsSchema.optional(),
      /** Newcombe's hybrid score interval (proportions) or Welch's t interval (means), level 1 − alpha. */
      fixedHorizon: boundsSchema.optional(),
      /** Two-sided fixed-horizon p-value: two-proportion z-test or Welch's t-test. */
      pValue: z.number().min(0).max(1),
    })
    .optional(),
  /** How the fixed-horizon numbers were computed. */
  fixedHorizon: z.strictObject({
    level: z.number().gt(0).lt(1),
    variant: z.enum(["wilson", "t"]),
    difference: z.enum(["newcombe", "welch"]),
    test: z.enum(["two-proportion-z", "welch-t"]),
  }),
  criteria: criteriaSchema,
  /** True when no criterion was given and noWorseThan 0 was assumed. */
  defaultCriterion: z.boolean(),
  judgement: judgementSchema,
  lines: z.strictObject({
    total: z.number().int().nonnegative(),
    events: z.number().int().nonnegative(),
    blank: z.number().int().nonnegative(),
    bad: z.number().int().nonnegative(),
    /** Events of variants other than the two analysed. */
    otherVariants: z.number().int().nonnegative(),
  }),
  /** The first bad lines (all are counted in lines.bad). */
  problems: z.array(z.strictObject({ line: z.number().int().positive(), reason: z.string().max(500) })).max(MAX_PROBLEMS),
  /** Variants seen besides the two analysed (at most 20 listed). */
  otherVariants: z.array(z.string()).max(20),
});
export type AbResult = z.infer<typeof abResultSchema>;

/**
 * One variant's outcomes, streamed: 0s and 1s (and booleans) are counted, which is exact and costs
 * no division per event; any other numbers go through Welford's update. The two groups are merged
 * at the end with Chan, Golub & LeVeque's pairwise formula, so the moments are numerically stable
 * either way (a plain sum of squares is not).
 */
class VariantStats {
  readonly name: string;
  ones = 0;
  zeros = 0;
  /** Welford moments of the outcomes other than 0 and 1. */
  others = 0;
  othersMean = 0;
  othersM2 = 0;
  /** First line with a boolean outcome, with a number other than 0/1 (0: none). */
  firstBoolean = 0;
  firstNonBinary = 0;

  constructor(name: string) {
    this.name = name;
  }

  get n(): number {
    return this.ones + this.zeros + this.others;
  }

  add(x: number, isBoolean: boolean, line: number): void {
    if (isBoolean && this.firstBoolean === 0) this.firstBoolean = line;
    if (x === 1) this.ones++;
    else if (x === 0) this.zeros++;
    else {
      if (this.firstNonBinary === 0) this.firstNonBinary = line;
      this.others++;
      const delta = x - this.othersMean;
      this.othersMean += delta / this.others;
      this.othersM2 += delta * (x - this.othersMean);
    }
  }

  /** Mean and sum of squared deviations of all outcomes. */
  moments(): { n: number; mean: number; m2: number } {
    const binary = this.ones + this.zeros;
    const n = binary + this.others;
    if (n === 0) return { n: 0, mean: 0, m2: 0 };
    if (this.others === 0) return { n, mean: this.ones / n, m2: (this.ones * this.zeros) / n };
    if (binary === 0) return { n, mean: this.othersMean, m2: this.othersM2 };
    const binaryMean = this.ones / binary;
    const delta = this.othersMean - binaryMean;
    return {
      n,
      mean: binaryMean + (delta * this.others) / n,
      m2: (this.ones * this.zeros) / binary + this.othersM2 + (delta * delta * binary * this.others) / n,
    };
  }

  /** Moments as stats' Moments: variance with the n − 1 denominator, 0 below two values. */
  sampleMoments(): { n: number; mean: number; variance: number } {
    const { n, mean, m2 } = this.moments();
    return { n, mean, variance: n < 2 ? 0 : m2 / (n - 1) };
  }
}

const decoder = new TextDecoder();

function describeType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return typeof value === "object" ? "an object" : String(value);
}

/** The value at `field`: an own key of that exact name, else a dotted path through nested objects. */
function lookup(event: Record<string, unknown>, field: string): { found: boolean; value: unknown } {
  if (Object.hasOwn(event, field)) return { found: true, value: event[field] };
  if (!field.includes(".")) return { found: false, value: undefined };
  let current: unknown = event;
  for (const part of field.split(".")) {
    if (typeof current !== "object" || current === null || Array.isArray(current) || !Object.hasOwn(current, part))
      return { found: false, value: undefined };
    current = (current as Record<string, unknown>)[part];
  }
  return { found: true, value: current };
}

/**
 * Cuts chunks of bytes into lines and keeps per-variant moments; everything else it sees is
 * counted, not kept, so memory does not grow with the log. Only a line that spans two chunks is
 * copied. `push` is synchronous on purpose: the per-line loop must be an ordinary hot function V8
 * optimizes whole, not a loop inside an async function re-entered once per chunk, which was
 * measured to run some 20 times slower on a 10M-line log.
 */
class EventLogReader {
  readonly #variantField: string;
  readonly #outcomeField: string;
  readonly #strict: boolean;
  readonly #maxLineBytes: number;
  readonly #scanner: EventScanner | undefined;
  readonly variants: VariantStats[] = [];
  readonly #byName = new Map<string, VariantStats>();
  /** Raw bytes of variant strings seen on the fast path, to find a variant without decoding. */
  readonly #aliases: { bytes: Uint8Array; stats: VariantStats }[] = [];
  lines = 0;
  blank = 0;
  bad = 0;
  events = 0;
  readonly problems: { line: number; reason: string }[] = [];
  #carry: Uint8Array[] = [];
  #carried = 0;
  /** A line over the limit is skipped up to its newline, reported once. */
  #skipping = false;
  #started = false;

  constructor(variantField: string, outcomeField: string, strict: boolean, maxLineBytes: number) {
    this.#variantField = variantField;
    this.#outcomeField = outcomeField;
    this.#strict = strict;
    this.#maxLineBytes = maxLineBytes;
    this.#scanner =
      EventScanner.supports(variantField) && EventScanner.supports(outcomeField) ? new EventScanner(variantField, outcomeField) : undefined;
  }

  problem(line: number, reason: string): void {
    if (this.#strict) throw new EventLogError(reason, line);
    this.bad++;
    if (this.problems.length < MAX_PROBLEMS) this.problems.push({ line, reason });
  }

  #overlong(): void {
    this.problem(++this.lines, `longer than ${this.#maxLineBytes} bytes`);
  }

  push(chunk: Buffer): void {
    let position = 0;
    if (!this.#started) {
      this.#started = true;
      // A byte-order mark before the first line is not part of it.
      if (chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) position = 3;
    }
    const max = this.#maxLineBytes;
    if (this.#skipping || this.#carried > 0) {
      const newline = chunk.indexOf(0x0a, position);
      if (newline === -1) {
        if (this.#skipping) return;
        if (this.#carried + chunk.length > max) {
          this.#skipping = true;
          this.#carry = [];
          this.#carried = 0;
        } else {
          // Copied: a source may reuse its chunk's memory.
          this.#carry.push(Uint8Array.prototype.slice.call(chunk, position));
          this.#carried += chunk.length - position;
        }
        return;
      }
      if (this.#skipping) {
        this.#skipping = false;
        this.#overlong();
      } else if (this.#carried + newline - position > max) {
        this.#carry = [];
        this.#carried = 0;
        this.#overlong();
      } else {
        const line = this.#joined(chunk.subarray(position, newline));
        this.#line(line, 0, line.length - 1);
      }
      position = newline + 1;
    }
    // Lines up to the last newline of the chunk; the scanner's loops all stop at a newline, so
    // it never reads past one, and it finds the end of the lines it answers by itself.
    const last = chunk.lastIndexOf(0x0a);
    const scanner = this.#scanner;
    while (position <= last) {
      const end = scanner ? scanner.scanLine(chunk, position) : -1;
      if (end >= 0 && end - position <= max) {
        this.lines++;
        this.#event(chunk, scanner as EventScanner);
        position = end + 1;
        continue;
      }
      const newline = chunk.indexOf(0x0a, position);
      if (newline - position > max) this.#overlong();
      else this.#line(chunk, position, newline);
      position = newline + 1;
    }
    if (position < chunk.length) {
      if (chunk.length - position > max) this.#skipping = true;
      else {
        this.#carry.push(Uint8Array.prototype.slice.call(chunk, position));
        this.#carried = chunk.length - position;
      }
    }
  }

  /** The last line, when the input does not end with a newline. */
  end(): void {
    if (this.#skipping) this.#overlong();
    else if (this.#carried > 0) {
      const line = this.#joined(new Uint8Array(0));
      this.#line(line, 0, line.length - 1);
    }
  }

  /** The carried line plus `tail`, with a newline after it, as the scanner needs. */
  #joined(tail: Uint8Array): Buffer {
    const line = Buffer.allocUnsafe(this.#carried + tail.length + 1);
    let offset = 0;
    for (const part of this.#carry) {
      line.set(part, offset);
      offset += part.length;
    }
    line.set(tail, offset);
    line[line.length - 1] = 0x0a;
    this.#carry = [];
    this.#carried = 0;
    return line;
  }

  /** One line, bytes [start, end) of `b` with b[end] its newline, that the loop did not answer. */
  #line(b: Buffer, start: number, end: number): void {
    const scanner = this.#scanner;
    if (scanner && scanner.scanLine(b, start) === end) {
      this.lines++;
      this.#event(b, scanner);
      return;
    }
    const line = ++this.lines;
    let i = start;
    while (i < end && (b[i] === 0x20 || b[i] === 0x09 || b[i] === 0x0d)) i++;
    if (i === end) {
      this.blank++;
      return;
    }
    this.#slow(decoder.decode(b.subarray(i, end)), line);
  }

  /** The line the scanner just answered. */
  #event(b: Uint8Array, scanner: EventScanner): void {
    this.events++;
    this.#variantFromBytes(b, scanner.variantStart, scanner.variantEnd).add(
      scanner.outcomeValue,
      scanner.outcomeKind !== OUTCOME_NUMBER,
      this.lines,
    );
  }

  #variant(name: string, line: number): VariantStats {
    let stats = this.#byName.get(name);
    if (!stats) {
      if (name.length > MAX_VARIANT_NAME)
        throw new EventLogError(
          `a value of "${this.#variantField}" ${name.length} characters long (over ${MAX_VARIANT_NAME}; is it the field that names the variant?)`,
          line,
        );
      if (this.variants.length >= MAX_VARIANTS)
        throw new EventLogError(
          `more than ${MAX_VARIANTS} distinct values of "${this.#variantField}" (is it the field that names the variant?)`,
          line,
        );
      stats = new VariantStats(name);
      this.variants.push(stats);
      this.#byName.set(name, stats);
    }
    return stats;
  }

  #variantFromBytes(b: Uint8Array, start: number, end: number): VariantStats {
    const length = end - start;
    const aliases = this.#aliases;
    for (let a = 0; a < aliases.length; a++) {
      const alias = aliases[a] as { bytes: Uint8Array; stats: VariantStats };
      const bytes = alias.bytes;
      if (bytes.length !== length) continue;
      let k = 0;
      while (k < length && bytes[k] === b[start + k]) k++;
      if (k === length) return alias.stats;
    }
    const stats = this.#variant(decoder.decode(b.subarray(start, end)), this.lines);
    // Bounded: distinct spellings of one name only arise from invalid UTF-8.
    if (aliases.length < 4 * MAX_VARIANTS) aliases.push({ bytes: b.slice(start, end), stats });
    return stats;
  }

  #slow(text: string, line: number): void {
    const parsed = parseEvent(text, this.#variantField, this.#outcomeField);
    if (typeof parsed === "string") {
      this.problem(line, parsed);
      return;
    }
    this.events++;
    this.#variant(parsed.name, line).add(parsed.value, parsed.isBoolean, line);
  }
}

/** A line the fast path did not answer, by JSON.parse: the event, or why the line is bad. */
function parseEvent(
  text: string,
  variantField: string,
  outcomeField: string,
): { name: string; value: number; isBoolean: boolean } | string {
  let event: unknown;
  try {
    event = JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return `not JSON: ${message.length > 120 ? `${message.slice(0, 120)}…` : message}`;
  }
  if (typeof event !== "object" || event === null || Array.isArray(event)) return "not a JSON object";
  const record = event as Record<string, unknown>;
  const variant = lookup(record, variantField);
  if (!variant.found) return `no "${variantField}" field`;
  let name: string;
  if (typeof variant.value === "string") name = variant.value;
  else if (typeof variant.value === "number" && Number.isFinite(variant.value)) name = String(variant.value);
  else return `"${variantField}" is ${describeType(variant.value)}, not a string or number`;
  const outcome = lookup(record, outcomeField);
  if (!outcome.found) return `no "${outcomeField}" field`;
  if (typeof outcome.value === "boolean") return { name, value: outcome.value ? 1 : 0, isBoolean: true };
  if (typeof outcome.value !== "number") return `"${outcomeField}" is ${describeType(outcome.value)}, not a number or boolean`;
  if (!Number.isFinite(outcome.value)) return `"${outcomeField}" is not a finite number`;
  return { name, value: outcome.value, isBoolean: false };
}

async function readLines(input: AsyncIterable<Uint8Array | string>, reader: EventLogReader): Promise<void> {
  for await (const piece of input) {
    reader.push(
      typeof piece === "string"
        ? Buffer.from(piece)
        : Buffer.isBuffer(piece)
          ? piece
          : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength),
    );
  }
  reader.end();
}

function chooseVariants(reader: EventLogReader, options: EventLogOptions): { control: VariantStats; treatment: VariantStats } {
  const seen = reader.variants;
  const names = seen.map((v) => JSON.stringify(v.name)).join(", ");
  // A name given that the log never mentions, while it mentions others, is a typo, not "no data".
  const find = (name: string) => {
    const found = seen.find((v) => v.name === name);
    if (!found && seen.length > 0) throw new EventLogError(`no events of variant "${name}" in the log (seen: ${names})`);
    return found ?? new VariantStats(name);
  };
  const { control, treatment } = options;
  if (control !== undefined && treatment !== undefined) {
    if (control === treatment) throw new EventLogError(`--control and --treatment are both "${control}"`);
    return { control: find(control), treatment: find(treatment) };
  }
  if (control === undefined && treatment === undefined) {
    if (seen.length > 2)
      throw new EventLogError(`${seen.length} variants in the log (${names}): name the two to compare with --control and --treatment`);
    if (seen.length < 2)
      throw new EventLogError(
        seen.length === 0
          ? "no events in the log"
          : `only one variant in the log (${names}): expected two, or name them with --control and --treatment`,
      );
    return { control: seen[0] as VariantStats, treatment: seen[1] as VariantStats };
  }
  const named = (control ?? treatment) as string;
  const others = seen.filter((v) => v.name !== named);
  if (others.length !== 1)
    throw new EventLogError(
      `${others.length === 0 ? "no variant" : `${others.length} variants`} besides "${named}" in the log${seen.length ? ` (seen: ${names})` : ""}: name the ${control === undefined ? "control with --control" : "treatment with --treatment"}`,
    );
  const other = others[0] as VariantStats;
  return control !== undefined ? { control: find(control), treatment: other } : { control: other, treatment: find(named) };
}

function bounds(low: number, high: number): { low: number; high: number } | undefined {
  return Number.isFinite(low) && Number.isFinite(high) ? { low, high } : undefined;
}

/**
 * Reads a two-variant event log and judges the treatment against the criteria: per variant the
 * count, the value, its anytime-valid interval (the one the decision uses) and its fixed-horizon
 * interval; the difference treatment − control with both kinds of interval and a fixed-horizon
 * p-value; the judgement of judgeSequential. Bad lines are counted and the first MAX_PROBLEMS
 * listed with their line numbers (or, with `strict`, the first one throws); a log with no usable
 * event throws EventLogError, as do bad options (InputError).
 */
export async function analyzeEventLog(input: AsyncIterable<Uint8Array | string>, options: EventLogOptions = {}): Promise<AbResult> {
  const variantField = options.variantField ?? DEFAULT_VARIANT_FIELD;
  const outcomeField = options.outcomeField ?? DEFAULT_OUTCOME_FIELD;
  if (variantField === "" || outcomeField === "") throw new InputError("the variant and outcome fields must be named");
  if (variantField === outcomeField) throw new InputError(`the variant and the outcome are both the field "${variantField}"`);
  const alpha = options.alpha ?? DEFAULT_AB_ALPHA;
  const defaultCriterion = options.max === undefined && options.min === undefined && options.noWorseThan === undefined;
  const direction = options.direction ?? (options.max !== undefined && options.min === undefined ? "lower" : "higher");
  const criteriaInput: Criteria = {
    name: outcomeField.slice(0, 64),
    direction,
    alpha,
    ...(options.max !== undefined ? { max: options.max } : {}),
    ...(options.min !== undefined ? { min: options.min } : {}),
    ...(defaultCriterion ? { noWorseThan: 0 } : options.noWorseThan !== undefined ? { noWorseThan: options.noWorseThan } : {}),
    ...(options.optimizeAt !== undefined ? { optimizeAt: options.optimizeAt } : {}),
  };
  const parsedCriteria = criteriaSchema.safeParse(criteriaInput);
  if (!parsedCriteria.success) throw new InputError(`criteria: ${parsedCriteria.error.issues.map((i) => i.message).join("; ")}`);
  const criteria = parsedCriteria.data;

  const reader = new EventLogReader(variantField, outcomeField, options.strict ?? false, options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES);
  await readLines(input, reader);
  if (reader.events === 0 && reader.bad > 0) {
    const first = reader.problems[0];
    throw new EventLogError(
      `no usable events: all ${reader.bad} non-blank lines are bad${first ? `; line ${first.line}: ${first.reason}` : ""}`,
    );
  }
  const { control, treatment } = chooseVariants(reader, options);

  const nonBinary = control.firstNonBinary || treatment.firstNonBinary;
  const boolean = control.firstBoolean || treatment.firstBoolean;
  if (options.kind === "proportion" && nonBinary)
    throw new EventLogError(`"${outcomeField}" is a number other than 0 and 1 on line ${nonBinary}, but the kind is proportion`);
  if (options.kind === undefined && nonBinary && boolean)
    throw new EventLogError(
      `"${outcomeField}" mixes booleans (line ${boolean}) with numbers other than 0 and 1 (line ${nonBinary}): expected one or the other`,
    );
  const kind = options.kind ?? (nonBinary ? "mean" : "proportion");
  const sample = (v: VariantStats): Sample =>
    kind === "proportion" ? { kind, n: v.n, successes: v.ones } : { kind, ...v.sampleMoments() };
  const judgement = judgeSequential(sample(control), sample(treatment), criteria);
  const level = 1 - alpha;

  const describe = (v: VariantStats, summary: (typeof judgement)["control"]): AbVariant => {
    const moments = v.sampleMoments();
    const out: AbVariant = { name: v.name, n: v.n };
    if (kind === "proportion") out.successes = v.ones;
    if (v.n === 0) return out;
    out.value = kind === "proportion" ? v.ones / v.n : moments.mean;
    if (kind === "mean" && v.n >= 2) out.sd = Math.sqrt(moments.variance);
    if (summary?.low !== undefined && summary.high !== undefined) out.anytimeValid = { low: summary.low, high: summary.high };
    const fixed = kind === "proportion" ? wilsonInterval(v.ones, v.n, level) : tMeanInterval(moments, level);
    const fixedBounds = bounds(fixed.low, fixed.high);
    if (fixedBounds) out.fixedHorizon = fixedBounds;
    return out;
  };

  const result: AbResult = {
    kind,
    variantField,
    outcomeField,
    alpha,
    control: describe(control, judgement.control),
    treatment: describe(treatment, judgement.treatment),
    fixedHorizon:
      kind === "proportion"
        ? { level, variant: "wilson", difference: "newcombe", test: "two-proportion-z" }
        : { level, variant: "t", difference: "welch", test: "welch-t" },
    criteria,
    defaultCriterion,
    judgement,
    lines: {
      total: reader.lines,
      events: reader.events,
      blank: reader.blank,
      bad: reader.bad,
      otherVariants: reader.variants.filter((v) => v !== control && v !== treatment).reduce((sum, v) => sum + v.n, 0),
    },
    problems: reader.problems,
    otherVariants: reader.variants
      .filter((v) => v !== control && v !== treatment)
      .slice(0, 20)
      .map((v) => v.name),
  };
  if (control.n > 0 && treatment.n > 0) {
    const counts = (v: VariantStats) => ({ successes: v.ones, n: v.n });
    const moments = (v: VariantStats) => v.sampleMoments();
    const fixed =
      kind === "proportion"
        ? {
            ...newcombeDifferenceInterval(counts(control), counts(treatment), level),
            pValue: twoProportionZTest(counts(control), counts(treatment)).pValue,
          }
        : welchDifference(moments(control), moments(treatment), level);
    const difference: NonNullable<AbResult["difference"]> = { estimate: fixed.estimate, pValue: fixed.pValue };
    if (judgement.difference) difference.anytimeValid = { low: judgement.difference.low, high: judgement.difference.high };
    const fixedBounds = bounds(fixed.low, fixed.high);
    if (fixedBounds) difference.fixedHorizon = fixedBounds;
    result.difference = difference;
  }
  return result;
}
