import { ExitCode, formatNumber, loadConfig, type MetricSummary, UsageError } from "@llmops/core";
import { type EvaluateResult, evaluate, mergeEvalShards, parseShard, type RunProgress, type SuiteOutcome } from "@llmops/eval";
import { checkSuiteDatasets } from "@llmops/operate";
import { renderJUnit, renderRunSummaryMarkdown } from "@llmops/report";
import type { Store } from "@llmops/store";
import { type CommandContext, type ParsedArgs, SIGNAL_EXIT, stoppable } from "../command.ts";
import { commandStoreOpener } from "../command-store.ts";
import { createProgress, type Progress } from "../progress.ts";
import { refuseOnFailedChecks } from "./version.ts";

// The commands (names, usage, options, help) are defined in eval.def.ts, whose runs load this module.
export { evalCommand, evalMergeCommand } from "./eval.def.ts";

const renderers = { junit: renderJUnit, markdown: renderRunSummaryMarkdown };

function strings(value: unknown): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === "string");
}

function optionalString(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** One progress display per suite variant: a bar on a terminal, a line per 10% in CI. */
function progressReporter(context: CommandContext): (variant: string, progress: RunProgress) => void {
  const bars = new Map<string, { progress: Progress; done: number }>();
  return (variant, p) => {
    let bar = bars.get(variant);
    if (!bar) {
      bar = {
        progress: createProgress({
          label: variant,
          total: p.total,
          unit: "items",
          interactive: context.interactive,
          stream: context.stderr,
        }),
        done: 0,
      };
      bars.set(variant, bar);
    }
    bar.progress.tick(p.done - bar.done);
    bar.done = p.done;
    if (p.done === p.total) bar.progress.done();
  };
}

function formatMetric(metric: MetricSummary): string {
  const ci = metric.ci.method === "none" ? "" : `  [${formatNumber(metric.ci.low)}, ${formatNumber(metric.ci.high)}]`;
  return `    ${metric.name.padEnd(14)} ${formatNumber(metric.mean).padStart(10)}${ci}  n=${metric.n}`;
}

export function describeOutcome(outcome: SuiteOutcome): string {
  const { summary } = outcome;
  const verdict = !summary.complete
    ? summary.shard
      ? `shard ${summary.shard.index}/${summary.shard.count}`
      : "INCOMPLETE (interrupted)"
    : outcome.passed
      ? "passed"
      : "FAILED";
  const lines = [
    `${outcome.passed ? "✓" : summary.complete ? "✗" : "…"} ${outcome.suite}: ${verdict} — ${summary.cases} cases, ${summary.errors} errors`,
  ];
  lines.push(...summary.metrics.map(formatMetric));
  for (const gate of summary.gates)
    lines.push(`    ${gate.passed ? "✓" : "✗"} ${gate.description}${gate.passed ? "" : ` — ${gate.reason ?? "failed"}`}`);
  lines.push(`    results: ${outcome.resultsPath}`, `    summary: ${outcome.summaryPath}`);
  return `${lines.join("\n")}\n`;
}

function jsonOutcome(outcome: SuiteOutcome) {
  return {
    suite: outcome.suite,
    passed: outcome.passed,
    complete: outcome.complete,
    summaryPath: outcome.summaryPath,
    resultsPath: outcome.resultsPath,
    junitPath: outcome.junitPath,
    markdownPath: outcome.markdownPath,
    metrics: outcome.metrics,
    ...(outcome.evidenceDigest ? { evidenceDigest: outcome.evidenceDigest } : {}),
  };
}

function exitCode(result: EvaluateResult, sharded: boolean, signal: string | undefined): number {
  if (signal) return SIGNAL_EXIT[signal] ?? 130;
  // A shard is not a verdict: its gates are evaluated by `llmops eval merge`.
  if (sharded) return ExitCode.Success;
  return result.passed ? ExitCode.Success : ExitCode.GateFailed;
}

/** `llmops eval merge`. */
export async function runEvalMerge(args: ParsedArgs, context: CommandContext): Promise<number> {
  const out = optionalString(args.values.out);
  if (!out) throw new UsageError("--out DIR is required");
  if (args.positionals.length === 0) throw new UsageError("expected the shard result directories");
  const store = optionalString(args.values.store);
  const config = optionalString(args.values.config);
  const outcome = await mergeEvalShards({
    dirs: args.positionals,
    out,
    cwd: context.cwd,
    env: context.env,
    logger: context.logger,
    renderers,
    openStore: commandStoreOpener(args.values, context),
    ...(config ? { config } : {}),
    ...(store ? { store } : {}),
  });
  if (context.json) context.stdout.write(`${JSON.stringify({ suites: [jsonOutcome(outcome)], passed: outcome.passed })}\n`);
  else context.stdout.write(describeOutcome(outcome));
  return outcome.passed ? ExitCode.Success : ExitCode.GateFailed;
}

/**
 * `--check`: the dataset gate of @llmops/operate (checkSuiteDatasets) before any suite runs; a
 * failed check exits 1 naming the suites that read it. Else the digests checked, which the run
 * then reads.
 */
async function checkSuiteDatasetsCommand(
  values: ParsedArgs["values"],
  context: CommandContext,
  options: { config?: string; suites: string[]; store?: string },
): Promise<{ exit: number } | { digests: Map<string, string> }> {
  const loaded = await loadConfig(options.config, { cwd: context.cwd });
  let store: Store | undefined;
  const openStore = () => {
    store ??= commandStoreOpener(values, context)({ input: options.store, config: loaded.config.store });
    return store;
  };
  const { result, stoppedBy } = await stoppable(context, "no suite is run", async (signal) => {
    const gated = await refuseOnFailedChecks(context, () =>
      checkSuiteDatasets(
        { loaded: { config: loaded.config, dir: loaded.dir }, openStore, cwd: context.cwd, logger: context.logger, signal },
        options.suites,
      ),
    ).catch((error: unknown) => {
      if (signal.aborted) return undefined;
      throw error;
    });
    return signal.aborted ? undefined : gated;
  });
  if (stoppedBy || !result) return { exit: SIGNAL_EXIT[stoppedBy ?? "SIGINT"] ?? 130 };
  return "exit" in result ? result : { digests: new Map(result.value.map(({ ref, digest }) => [ref, digest])) };
}

/** `llmops eval`. */
export async function runEval(args: ParsedArgs, context: CommandContext): Promise<number> {
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
  const shardText = optionalString(args.values.shard);
  const shard = shardText !== undefined ? parseShard(shardText) : undefined;
  const config = optionalString(args.values.config);
  const model = optionalString(args.values.model);
  const store = optionalString(args.values.store);
  const out = optionalString(args.values.out);
  let datasetDigests: Map<string, string> | undefined;
  if (args.values.check === true) {
    const gate = await checkSuiteDatasetsCommand(args.values, context, {
      suites: strings(args.values.suite),
      ...(config ? { config } : {}),
      ...(store ? { store } : {}),
    });
    if ("exit" in gate) return gate.exit;
    datasetDigests = gate.digests;
  }
  const { result, stoppedBy } = await stoppable(context, "writing partial results marked incomplete", (signal) =>
    evaluate({
      cwd: context.cwd,
      env: context.env,
      logger: context.logger,
      suites: strings(args.values.suite),
      cache: !args.values["no-cache"],
      record: Boolean(args.values.record),
      openStore: commandStoreOpener(args.values, context),
      renderers,
      signal,
      onProgress: progressReporter(context),
      ...(config ? { config } : {}),
      ...(model ? { model } : {}),
      ...(store ? { store } : {}),
      ...(out ? { out } : {}),
      ...(shard ? { shard } : {}),
      ...(datasetDigests ? { datasetDigests } : {}),
    }),
  );
  if (context.json) {
    context.stdout.write(
      `${JSON.stringify({ suites: result.suites.map(jsonOutcome), passed: result.passed, complete: !result.interrupted })}\n`,
    );
  } else {
    for (const outcome of result.suites) context.stdout.write(describeOutcome(outcome));
    if (result.interrupted) context.stdout.write("interrupted: the results above are partial and marked incomplete\n");
    else if (shard) context.stdout.write(`shard ${shard.index}/${shard.count} done; gates are evaluated by \`llmops eval merge\`\n`);
  }
  return exitCode(result, shard !== undefined, stoppedBy);
}
