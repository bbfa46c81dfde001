/**
 * What `actions/eval` does once its inputs are read: run (or merge) the suites, persist the
 * response cache, annotate config errors on their lines and upload results ({@link runEvalAction});
 * then outputs, job summary and the step's verdict ({@link writeEvalOutputs}).
 */
import { glob, readFile, stat } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import * as core from "@actions/core";
import { ConfigError, listConfigFileErrors, loadConfig, oneLine, runUrlFromEnv } from "@llmops/core";
import {
  type EvaluateResult,
  evaluate,
  mergeEvalShards,
  outputDirFor,
  parseShard,
  RESPONSE_CACHE_DIR,
  type RunProgress,
  readRunSummary,
  reportSuiteFromFiles,
  type SuiteOutcome,
} from "@llmops/eval";
import { htmlReportLine, renderJUnit, renderRunSummaryMarkdown } from "@llmops/report";
import type { Store } from "@llmops/store";
import { z } from "zod";
import { actionInput, readActionInputs } from "./action-inputs.ts";
import { type ActionContext, actionContext, actionStoreOpener, failStep, storeInputs } from "./action-kit.ts";
import { resultsArtifactName } from "./artifacts.ts";
import { writeJobSummary } from "./job-summary.ts";
import {
  type ArtifactUploader,
  HTML_REPORT_FILE,
  htmlReportArtifactName,
  htmlReportInput,
  publishHtmlReport,
  retentionDaysInput,
} from "./report-artifact.ts";
import { responseCacheKeys, restoreResponseCache, saveResponseCache } from "./response-cache.ts";

export const evalActionInputsSchema = z.object({
  config: actionInput.required("a config path"),
  suites: actionInput.list(),
  model: actionInput.string(),
  baseUrl: z.union([z.literal(""), z.url("expected a URL such as http://127.0.0.1:8000/v1")]),
  modelName: actionInput.string(),
  ...storeInputs,
  record: actionInput.boolean(),
  check: actionInput.boolean(),
  cache: actionInput.boolean(),
  shard: actionInput.string(),
  merge: actionInput.lines(),
  out: actionInput.required("an output directory"),
  failOnGate: actionInput.boolean(),
  uploadResults: actionInput.boolean(),
  htmlReport: htmlReportInput(),
  reportRetentionDays: retentionDaysInput(),
});

export type EvalActionInputs = z.output<typeof evalActionInputsSchema>;

/** The eval action's inputs from the runner (`INPUT_*`), parsed. */
export function readEvalInputs(getInput?: (name: string) => string): EvalActionInputs {
  return readActionInputs(evalActionInputsSchema, getInput);
}

/** What an eval run (or a merge of shards) produced, for outputs, the job summary and the verdict. */
export interface EvalActionResult {
  /** The root output directory (absolute). */
  resultsPath: string;
  suites: {
    suite: string;
    passed: boolean;
    complete: boolean;
    summaryPath: string;
    markdownPath?: string;
    metrics: Record<string, number>;
    /** The eval evidence referrer recorded on the model version (`record`). */
    evidenceDigest?: string;
  }[];
  /** Every suite complete and passing its gates. */
  passed: boolean;
  /** Why the step fails (a failed gate with fail-on-gate, an interrupted run, an incomplete merge); absent when it does not. */
  failure?: string;
  /** The HTML report of the suites (written and uploaded with `upload-results` and `html-report`), and its artifact's page. */
  htmlReport?: { path: string; url?: string };
}

/**
 * `@actions/artifact` (with its Azure SDK) is most of the bundle and only needed with
 * `upload-results: true`, so it is loaded on demand rather than on every job.
 */
async function loadUploader() {
  return (await import("./upload-results.ts")).uploadResults;
}

/**
 * `check: true`: the checks of every dataset version the suites read (@llmops/operate's
 * checkSuiteDatasets, the gate `llmops eval --check` runs), before any suite. A failure puts each
 * report in the job summary and fails the step: no suite runs. The check
 * code is loaded only then, so the bundle every eval job loads stays small.
 */
async function checkSuiteDatasetsGate(inputs: EvalActionInputs, context: ActionContext): Promise<Map<string, string>> {
  const { checkSuiteDatasets, DatasetChecksFailedError, renderCheckMarkdown } = await import("@llmops/operate");
  const loaded = await loadConfig(inputs.config, { cwd: context.workspace });
  const opener = actionStoreOpener(inputs, context);
  let store: Store | undefined;
  const openStore = () => {
    store ??= opener({ input: inputs.store || undefined, config: loaded.config.store });
    return store;
  };
  try {
    const checked = await checkSuiteDatasets(
      { loaded: { config: loaded.config, dir: loaded.dir }, openStore, cwd: context.workspace, logger: context.logger },
      inputs.suites,
    );
    return new Map(checked.map(({ ref, digest }) => [ref, digest]));
  } catch (error) {
    if (error instanceof DatasetChecksFailedError) {
      // The refusal itself must reach the step's failure even where no job summary can be written.
      await writeJobSummary(error.failures.map(({ result }) => renderCheckMarkdown(result)).join("\n")).catch((e: unknown) =>
        context.logger.warn(`job summary: ${oneLine(e)}`),
      );
    }
    throw error;
  }
}

/** Every config error as an annotation on its line, so the PR diff shows where the problem is. */
async function annotateConfigErrors(configPath: string, workspace: string, thrown: ConfigError): Promise<void> {
  let errors: ConfigError[] = [];
  try {
    errors = await listConfigFileErrors(configPath, { cwd: workspace });
  } catch {
    // The file could not be read at all; the thrown error says why.
  }
  if (!errors.some((e) => e.message === thrown.message)) errors.push(thrown);
  for (const error of errors) {
    const location = error.location;
    if (!location) {
      core.error(error.message);
      continue;
    }
    core.error(`${error.yamlPath || "(root)"}: ${error.expected}`, {
      file: relative(workspace, location.file) || location.file,
      startLine: location.line,
      startColumn: location.column,
      title: "llmops config",
    });
  }
}

function progressLogger(context: ActionContext): (variant: string, progress: RunProgress) => void {
  const last = new Map<string, number>();
  return (variant, p) => {
    const decile = p.total ? Math.floor((p.done / p.total) * 10) : 10;
    if (decile <= (last.get(variant) ?? 0) && p.done !== p.total) return;
    if (last.get(variant) === 10) return;
    last.set(variant, decile);
    context.logger.info(
      `${variant}: ${p.done}/${p.total}${p.errors ? `, ${p.errors} errors` : ""}${p.cached ? `, ${p.cached} cached` : ""}`,
    );
  };
}

/** Directories matching the merge patterns, each holding a shard's summary.json. */
async function shardDirs(patterns: string[], workspace: string): Promise<string[]> {
  const dirs = new Set<string>();
  for (const pattern of patterns) {
    for await (const match of glob(pattern, { cwd: workspace })) {
      const path = resolve(workspace, match);
      if ((await stat(path)).isDirectory()) dirs.add(path);
    }
  }
  if (dirs.size === 0) throw new Error(`input merge: no directory matches ${patterns.join(", ")}`);
  return [...dirs].sort();
}

async function upload(name: string, dir: string, context: ActionContext): Promise<void> {
  try {
    const uploaded = await (await loadUploader())({ name, dir });
    context.logger.info(`uploaded ${uploaded.files} files as artifact ${name}`);
  } catch (error) {
    context.logger.warn(oneLine(error));
  }
}

/**
 * With `upload-results` and `html-report`, the suites' interactive HTML report: `<out>/report.html`,
 * uploaded as the artifact `llmops-report-eval-<job>-<suites>-<hash>.html` and linked from the job
 * summary. Only whole runs get one (not a shard, not an interrupted run); a failure is a warning.
 */
async function htmlReport(
  outcomes: SuiteOutcome[],
  file: string,
  context: ActionContext,
  inputs: EvalActionInputs,
  upload?: ArtifactUploader,
): Promise<EvalActionResult["htmlReport"]> {
  if (!inputs.htmlReport) return undefined;
  const runUrl = context.runUrl ?? runUrlFromEnv(context.env);
  const published = await publishHtmlReport({
    input: { suites: outcomes.map((o) => reportSuiteFromFiles(o.summary, o.resultsPath)), ...(runUrl ? { runUrl } : {}) },
    file,
    name: htmlReportArtifactName(
      "eval",
      outcomes.map((o) => o.suite),
      context.env,
    ),
    env: context.env,
    logger: context.logger,
    ...(upload ? { upload } : {}),
    ...(inputs.reportRetentionDays !== undefined ? { retentionDays: inputs.reportRetentionDays } : {}),
  });
  return published ? { path: published.path, ...(published.url ? { url: published.url } : {}) } : undefined;
}

function suiteResult(outcome: SuiteOutcome): EvalActionResult["suites"][number] {
  return {
    suite: outcome.suite,
    passed: outcome.passed,
    complete: outcome.complete,
    summaryPath: outcome.summaryPath,
    ...(outcome.markdownPath ? { markdownPath: outcome.markdownPath } : {}),
    metrics: outcome.metrics,
    ...(outcome.evidenceDigest ? { evidenceDigest: outcome.evidenceDigest } : {}),
  };
}

/** Seams for tests: the uploader of the HTML report (the default loads @actions/artifact on a runner). */
export interface EvalActionOptions {
  uploadHtml?: ArtifactUploader;
}

async function merge(inputs: EvalActionInputs, context: ActionContext, options: EvalActionOptions): Promise<EvalActionResult> {
  const { workspace, env, logger } = context;
  const dirs = await shardDirs(inputs.merge, workspace);
  // A shard's summary is an artifact from another job: validated before its suite name becomes a path.
  const first = await readRunSummary(dirs[0]!);
  const out = outputDirFor(resolve(workspace, inputs.out), first.suite);
  const outcome = await mergeEvalShards({
    dirs,
    out,
    config: inputs.config,
    cwd: workspace,
    env,
    logger,
    renderers: { junit: renderJUnit, markdown: renderRunSummaryMarkdown },
    ...(inputs.store ? { store: inputs.store } : {}),
    openStore: actionStoreOpener(inputs, context),
  });
  const result: EvalActionResult = { resultsPath: resolve(workspace, inputs.out), suites: [suiteResult(outcome)], passed: outcome.passed };
  if (inputs.uploadResults) {
    await upload(resultsArtifactName(outcome.suite), out, context);
    if (outcome.complete) {
      const report = await htmlReport([outcome], join(result.resultsPath, HTML_REPORT_FILE), context, inputs, options.uploadHtml);
      if (report) result.htmlReport = report;
    }
  }
  const failures = outcome.summary.gates.filter((g) => !g.passed).map((g) => g.reason ?? g.description);
  if (!outcome.complete) result.failure = `merge of ${outcome.suite}: some cases are missing from the shards; the run is incomplete`;
  else if (!outcome.passed && inputs.failOnGate) result.failure = `gate failed: ${outcome.suite}: ${failures.join("; ")}`;
  else if (failures.length) logger.warn(`gate failed (fail-on-gate is false): ${outcome.suite}: ${failures.join("; ")}`);
  return result;
}

/**
 * Runs the selected suites (or merges shards with `merge`), restoring and saving the response
 * cache, uploading results when asked; returns what ran and whether the step fails. Outputs and
 * the job summary are {@link writeEvalOutputs}'s.
 */
export async function runEvalAction(
  inputs: EvalActionInputs,
  context: ActionContext = actionContext(),
  options: EvalActionOptions = {},
): Promise<EvalActionResult> {
  if (inputs.merge.length > 0) {
    if (inputs.check) throw new Error("input check: applies to a run of suites, not to merge (check the datasets in the run's jobs)");
    return merge(inputs, context, options);
  }
  const { workspace, env, logger } = context;
  let datasetDigests: Map<string, string> | undefined;
  if (inputs.check) {
    try {
      datasetDigests = await checkSuiteDatasetsGate(inputs, context);
    } catch (error) {
      if (error instanceof ConfigError) await annotateConfigErrors(inputs.config, workspace, error);
      throw error;
    }
  }
  const shard = inputs.shard ? parseShard(inputs.shard) : undefined;
  const cacheDir = join(workspace, RESPONSE_CACHE_DIR);
  let cacheKeys: ReturnType<typeof responseCacheKeys> | undefined;
  if (inputs.cache) {
    let material = "";
    try {
      material = await readFile(resolve(workspace, inputs.config), "utf8");
    } catch {
      // evaluate() reports a missing config precisely.
    }
    cacheKeys = responseCacheKeys(`${material}\n${inputs.suites.join(",")}\n${inputs.baseUrl}\n${inputs.modelName}`, env);
    await restoreResponseCache(cacheDir, cacheKeys, logger);
  }

  const controller = new AbortController();
  const stop = (signal: NodeJS.Signals) => {
    logger.warn(`${signal}: stopping; writing partial results marked incomplete`);
    controller.abort(new Error(`interrupted by ${signal}`));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);

  let result: EvaluateResult;
  try {
    result = await evaluate({
      config: inputs.config,
      cwd: workspace,
      env,
      logger,
      suites: inputs.suites,
      cache: inputs.cache,
      record: inputs.record,
      out: inputs.out,
      signal: controller.signal,
      onProgress: progressLogger(context),
      renderers: { junit: renderJUnit, markdown: renderRunSummaryMarkdown },
      ...(inputs.store ? { store: inputs.store } : {}),
      openStore: actionStoreOpener(inputs, context),
      onPrepared: (prepared) => {
        for (const suite of prepared) for (const name of suite.secretEnvNames) if (env[name]) core.setSecret(env[name]!);
      },
      ...(inputs.model ? { model: inputs.model } : {}),
      ...(shard ? { shard } : {}),
      ...(datasetDigests ? { datasetDigests } : {}),
      ...(inputs.baseUrl || inputs.modelName
        ? {
            overrides: { ...(inputs.baseUrl ? { baseUrl: inputs.baseUrl } : {}), ...(inputs.modelName ? { model: inputs.modelName } : {}) },
          }
        : {}),
    });
  } catch (error) {
    if (error instanceof ConfigError) await annotateConfigErrors(inputs.config, workspace, error);
    throw error;
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
  }

  if (cacheKeys) await saveResponseCache(cacheDir, cacheKeys, logger);

  if (inputs.uploadResults) {
    for (const outcome of result.suites) {
      const suffix = shard ? `-shard-${shard.index}-of-${shard.count}` : "";
      await upload(`${resultsArtifactName(outcome.suite)}${suffix}`, resolve(outcome.summaryPath, ".."), context);
    }
  }

  const out: EvalActionResult = {
    resultsPath: resolve(workspace, inputs.out),
    suites: result.suites.map(suiteResult),
    passed: result.passed,
  };
  if (inputs.uploadResults && !shard && !result.interrupted && result.suites.length > 0) {
    const report = await htmlReport(result.suites, join(out.resultsPath, HTML_REPORT_FILE), context, inputs, options.uploadHtml);
    if (report) out.htmlReport = report;
  }
  if (result.interrupted) {
    out.failure = "eval interrupted: partial results were written and marked incomplete";
    return out;
  }
  const failures = result.suites.flatMap((s) =>
    s.summary.gates.filter((g) => !g.passed).map((g) => `${s.suite}: ${g.reason ?? g.description}`),
  );
  // A shard's gates are not the run's: the merge gates the whole run.
  if (!shard && !result.passed && inputs.failOnGate) out.failure = `gate failed: ${failures.join("; ") || "a suite did not pass"}`;
  else if (failures.length) logger.warn(`gate failed (fail-on-gate is false): ${failures.join("; ")}`);
  return out;
}

/** Sets the outputs, writes every suite's Markdown to the job summary and fails the step when the result says so. */
export async function writeEvalOutputs(result: EvalActionResult): Promise<void> {
  core.setOutput("results-path", result.resultsPath);
  core.setOutput("summary-path", result.suites.map((s) => s.summaryPath).join("\n"));
  core.setOutput("passed", String(result.passed));
  core.setOutput("metrics", JSON.stringify(Object.fromEntries(result.suites.map((s) => [s.suite, s.metrics]))));
  const markdown: string[] = [];
  const report = htmlReportLine(result.htmlReport?.url);
  if (report) markdown.push(`${report}\n`);
  for (const suite of result.suites) if (suite.markdownPath) markdown.push(await readFile(suite.markdownPath, "utf8"));
  if (markdown.length) await writeJobSummary(markdown.join("\n"));
  if (result.failure) failStep(result.failure);
}
