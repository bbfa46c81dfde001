import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { DEFAULT_CONFIG_FILE, ExitCode, InputError, oneLine, runUrlFromEnv, UsageError } from "@llmops/core";
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
import { assertNotDirectory, comparisonRenderers, writeHtmlReport } from "@llmops/report";
import { type CommandContext, optionalString, type ParsedArgs } from "../command.ts";
import { commandStoreOpener, openCommandStore } from "../command-store.ts";
import { DEFAULT_OUT } from "./report.def.ts";

// The commands (names, usage, options, help) are defined in report.def.ts, whose runs load this module.
export { reportCommand, reportHtmlCommand } from "./report.def.ts";

const REF = /^[^:@\s]+(:[^:@\s]+|@sha256:[0-9a-f]{64})$/;

/**
 * `llmops report html`: one self-contained HTML file of eval results, their comparison with a
 * baseline and the store's history of an alias. The comparison is the compare pipeline's, the one
 * behind `llmops compare` and actions/compare (same flags, same config, same statistics); its
 * report directory goes to a temporary directory, since only the HTML is asked for here.
 */
export async function runReportHtml({ values, positionals }: ParsedArgs, context: CommandContext): Promise<number> {
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
  // Before any work: a directory is a mistake (exit 2, one line) that writing would only find at the end.
  await assertNotDirectory(out).catch((error: unknown) => {
    throw new InputError(`--out ${oneLine(error)}`);
  });
  const maxTextBytesFlag = optionalString(values["max-text-bytes"]);
  const maxTextBytes = maxTextBytesFlag === undefined ? undefined : Number(maxTextBytesFlag);
  if (maxTextBytes !== undefined && !(Number.isSafeInteger(maxTextBytes) && maxTextBytes >= 0))
    throw new UsageError(`--max-text-bytes ${maxTextBytesFlag}: expected a whole number of bytes`);
  const baseline: BaselineSpec | undefined = baselineDir ? { kind: "file", path: baselineDir } : ref ? { kind: "alias", ref } : undefined;
  const { cwd, logger, env } = context;
  const openStore = commandStoreOpener(values, context);

  // An explicit --history must show something: an alias with no recorded moves (a typo, the
  // wrong store) is a mistake to report, not an empty chart.
  let history: AliasHistory | undefined;
  if (historyAlias) {
    const store = await openCommandStore(values, context, config);
    history = await loadAliasHistory({ store, ...historyAlias, logger });
    if (history.moves.length === 0)
      throw new InputError(`--history ${historyRef}: no moves of ${historyAlias.name}:${historyAlias.alias} in store ${store.location}`);
  }

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

    // Without --history, that of the alias the baseline came from: a nicety, whose absence is a warning.
    const alias = !historyAlias && recorded.alias ? aliasOfRef(recorded.alias.ref) : undefined;
    if (alias && recorded.alias) {
      const { ref, store: candidates } = recorded.alias;
      try {
        const store = openStore(candidates);
        const found = await loadAliasHistory({ store, ...alias, logger });
        if (found.moves.length > 0) history = found;
        else logger.warn(`no history of ${ref} in the report: no moves of ${alias.name}:${alias.alias} in store ${store.location}`);
      } catch (error) {
        logger.warn(`no history of ${ref} in the report: ${oneLine(error)}`);
      }
    }

    const runUrl = runUrlFromEnv(env);
    const written = await writeHtmlReport(
      {
        suites: reportSuites(compared, recorded.baselines),
        ...(title ? { title } : {}),
        ...(history ? { history } : {}),
        ...(runUrl ? { runUrl } : {}),
        ...(env.GITHUB_SERVER_URL ? { serverUrl: env.GITHUB_SERVER_URL } : {}),
        ...(maxTextBytes !== undefined ? { maxTextBytes } : {}),
      },
      out,
    );
    if (written.trimmed > 0)
      logger.warn(
        `the case text of ${written.trimmed} of ${written.cases} case results was cut short to keep the page within its text budget`,
      );
    const { path: file, bytes, cases, trimmed } = written;
    if (context.json) context.stdout.write(`${JSON.stringify({ path: file, bytes, cases, trimmed })}\n`);
    else context.stdout.write(`wrote ${file} (${cases} case results, ${bytes} bytes)\n`);
    return ExitCode.Success;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
