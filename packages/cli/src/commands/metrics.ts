import { stat } from "node:fs/promises";
import path from "node:path";
import { ExitCode, UsageError, writeFileAtomic } from "@llmops/core";
import {
  checkGroupingAgainstSeries,
  checkResultSchema,
  checkSamples,
  comparisonSamples,
  EXPOSITION_FORMATS,
  type ExpositionFormat,
  evalSamples,
  groupingPath,
  type MetricSample,
  MetricSet,
  monitorResultInputSchema,
  monitorResultSamples,
  type PushResult,
  parseComparison,
  parseEvalSummary,
  parseResult,
  promotionSamples,
  pushgatewayBaseUrl,
  pushMetrics,
  type ResultDocument,
  type ResultKind,
  readCompareReport,
  readResultDocuments,
  renderExposition,
  requireResultKind,
} from "@llmops/operate";
import { statusResultSchema } from "@llmops/promote";
import { type CommandContext, optionalString, type ParsedArgs, printJson } from "../command.ts";
import { PUSHGATEWAY_PASSWORD_ENV, PUSHGATEWAY_USERNAME_ENV } from "./metrics.def.ts";

// The command (name, usage, options, help) is defined in metrics.def.ts, whose run loads this module.
export { metricsCommand } from "./metrics.def.ts";

const METHODS = ["PUT", "POST"] as const;

function strings(value: unknown): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === "string");
}

/** `--grouping k=v`, repeatable, in the order given; a name given twice is a mistake. */
function parseGrouping(items: string[]): Record<string, string> {
  const grouping: Record<string, string> = {};
  for (const item of items) {
    const eq = item.indexOf("=");
    if (eq <= 0) throw new UsageError(`--grouping ${item}: expected NAME=VALUE`);
    const name = item.slice(0, eq);
    if (Object.hasOwn(grouping, name)) throw new UsageError(`--grouping ${name} given twice`);
    grouping[name] = item.slice(eq + 1);
  }
  return grouping;
}

function credentials(env: NodeJS.ProcessEnv): { username: string; password: string } | undefined {
  const username = optionalString(env[PUSHGATEWAY_USERNAME_ENV]);
  const password = optionalString(env[PUSHGATEWAY_PASSWORD_ENV]);
  if (username === undefined && password === undefined) return undefined;
  if (username === undefined || password === undefined)
    throw new UsageError(
      `set both ${PUSHGATEWAY_USERNAME_ENV} and ${PUSHGATEWAY_PASSWORD_ENV} for the Pushgateway's basic auth, or neither`,
    );
  return { username, password };
}

/** One result document's samples, by its kind; `environment` labels the kinds that do not name their own. */
async function samplesOf(
  document: ResultDocument,
  kind: ResultKind,
  environment: string | undefined,
  context: CommandContext,
): Promise<MetricSample[]> {
  switch (kind) {
    case "eval":
      return evalSamples(parseEvalSummary(document), { environment });
    case "comparison":
      return comparisonSamples(parseComparison(document), { environment });
    case "compare-report": {
      const { comparisons } = await readCompareReport(document);
      return comparisons.flatMap((comparison) => comparisonSamples(comparison, { environment }));
    }
    case "status": {
      const status = parseResult(statusResultSchema, document, kind);
      for (const env of status.environments) {
        if (env.error !== undefined) context.logger.warn(`${document.file}: environment ${env.environment} has no series: ${env.error}`);
      }
      return promotionSamples(status);
    }
    case "check":
      return checkSamples(parseResult(checkResultSchema, document, kind));
    case "monitor":
      return monitorResultSamples(parseResult(monitorResultInputSchema, document, kind));
  }
}

/** The kinds that carry no environment of their own, which `--environment` labels. */
const LABELLED_BY_ENVIRONMENT: readonly ResultKind[] = ["eval", "comparison", "compare-report"];

/**
 * `llmops metrics`: eval, compare, status, check and monitor results as one OpenMetrics exposition
 * (a file, stdout) and/or a push to a Prometheus Pushgateway. Every PATH is read and checked before
 * anything is written or pushed; the file is written whole or not at all.
 */
export async function runMetrics({ values, positionals }: ParsedArgs, context: CommandContext): Promise<number> {
  if (positionals.length === 0)
    throw new UsageError("expected at least one PATH: eval results, a compare report, or the --json of status, check or monitor");
  const format = optionalString(values.format) ?? "openmetrics";
  if (!EXPOSITION_FORMATS.includes(format as ExpositionFormat))
    throw new UsageError(`--format ${format}: expected ${EXPOSITION_FORMATS.join(" or ")}`);
  const out = optionalString(values.out);
  const pushUrl = optionalString(values.push);
  const job = optionalString(values.job);
  const grouping = parseGrouping(strings(values.grouping));
  const method = (optionalString(values.method) ?? "PUT").toUpperCase();
  const environment = optionalString(values.environment);
  if (!METHODS.includes(method as (typeof METHODS)[number])) throw new UsageError(`--method ${method}: expected PUT or POST`);
  if (pushUrl === undefined && (job !== undefined || Object.keys(grouping).length > 0 || values.method !== undefined))
    throw new UsageError("--job, --grouping and --method go with --push URL");
  if (pushUrl !== undefined && job === undefined) throw new UsageError("--push needs --job NAME (the group the push replaces)");
  if (context.json && out === undefined && pushUrl === undefined)
    throw new UsageError("--json prints a summary on stdout: give --out FILE or --push URL for the metrics");
  // Checked before any input is read: a bad flag is not found after the work.
  const auth = pushUrl === undefined ? undefined : credentials(context.env);
  if (pushUrl !== undefined) {
    pushgatewayBaseUrl(pushUrl);
    groupingPath(job!, grouping);
  }
  const outFile = out === undefined ? undefined : path.resolve(context.cwd, out);
  if (outFile !== undefined && (await stat(outFile).catch(() => undefined))?.isDirectory())
    throw new UsageError(`--out ${out}: is a directory; expected a file`);

  const set = new MetricSet();
  for (const input of positionals) {
    const documents = await readResultDocuments(input, context.cwd);
    for (const document of documents) {
      const kind = requireResultKind(document);
      if (environment !== undefined && !LABELLED_BY_ENVIRONMENT.includes(kind))
        context.logger.warn(`${input}: --environment does not apply to ${kind} results, which name their own environments`);
      // The path as given names a series' source, or the file when a directory held several.
      const source = documents.length === 1 ? input : path.relative(context.cwd, document.file);
      set.addAll(await samplesOf(document, kind, environment, context), source);
    }
  }
  if (set.size === 0) context.logger.warn("the results hold no series");

  // Before the file is written: a push refused for its labels must not leave half the work done.
  if (pushUrl !== undefined) checkGroupingAgainstSeries(set, grouping);
  const text = renderExposition(set, format as ExpositionFormat);
  if (outFile !== undefined) await writeFileAtomic(outFile, text);
  let pushed: PushResult | undefined;
  if (pushUrl !== undefined) {
    if (set.size === 0 && method === "PUT") context.logger.warn(`a PUT without series empties the Pushgateway group of job ${job}`);
    pushed = await pushMetrics(set, {
      url: pushUrl,
      job: job!,
      grouping,
      method: method as (typeof METHODS)[number],
      auth,
      logger: context.logger,
    });
  }

  if (context.json) {
    printJson(context, {
      series: set.size,
      families: set.families().length,
      ...(outFile !== undefined ? { out: outFile, format } : {}),
      ...(pushed ? { push: pushed } : {}),
    });
  } else if (outFile === undefined && pushed === undefined) {
    context.stdout.write(text);
  } else {
    if (outFile !== undefined) context.stdout.write(`wrote ${outFile} (${set.size} series, ${format})\n`);
    if (pushed) context.stdout.write(`pushed ${pushed.series} series to ${pushed.url} (${pushed.method}, HTTP ${pushed.status})\n`);
  }
  return ExitCode.Success;
}
