import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { DEFAULT_CONFIG_FILE, ExitCode, oneLine, runUrlFromEnv, UsageError } from "@llmops/core";
import {
  type AliasHistory,
  aliasOfRef,
  type BaselineSpec,
  fileBaselineResolver,
  loadAliasHistory,
  recordingResolvers,
  reportSuites,
  runComparePipeline,
  storeBaselineResolver,
} from "@llmops/eval";
import { comparisonRenderers, writeHtmlReport } from "@llmops/report";
import { type Command, commandStoreOpener, openCommandStore, optionalString, storeOptionHelp, storeOptions } from "../command.ts";

const DEFAULT_OUT = ".llmops/report.html";
const REF = /^[^:@\s]+(:[^:@\s]+|@sha256:[0-9a-f]{64})$/;

/**
 * `llmops report html`: one self-contained HTML file of eval results, their comparison with a
 * baseline and the store's history of an alias. The comparison is the compare pipeline's, the one
 * behind `llmops compare` and actions/compare (same flags, same config, same statistics); its
 * report directory goes to a temporary directory, since only the HTML is asked for here.
 */
export const reportHtmlCommand: Command = {
  name: "html",
  summary: "Write one self-contained HTML report: metrics with intervals, every case side by side, alias history",
  usage:
    "--results DIR [--baseline DIR | --baseline-ref NAME:ALIAS] [--history NAME:ALIAS] [--config FILE] [--store S] [--out FILE] [--title T]",
  options: {
    results: { type: "string", short: "r" },
    baseline: { type: "string" },
    "baseline-ref": { type: "string" },
    history: { type: "string" },
    config: { type: "string", short: "c" },
    ...storeOptions,
    out: { type: "string", short: "o" },
    title: { type: "string" },
  },
  optionHelp: {
    results: "eval results: a suite's results directory (summary.json + results.jsonl) or a parent of several",
    baseline: "baseline results directory (or its summary.json), compared as `llmops compare --baseline` does",
    "baseline-ref": "take the baseline from eval evidence on a store version, e.g. sentiment-model:production",
    history: "show this alias's versions over time from the store (default: the alias of --baseline-ref or compare.baseline)",
    config: "llmops.yaml with the compare: section (default ./llmops.yaml when present)",
    ...storeOptionHelp,
    out: `the HTML file to write (default ${DEFAULT_OUT})`,
    title: "the page's heading",
  },
  async run({ values, positionals }, context) {
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    const results = optionalString(values.results);
    if (!results) throw new UsageError("--results DIR is required (the eval results to report)");
    const baselineDir = optionalString(values.baseline);
    const ref = optionalString(values["baseline-ref"]);
    if (baselineDir && ref) throw new UsageError("give either --baseline or --baseline-ref, not both");
    if (ref && !REF.test(ref)) throw new UsageError(`--baseline-ref ${ref}: expected NAME:ALIAS, NAME:vN or NAME@sha256:<digest>`);
    const historyRef = optionalString(values.history);
    const historyAlias = historyRef === undefined ? undefined : aliasOfRef(historyRef);
    if (historyRef !== undefined && !historyAlias) throw new UsageError(`--history ${historyRef}: expected NAME:ALIAS`);
    const storeSpec = optionalString(values.store);
    const config = optionalString(values.config);
    const title = optionalString(values.title);
    const out = path.resolve(context.cwd, optionalString(values.out) ?? DEFAULT_OUT);
    const baseline: BaselineSpec | undefined = baselineDir ? { kind: "file", path: baselineDir } : ref ? { kind: "alias", ref } : undefined;
    const { cwd, logger, env } = context;
    const openStore = commandStoreOpener(values, context);

    const scratch = await mkdtemp(path.join(tmpdir(), "llmops-report-"));
    try {
      const recorded = recordingResolvers({ file: fileBaselineResolver({ cwd }), alias: storeBaselineResolver({ openStore, logger }) });
      const compared = await runComparePipeline({
        head: results,
        ...(baseline ? { baseline } : {}),
        config: { file: config ?? DEFAULT_CONFIG_FILE, required: config !== undefined },
        ...(storeSpec ? { store: storeSpec } : {}),
        resolvers: recorded.resolvers,
        renderers: comparisonRenderers(),
        out: scratch,
        cwd,
        logger,
        noBaselineGiven: "no baseline given (--baseline, --baseline-ref or compare.baseline in llmops.yaml)",
      });

      // The history asked for, else that of the alias the baseline came from (a nicety: its failure is a warning).
      let history: AliasHistory | undefined;
      if (historyAlias) {
        history = await loadAliasHistory({ store: await openCommandStore(values, context, config), ...historyAlias, logger });
      } else if (recorded.alias) {
        const alias = aliasOfRef(recorded.alias.ref);
        if (alias) {
          history = await loadAliasHistory({ store: openStore(recorded.alias.store), ...alias, logger }).catch((error: unknown) => {
            logger.warn(`no history of ${recorded.alias?.ref} in the report: ${oneLine(error)}`);
            return undefined;
          });
        }
      }

      const runUrl = runUrlFromEnv(env);
      const written = await writeHtmlReport(
        {
          suites: reportSuites(compared, recorded.baselines),
          ...(title ? { title } : {}),
          ...(history ? { history } : {}),
          ...(runUrl ? { runUrl } : {}),
        },
        out,
      );
      if (context.json) context.stdout.write(`${JSON.stringify({ path: written.path, bytes: written.bytes, cases: written.cases })}\n`);
      else context.stdout.write(`wrote ${written.path} (${written.cases} case results, ${written.bytes} bytes)\n`);
      return ExitCode.Success;
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  },
};

/** `llmops report <kind>`; `html` is the one kind so far. */
export const reportCommand: Command = {
  name: "report",
  summary: "Render eval results and their comparison as a report file (`llmops report html`)",
  usage: "html [options]",
  options: {},
  subcommands: [reportHtmlCommand],
  async run({ positionals }) {
    throw new UsageError(positionals[0] ? `unknown report kind "${positionals[0]}" (expected html)` : "expected a report kind: html");
  },
};
