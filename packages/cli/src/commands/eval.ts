import { ExitCode, formatNumber, loadConfig, type MetricSummary, UsageError } from "@llmops/core";
import { type EvaluateResult, evaluate, mergeEvalShards, parseShard, type RunProgress, type SuiteOutcome } from "@llmops/eval";
import { checkSuiteDatasets } from "@llmops/operate";
import { renderJUnit, renderRunSummaryMarkdown } from "@llmops/report";
import type { Store } from "@llmops/store";
import {
  type Command,
  type CommandContext,
  commandStoreOpener,
  type ParsedArgs,
  SIGNAL_EXIT,
  stoppable,
  storeOptionHelp,
  storeOptions,
} from "../command.ts";
import { createProgress, type Progress } from "../progress.ts";
import { refuseOnFailedChecks } from "./version.ts";

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

export const evalMergeCommand: Command = {
  name: "merge",
  summary: "Merge the outputs of `llmops eval --shard i/n` into the outputs of one whole run",
  usage: "<DIR>... --out DIR [--config FILE]",
  options: {
    out: { type: "string", short: "o" },
    config: { type: "string", short: "c" },
    ...storeOptions,
  },
  optionHelp: {
    out: "directory for the merged results.jsonl, summary.json, junit.xml, summary.md",
    config: "llmops.yaml the shards ran (default ./llmops.yaml): gates and scorers come from it",
    ...storeOptionHelp,
  },
  async run(args, context) {
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
  },
};

/**
 * `--check`: the dataset gate of @llmops/operate (checkSuiteDatasets) before any suite runs; a
 * failed check exits 1 naming the suites that read it. Undefined when every check passed.
 */
async function checkSuiteDatasetsCommand(
  values: ParsedArgs["values"],
  context: CommandContext,
  options: { config?: string; suites: string[]; store?: string },
): Promise<number | undefined> {
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
  if (stoppedBy || !result) return SIGNAL_EXIT[stoppedBy ?? "SIGINT"] ?? 130;
  return "exit" in result ? result.exit : undefined;
}

export const evalCommand: Command = {
  name: "eval",
  summary: "Run eval suites: call providers, score, aggregate with intervals, gate",
  usage: "[--config FILE] [--suite NAME]... [--model REF] [--store S] [--out DIR] [--no-cache] [--shard i/n] [--record] [--check]",
  options: {
    config: { type: "string", short: "c" },
    suite: { type: "string", short: "s", multiple: true },
    model: { type: "string", short: "m" },
    ...storeOptions,
    out: { type: "string", short: "o" },
    "no-cache": { type: "boolean" },
    shard: { type: "string" },
    record: { type: "boolean" },
    check: { type: "boolean" },
  },
  optionHelp: {
    config: "config file (default ./llmops.yaml)",
    suite: "run only this suite (repeatable; default all)",
    model: "model version evaluated (name:alias, name:v3, name@sha256:…), pinned in the summary",
    ...storeOptionHelp,
    out: "root of the output directories (default .llmops/results); each suite writes <out>/<suite>/",
    "no-cache": "do not read or write the response cache (.llmops/cache/responses)",
    shard: "run only shard i of n (cases split by a hash of their id); merge with `llmops eval merge`",
    record: "attach the results as evidence to --model in the store",
    check:
      "first run the checks: llmops.yaml's artifacts: declare for each dataset version a suite reads (casesFrom: { dataset }); a failed check runs no suite (exit 1)",
  },
  subcommands: [evalMergeCommand],
  async run(args, context) {
    if (args.positionals.length > 0) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
    const shardText = optionalString(args.values.shard);
    const shard = shardText !== undefined ? parseShard(shardText) : undefined;
    const config = optionalString(args.values.config);
    const model = optionalString(args.values.model);
    const store = optionalString(args.values.store);
    const out = optionalString(args.values.out);
    if (args.values.check === true) {
      const refused = await checkSuiteDatasetsCommand(args.values, context, {
        suites: strings(args.values.suite),
        ...(config ? { config } : {}),
        ...(store ? { store } : {}),
      });
      if (refused !== undefined) return refused;
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
  },
};
