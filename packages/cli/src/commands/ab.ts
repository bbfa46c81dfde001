import { createReadStream } from "node:fs";
import { resolve } from "node:path";
import { ExitCode, formatNumber, formatSigned, InputError, UsageError } from "@llmops/core";
import { type AbResult, type AbVariant, analyzeEventLog, type EventLogOptions } from "@llmops/eval";
import { formatP, stripControlChars } from "@llmops/report";
import { type CommandContext, optionalString, type ParsedArgs } from "../command.ts";

// The command (name, usage, options, help) is defined in ab.def.ts, whose run loads this module.
export { abCommand } from "./ab.def.ts";

/** Large reads: the log is scanned once, front to back. */
const READ_CHUNK = 1024 * 1024;

function numberOption(values: Record<string, unknown>, name: string, check?: (n: number) => string | undefined): number | undefined {
  const text = optionalString(values[name]);
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value)) throw new UsageError(`--${name} ${text}: expected a number`);
  const problem = check?.(value);
  if (problem) throw new UsageError(`--${name} ${text}: ${problem}`);
  return value;
}

function interval(bounds: { low: number; high: number } | undefined, signed = false): string {
  if (!bounds) return "unbounded";
  const f = signed ? formatSigned : formatNumber;
  return `[${f(bounds.low)}, ${f(bounds.high)}]`;
}

function percent(alpha: number): string {
  return `${formatNumber((1 - alpha) * 100)}%`;
}

/** Text from the log (variant names, quoted values in reasons) cannot move the cursor or break a line. */
const clean = (text: string) => stripControlChars(text).replace(/[\r\n\u2028\u2029]+/g, " ");

/** The human report: one block, numbers through core's formatNumber like every other command. */
export function describeAbResult(result: AbResult, source: string): string {
  const { judgement, fixedHorizon } = result;
  const sequentialLevel = percent(judgement.intervalAlpha);
  const fixedLevel = percent(1 - fixedHorizon.level);
  const fixedName = fixedHorizon.variant === "wilson" ? "Wilson" : "t";
  const lines = [`${clean(source)}: "${clean(result.outcomeField)}" by "${clean(result.variantField)}" (${result.kind})`];
  const nameWidth = Math.max(clean(result.control.name).length, clean(result.treatment.name).length, 4);
  const row = (role: string, v: AbVariant) =>
    `  ${role.padEnd(9)} ${clean(v.name).padEnd(nameWidth)}  n=${String(v.n).padEnd(9)} ${v.value === undefined ? "no data" : `${formatNumber(v.value).padEnd(8)} anytime-valid ${interval(v.anytimeValid)}  fixed-horizon ${interval(v.fixedHorizon)}`}`;
  lines.push(row("control", result.control), row("treatment", result.treatment));
  const d = result.difference;
  if (d) {
    const method = fixedHorizon.difference === "newcombe" ? "Newcombe" : "Welch";
    const test = fixedHorizon.test === "two-proportion-z" ? "two-proportion z-test" : "Welch t-test";
    lines.push(
      `  difference (treatment - control) ${formatSigned(d.estimate)}  anytime-valid ${interval(d.anytimeValid, true)}  fixed-horizon ${interval(d.fixedHorizon, true)} (${method}), p=${formatP(d.pValue)} (${test})`,
    );
  }
  lines.push(
    `  intervals: anytime-valid ${sequentialLevel} (valid at every look), fixed-horizon ${fixedLevel} (${fixedName}; valid for one look at a size fixed in advance)`,
  );
  lines.push(
    `decision: ${judgement.status.toUpperCase()}${result.defaultCriterion ? " (no criterion given: treatment no worse than control)" : ""}`,
  );
  for (const reason of judgement.reasons) lines.push(`  ${clean(reason)}`);
  const { lines: counts } = result;
  const notes: string[] = [];
  if (counts.blank) notes.push(`${counts.blank} blank`);
  if (counts.otherVariants)
    notes.push(`${counts.otherVariants} of other variants (${result.otherVariants.map((v) => JSON.stringify(v)).join(", ")})`);
  if (counts.bad) notes.push(`${counts.bad} bad`);
  lines.push(`lines: ${counts.total} read, ${counts.events} events${notes.length ? `; skipped ${notes.join(", ")}` : ""}`);
  for (const problem of result.problems) lines.push(`  line ${problem.line}: ${clean(problem.reason)}`);
  if (counts.bad > result.problems.length) lines.push(`  … and ${counts.bad - result.problems.length} more bad lines`);
  return lines.join("\n");
}

/** Errors of opening or reading the file are the input's fault (exit 2), named with the path. */
async function* readable(path: string | undefined, cwd: string): AsyncGenerator<Uint8Array> {
  const stream = path === undefined ? process.stdin : createReadStream(resolve(cwd, path), { highWaterMark: READ_CHUNK });
  try {
    for await (const chunk of stream) yield chunk as Uint8Array;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code)
      throw new InputError(
        `cannot read ${path ?? "stdin"}: ${code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : code}`,
        { cause: error },
      );
    throw error;
  }
}

/** `llmops ab analyze`. */
export async function runAnalyze({ values, positionals }: ParsedArgs, context: CommandContext): Promise<number> {
  if (positionals.length === 0) throw new UsageError("expected the event log: a JSONL file, or - for stdin");
  if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}"`);
  const file = positionals[0] as string;
  const direction = optionalString(values.direction);
  if (direction !== undefined && direction !== "higher" && direction !== "lower")
    throw new UsageError(`--direction ${direction}: expected higher or lower`);
  const kind = optionalString(values.kind);
  if (kind !== undefined && kind !== "proportion" && kind !== "mean") throw new UsageError(`--kind ${kind}: expected proportion or mean`);
  const options: EventLogOptions = {
    strict: values.strict === true,
    ...(direction ? { direction } : {}),
    ...(kind ? { kind } : {}),
  };
  const text = (name: string) => optionalString(values[name]);
  const variantField = text("variant-field");
  const outcomeField = text("outcome-field");
  if (variantField) options.variantField = variantField;
  if (outcomeField) options.outcomeField = outcomeField;
  const control = text("control");
  const treatment = text("treatment");
  if (control) options.control = control;
  if (treatment) options.treatment = treatment;
  const noWorseThan = numberOption(values, "no-worse-than", (n) => (n < 0 ? "expected a margin >= 0" : undefined));
  const max = numberOption(values, "max");
  const min = numberOption(values, "min");
  const alpha = numberOption(values, "alpha", (n) => (n > 0 && n < 1 ? undefined : "expected 0 < alpha < 1"));
  const optimizeAt = numberOption(values, "optimize-at", (n) => (n > 0 ? undefined : "expected a positive number"));
  if (noWorseThan !== undefined) options.noWorseThan = noWorseThan;
  if (max !== undefined) options.max = max;
  if (min !== undefined) options.min = min;
  if (alpha !== undefined) options.alpha = alpha;
  if (optimizeAt !== undefined) options.optimizeAt = optimizeAt;
  if (min !== undefined && max !== undefined && min > max) throw new UsageError(`--min ${min} is above --max ${max}`);

  const result = await analyzeEventLog(readable(file === "-" ? undefined : file, context.cwd), options);
  if (result.lines.bad > 0)
    context.logger.warn(
      `skipped ${result.lines.bad} bad line${result.lines.bad === 1 ? "" : "s"} (first: line ${result.problems[0]?.line})`,
    );
  if (context.json) context.stdout.write(`${JSON.stringify(result)}\n`);
  else context.stdout.write(`${describeAbResult(result, file === "-" ? "stdin" : file)}\n`);
  return result.judgement.status === "fail" ? ExitCode.GateFailed : ExitCode.Success;
}
