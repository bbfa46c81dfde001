/**
 * What `actions/eval` does once its inputs are read: run (or merge) the suites, persist the
 * response cache, annotate config errors on their lines, write the job summary, upload results,
 * set outputs and fail the step on a gate.
 */
import { glob, readFile, stat } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import * as core from "@actions/core";
import { ConfigError, type Logger, listConfigFileErrors, oneLine } from "@llmops/core";
import {
  type EvaluateResult,
  evaluate,
  mergeEvalShards,
  outputDirFor,
  parseShard,
  RESPONSE_CACHE_DIR,
  type RunProgress,
  readRunSummary,
} from "@llmops/eval";
import { renderJUnit, renderRunSummaryMarkdown } from "@llmops/report";
import { openStore, registryAuthFromEnv } from "@llmops/store";
import { z } from "zod";
import { resultsArtifactName } from "./artifacts.ts";
import { responseCacheKeys, restoreResponseCache, saveResponseCache } from "./response-cache.ts";

const bool = (name: string) =>
  z
    .string()
    .transform((v) => v.trim().toLowerCase())
    .refine((v) => v === "true" || v === "false", `expected true or false for ${name}`)
    .transform((v) => v === "true");

export const evalActionInputsSchema = z.object({
  config: z.string().min(1, "expected a config path"),
  suites: z.string().transform((v) =>
    v
      .split(/[\n,]/)
      .map((s) => s.trim())
      .filter(Boolean),
  ),
  model: z.string(),
  baseUrl: z.union([z.literal(""), z.url("expected a URL such as http://127.0.0.1:8000/v1")]),
  modelName: z.string(),
  store: z.string(),
  record: bool("record"),
  cache: bool("cache"),
  shard: z.string(),
  merge: z.string().transform((v) =>
    v
      .split("\n")
      .map((s) => s.trim())
      .filter(Boolean),
  ),
  out: z.string().min(1, "expected an output directory"),
  failOnGate: bool("fail-on-gate"),
  uploadResults: bool("upload-results"),
  token: z.string(),
});

export type EvalActionInputs = z.output<typeof evalActionInputsSchema>;

/**
 * `@actions/artifact` (with its Azure SDK) is most of the bundle and only needed with
 * `upload-results: true`, so it is loaded on demand rather than on every job.
 */
async function loadUploader() {
  return (await import("./upload-results.ts")).uploadResults;
}

const logger: Logger = { debug: core.debug, info: core.info, warn: core.warning, error: core.error };

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

function progressLogger(): (variant: string, progress: RunProgress) => void {
  const last = new Map<string, number>();
  return (variant, p) => {
    const decile = p.total ? Math.floor((p.done / p.total) * 10) : 10;
    if (decile <= (last.get(variant) ?? 0) && p.done !== p.total) return;
    if (last.get(variant) === 10) return;
    last.set(variant, decile);
    core.info(`${variant}: ${p.done}/${p.total}${p.errors ? `, ${p.errors} errors` : ""}${p.cached ? `, ${p.cached} cached` : ""}`);
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

async function merge(inputs: EvalActionInputs, workspace: string, env: NodeJS.ProcessEnv): Promise<void> {
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
    openStore: (spec) => openStore(spec, { logger, cwd: workspace, env }),
    ...(inputs.store ? { store: inputs.store } : {}),
  });
  if (outcome.markdownPath) await core.summary.addRaw(await readFile(outcome.markdownPath, "utf8"), true).write();
  if (inputs.uploadResults) {
    try {
      await (await loadUploader())({ name: resultsArtifactName(outcome.suite), dir: out });
    } catch (error) {
      core.warning(oneLine(error));
    }
  }
  core.setOutput("results-path", resolve(workspace, inputs.out));
  core.setOutput("summary-path", outcome.summaryPath);
  core.setOutput("passed", String(outcome.passed));
  core.setOutput("metrics", JSON.stringify({ [outcome.suite]: outcome.metrics }));
  const failures = outcome.summary.gates.filter((g) => !g.passed).map((g) => g.reason ?? g.description);
  if (!outcome.complete) core.setFailed(`merge of ${outcome.suite}: some cases are missing from the shards; the run is incomplete`);
  else if (!outcome.passed && inputs.failOnGate) core.setFailed(`gate failed: ${outcome.suite}: ${failures.join("; ")}`);
}

export async function runEvalAction(inputs: EvalActionInputs): Promise<void> {
  const workspace = process.env.GITHUB_WORKSPACE ?? process.cwd();
  if (inputs.token) core.setSecret(inputs.token);
  const env: NodeJS.ProcessEnv = { ...process.env, ...(inputs.token && !process.env.GITHUB_TOKEN ? { GITHUB_TOKEN: inputs.token } : {}) };
  if (inputs.merge.length > 0) {
    await merge(inputs, workspace, env);
    return;
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
    core.warning(`${signal}: stopping; writing partial results marked incomplete`);
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
      onProgress: progressLogger(),
      renderers: { junit: renderJUnit, markdown: renderRunSummaryMarkdown },
      openStore: (spec) => openStore(spec, { logger, cwd: workspace, env, auth: registryAuthFromEnv(spec, env) }),
      onPrepared: (prepared) => {
        for (const suite of prepared) for (const name of suite.secretEnvNames) if (env[name]) core.setSecret(env[name]!);
      },
      ...(inputs.model ? { model: inputs.model } : {}),
      ...(inputs.store ? { store: inputs.store } : {}),
      ...(shard ? { shard } : {}),
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

  for (const outcome of result.suites) {
    if (outcome.markdownPath) core.summary.addRaw(await readFile(outcome.markdownPath, "utf8"), true);
  }
  await core.summary.write();

  if (inputs.uploadResults) {
    for (const outcome of result.suites) {
      const suffix = shard ? `-shard-${shard.index}-of-${shard.count}` : "";
      const name = `${resultsArtifactName(outcome.suite)}${suffix}`;
      try {
        const uploaded = await (await loadUploader())({ name, dir: resolve(outcome.summaryPath, "..") });
        core.info(`uploaded ${uploaded.files} files as artifact ${name}`);
      } catch (error) {
        core.warning(oneLine(error));
      }
    }
  }

  core.setOutput("results-path", resolve(workspace, inputs.out));
  core.setOutput("summary-path", result.suites.map((s) => s.summaryPath).join("\n"));
  core.setOutput("passed", String(result.passed));
  core.setOutput("metrics", JSON.stringify(Object.fromEntries(result.suites.map((s) => [s.suite, s.metrics]))));

  if (result.interrupted) {
    core.setFailed("eval interrupted: partial results were written and marked incomplete");
    return;
  }
  const failures = result.suites.flatMap((s) =>
    s.summary.gates.filter((g) => !g.passed).map((g) => `${s.suite}: ${g.reason ?? g.description}`),
  );
  if (!shard && !result.passed && inputs.failOnGate) core.setFailed(`gate failed: ${failures.join("; ") || "a suite did not pass"}`);
  else if (failures.length) core.warning(`gate failed (fail-on-gate is false): ${failures.join("; ")}`);
}
