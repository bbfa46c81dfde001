import { existsSync } from "node:fs";
import path from "node:path";
import {
  type CompareConfig,
  type Comparison,
  ExitCode,
  loadConfig,
  type SuiteConfig,
  UsageError,
  writeFileAtomic,
} from "@llmops/core";
import {
  type BaselineInfo,
  compareRuns,
  loadBaselineFromStore,
  outputDirFor,
  type RunResults,
  readResultsSet,
  regressions,
  suiteCorpusStatistics,
} from "@llmops/eval";
import { renderComparisonMarkdown } from "@llmops/report";
import { openStore, registryAuthFromEnv } from "@llmops/store";
import type { Command, CommandContext } from "../command.ts";

const DEFAULT_OUT = ".llmops/compare";
const DEFAULT_STORE = ".llmops/store";

function optionalString(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

interface LoadedCompareConfig {
  compare?: CompareConfig;
  store?: string;
  suites: SuiteConfig[];
  dir: string;
}

async function loadCompareConfig(context: CommandContext, explicit: string | undefined): Promise<LoadedCompareConfig> {
  const file = explicit ? path.resolve(context.cwd, explicit) : path.join(context.cwd, "llmops.yaml");
  if (!explicit && !existsSync(file)) return { dir: context.cwd, suites: [] };
  const { config } = await loadConfig(file);
  const result: LoadedCompareConfig = { dir: path.dirname(file), suites: config.suites };
  if (config.compare) result.compare = config.compare;
  if (config.store) result.store = config.store;
  return result;
}

type BaselineLookup = (suite: string, onlyHead: boolean) => Promise<{ results: RunResults | null; info: BaselineInfo }>;

/** Where baselines come from: a results directory, a store ref, or the config's `compare.baseline`. */
async function baselineLookup(
  context: CommandContext,
  values: { baseline?: string; ref?: string; store?: string },
  config: LoadedCompareConfig,
): Promise<BaselineLookup> {
  let directory = values.baseline ? path.resolve(context.cwd, values.baseline) : undefined;
  let ref = values.ref;
  const configured = config.compare?.baseline;
  if (!directory && !ref && configured) {
    if ("file" in configured) directory = path.resolve(config.dir, configured.file);
    else if ("alias" in configured) ref = `${configured.artifact}:${configured.alias}`;
    else {
      throw new UsageError(
        "compare.baseline is { branch: true }: the base branch's results are downloaded by actions/compare; locally, pass --baseline DIR with those results",
      );
    }
  }
  if (directory) {
    if (values.store)
      throw new UsageError("--store applies to a store baseline (--baseline-ref or compare.baseline.alias), not to a results directory");
    const runs = await readResultsSet(directory);
    const shown = path.relative(context.cwd, directory) || ".";
    return async (suite, onlyHead) => {
      // One suite on each side: compare them directly, so different names are an error, not "no baseline".
      const run = onlyHead && runs.length === 1 ? runs[0] : runs.find((r) => r.summary.suite === suite);
      if (!run) return { results: null, info: { source: "none", description: `no results of suite "${suite}" in ${shown}` } };
      return {
        results: { summary: run.summary, cases: run.cases },
        info: { source: "file", description: `results in ${path.relative(context.cwd, run.directory) || "."}` },
      };
    };
  }
  if (ref) {
    const spec = values.store ?? config.store ?? DEFAULT_STORE;
    const store = openStore(spec, {
      logger: context.logger,
      cwd: context.cwd,
      env: context.env,
      auth: registryAuthFromEnv(spec, context.env),
    });
    const baselineRef = ref;
    return (suite) => loadBaselineFromStore({ store, ref: baselineRef, suite, logger: context.logger });
  }
  return async () => ({
    results: null,
    info: { source: "none", description: "no baseline given (--baseline, --baseline-ref or compare.baseline in llmops.yaml)" },
  });
}

function formatNumber(value: number): string {
  if (Number.isInteger(value)) return String(value);
  return Math.abs(value) >= 100 ? value.toFixed(1) : value.toPrecision(4).replace(/\.?0+$/, "");
}

function signed(value: number): string {
  return `${value > 0 ? "+" : ""}${formatNumber(value)}`;
}

export function describeComparison(comparison: Comparison): string {
  const lines = [`${comparison.suite}: ${comparison.verdict.toUpperCase()} (baseline: ${comparison.baseline.description})`];
  if (comparison.baseline.source !== "none") {
    lines.push(
      `  ${comparison.matched} matched cases` +
        (comparison.added.length ? `, ${comparison.added.length} added` : "") +
        (comparison.removed.length ? `, ${comparison.removed.length} removed` : "") +
        (comparison.changed.length ? `, ${comparison.changed.length} changed` : ""),
    );
  }
  for (const m of comparison.metrics) {
    const ci = m.ci.method === "none" ? "" : ` [${signed(m.ci.low)}, ${signed(m.ci.high)}]`;
    const p = m.test === "none" ? "untested" : `p=${formatNumber(m.pAdjusted)}`;
    lines.push(
      `  ${m.name.padEnd(14)} ${formatNumber(m.baseline)} -> ${formatNumber(m.head)}  ${signed(m.delta)}${ci}  ${p}  ${m.verdict}`,
    );
    if (m.note) lines.push(`  ${"".padEnd(14)} (${m.note})`);
  }
  const flips = comparison.flips;
  if (flips.length) {
    const down = flips.filter((f) => f.direction === "pass-to-fail").length;
    lines.push(`  flipped: ${down} pass->fail, ${flips.length - down} fail->pass`);
  }
  for (const gate of comparison.gates.filter((g) => !g.passed))
    lines.push(`  gate failed: ${gate.description}${gate.reason ? ` — ${gate.reason}` : ""}`);
  return lines.join("\n");
}

export const compareCommand: Command = {
  name: "compare",
  summary: "Compare eval results with a baseline: paired statistics, flipped cases, regression gates",
  usage: "--head DIR [--baseline DIR | --baseline-ref NAME:ALIAS [--store S]] [--config FILE] [--out DIR]",
  options: {
    head: { type: "string" },
    baseline: { type: "string" },
    "baseline-ref": { type: "string" },
    store: { type: "string" },
    config: { type: "string" },
    out: { type: "string" },
    title: { type: "string" },
  },
  optionHelp: {
    head: "head results: a suite's results directory (summary.json + results.jsonl) or a parent of several",
    baseline: "baseline results directory (or summary.json); suites are matched by name",
    "baseline-ref": "take the baseline from eval evidence on a store version, e.g. sentiment-model:production",
    store: "store for --baseline-ref (default: llmops.yaml's store, else .llmops/store)",
    config: "llmops.yaml with the compare: section (default ./llmops.yaml when present)",
    out: `where comparison.json and comparison.md go (default ${DEFAULT_OUT})`,
    title: "heading of comparison.md",
  },
  async run({ values, positionals }, context) {
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    const head = optionalString(values.head);
    if (!head) throw new UsageError("--head is required (the head results directory)");
    const baselineDir = optionalString(values.baseline);
    const ref = optionalString(values["baseline-ref"]);
    if (baselineDir && ref) throw new UsageError("give either --baseline or --baseline-ref, not both");
    const storeSpec = optionalString(values.store);

    const config = await loadCompareConfig(context, optionalString(values.config));
    const heads = await readResultsSet(path.resolve(context.cwd, head));
    const lookup = await baselineLookup(
      context,
      { ...(baselineDir ? { baseline: baselineDir } : {}), ...(ref ? { ref } : {}), ...(storeSpec ? { store: storeSpec } : {}) },
      config,
    );

    const comparisons: Comparison[] = [];
    for (const run of heads) {
      const baseline = await lookup(run.summary.suite, heads.length === 1);
      const corpus = baseline.results ? suiteCorpusStatistics(run.summary, config.suites, config.dir) : undefined;
      comparisons.push(
        compareRuns({
          head: { summary: run.summary, cases: run.cases },
          baseline: baseline.results,
          baselineInfo: baseline.info,
          ...(config.compare ? { config: config.compare } : {}),
          ...(corpus ? { corpus } : {}),
          logger: context.logger,
        }),
      );
    }

    const out = path.resolve(context.cwd, optionalString(values.out) ?? DEFAULT_OUT);
    const single = comparisons.length === 1;
    const comparisonPaths: string[] = [];
    for (const comparison of comparisons) {
      const file = path.join(single ? out : outputDirFor(out, comparison.suite), "comparison.json");
      await writeFileAtomic(file, `${JSON.stringify(comparison, null, 2)}\n`);
      comparisonPaths.push(file);
    }
    const title = optionalString(values.title);
    const markdownPath = path.join(out, "comparison.md");
    await writeFileAtomic(markdownPath, renderComparisonMarkdown(comparisons, title ? { title } : {}));

    const verdict = comparisons.every((c) => c.verdict === "pass") ? "pass" : "fail";
    if (context.json) {
      const document = {
        verdict,
        markdownPath,
        suites: comparisons.map((c, i) => ({
          suite: c.suite,
          verdict: c.verdict,
          baseline: c.baseline,
          comparisonPath: comparisonPaths[i],
          regressions: regressions(c),
        })),
      };
      context.stdout.write(`${JSON.stringify(document)}\n`);
    } else {
      context.stdout.write(`${comparisons.map(describeComparison).join("\n\n")}\n\nverdict: ${verdict}\nreport: ${markdownPath}\n`);
    }
    return verdict === "pass" ? ExitCode.Success : ExitCode.GateFailed;
  },
};
