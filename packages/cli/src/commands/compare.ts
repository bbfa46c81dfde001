import { type Comparison, DEFAULT_CONFIG_FILE, ExitCode, formatNumber, formatSigned, UsageError } from "@llmops/core";
import { type BaselineSpec, fileBaselineResolver, runComparePipeline, storeBaselineResolver } from "@llmops/eval";
import { comparisonRenderers, formatP } from "@llmops/report";
import { type CommandContext, optionalString, type ParsedArgs } from "../command.ts";
import { commandStoreOpener } from "../command-store.ts";
import { DEFAULT_OUT } from "./compare.def.ts";

// The command (name, usage, options, help) is defined in compare.def.ts, whose run loads this module.
export { compareCommand } from "./compare.def.ts";

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
    const ci = m.ci.method === "none" ? "" : ` [${formatSigned(m.ci.low)}, ${formatSigned(m.ci.high)}]`;
    const p = m.test === "none" ? "untested" : `p=${formatP(m.pAdjusted)}`;
    lines.push(
      `  ${m.name.padEnd(14)} ${formatNumber(m.baseline)} -> ${formatNumber(m.head)}  ${formatSigned(m.delta)}${ci}  ${p}  ${m.verdict}`,
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

/** `llmops compare`. */
export async function runCompare({ values, positionals }: ParsedArgs, context: CommandContext): Promise<number> {
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const head = optionalString(values.head);
  if (!head) throw new UsageError("--head is required (the head results directory)");
  const baselineDir = optionalString(values.baseline);
  const ref = optionalString(values["baseline-ref"]);
  if (baselineDir && ref) throw new UsageError("give either --baseline or --baseline-ref, not both");
  if (ref && !/^[^:@\s]+(:[^:@\s]+|@sha256:[0-9a-f]{64})$/.test(ref))
    throw new UsageError(`--baseline-ref ${ref}: expected NAME:ALIAS, NAME:vN or NAME@sha256:<digest>`);
  const storeSpec = optionalString(values.store);
  const config = optionalString(values.config);
  const title = optionalString(values.title);
  const baseline: BaselineSpec | undefined = baselineDir ? { kind: "file", path: baselineDir } : ref ? { kind: "alias", ref } : undefined;
  const { cwd, logger } = context;

  const result = await runComparePipeline({
    head,
    ...(baseline ? { baseline } : {}),
    config: { file: config ?? DEFAULT_CONFIG_FILE, required: config !== undefined },
    ...(storeSpec ? { store: storeSpec } : {}),
    resolvers: {
      file: storeSpec
        ? async () => {
            throw new UsageError(
              "--store applies to a store baseline (--baseline-ref or compare.baseline.alias), not to a results directory",
            );
          }
        : fileBaselineResolver({ cwd }),
      // The one place this command opens a store.
      alias: storeBaselineResolver({ openStore: commandStoreOpener(values, context), logger }),
    },
    renderers: comparisonRenderers(title ? { title } : {}),
    out: optionalString(values.out) ?? DEFAULT_OUT,
    cwd,
    logger,
    noBaselineGiven: "no baseline given (--baseline, --baseline-ref or compare.baseline in llmops.yaml)",
  });

  const comparisons = result.suites.map((s) => s.comparison);
  if (context.json) {
    const document = {
      verdict: result.verdict,
      reportPath: result.reportPath,
      markdownPath: result.summaryPath,
      suites: result.suites.map((s) => ({
        suite: s.suite,
        verdict: s.verdict,
        baseline: s.comparison.baseline,
        comparisonPath: s.comparisonPath,
        markdownPath: s.markdownPath,
        regressions: s.regressions,
      })),
    };
    context.stdout.write(`${JSON.stringify(document)}\n`);
  } else {
    context.stdout.write(
      `${comparisons.map(describeComparison).join("\n\n")}\n\nverdict: ${result.verdict}\nreport: ${result.summaryPath}\n`,
    );
  }
  return result.verdict === "pass" ? ExitCode.Success : ExitCode.GateFailed;
}
