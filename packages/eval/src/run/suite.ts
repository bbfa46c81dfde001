import { join } from "node:path";
import {
  AtomicFileWriter,
  type CaseResult,
  ConfigError,
  canonicalJson,
  type EmbeddingsProviderConfig,
  embeddingsProviderSchema,
  formatYamlPath,
  type LoadedConfig,
  type Logger,
  providerConfigSchema,
  type RunSummary,
  type SuiteConfig,
  scorerProviders,
  suiteProviders,
  UsageError,
} from "@llmops/core";
import { BUILTIN_METRICS } from "../aggregate/aggregate.ts";
import { type EvalCase, type FetchDatasetFile, loadCases } from "../cases/index.ts";
import {
  createEmbeddingsClient,
  createProvider,
  credentialValues,
  redact,
  secretEnvNamesOf,
  validateProviderVariables,
} from "../providers/index.ts";
import type { Provider } from "../providers/types.ts";
import { RESPONSE_CACHE_DIR, ResponseCache } from "../response-cache.ts";
import { columnsJUnitTotals } from "../results/render.ts";
import { resultLine } from "../results/stream.ts";
import { suiteDigestOf, summarizeRun, summaryColumns } from "../results/summary.ts";
import { RESULTS_FILE, type Renderers, type WrittenRun, writeStreamedRunOutputs } from "../results/write.ts";
import { createScorer, loadCustomScorer, UnsupportedRegexError } from "../scorers/index.ts";
import type { EmbeddingsClient, Scorer } from "../scorers/types.ts";
import { inShard, type Shard } from "../shard.ts";
import { renderPrompt, resolvePrompts, validatePromptVariables, withCaseMessages } from "../template/index.ts";
import { systemClock } from "./clock.ts";
import { defaultRetryPolicy, type RetryPolicy, withRetries } from "./retry.ts";
import { type RunTaskList, runTasks } from "./runner.ts";
import { loadModuleTools, type ModuleTools } from "./tool-answers.ts";
import type { Clock, RunProgress, RunTask } from "./types.ts";

export interface PrepareSuiteOptions {
  loaded: LoadedConfig;
  suite: SuiteConfig;
  suiteIndex: number;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  fetchDatasetFile?: FetchDatasetFile;
  /** Only run the cases of this shard. */
  shard?: Shard;
  /**
   * False to prepare without building providers (no API keys needed): for `eval merge`, which
   * recomputes summaries and never calls a model.
   */
  providers?: boolean;
}

export interface ExecuteOptions {
  /** Response cache directory; null turns the cache off. Default `.llmops/cache/responses` under `cwd`. */
  cacheDir?: string | null;
  cwd?: string;
  signal?: AbortSignal;
  onProgress?: (variant: string, progress: RunProgress) => void;
  model?: RunSummary["model"];
  dataset?: RunSummary["dataset"];
  git?: RunSummary["git"];
  runUrl?: string;
  clock?: Clock;
  retry?: Partial<RetryPolicy>;
  /**
   * The output directory of each variant. When set, results.jsonl streams there as cases finish
   * (in case order, put in place when the variant ends, partial when it was stopped) and the
   * summary comes from compact columns, so no variant's rows are held in memory
   * (`VariantRun.rows` is empty); junit.xml and summary.md (with `renderers`) and summary.json
   * follow when the variant ends. Without it, rows are returned in memory and nothing is written.
   */
  outDir?: (variant: string) => string;
  renderers?: Renderers;
}

export interface VariantRun {
  /** `suite`, or `suite/provider`, `suite/provider/p1` for several providers × prompts. */
  name: string;
  summary: RunSummary;
  /** The rows in case order; empty when they were streamed to `written.resultsPath`. */
  rows: CaseResult[];
  providerCalls: number;
  /** The files written, with `ExecuteOptions.outDir`. */
  written?: WrittenRun;
}

/** A suite ready to run: every config problem has been found, no provider has been called. */
export interface PreparedSuite {
  suite: SuiteConfig;
  cases: EvalCase[];
  /** Cases of the shard (all cases when not sharded). */
  selected: EvalCase[];
  /** `tasks` render each case's prompt when the runner asks for it, so they take no memory of their own. */
  variants: { name: string; provider: Provider; tasks: RunTaskList; digest: string }[];
  scorers: Scorer[];
  /** Every API key env var the suite's providers and judges read, for masking. */
  secretEnvNames: string[];
  execute(options?: ExecuteOptions): Promise<VariantRun[]>;
}

/** Scorer metric names share the summary with the built-in metrics; refuse collisions up front. */
const RESERVED: ReadonlySet<string> = new Set(BUILTIN_METRICS);

/**
 * Loads cases and prompts, checks every case has every prompt variable, builds providers and
 * scorers — so a config error stops the run before any provider call.
 */
export async function prepareSuite(options: PrepareSuiteOptions): Promise<PreparedSuite> {
  const { suite, loaded } = options;
  const cwd = loaded.dir;
  const cases = await loadCases(suite, {
    cwd,
    doc: loaded.doc,
    suiteIndex: options.suiteIndex,
    ...(options.fetchDatasetFile ? { fetchDatasetFile: options.fetchDatasetFile } : {}),
  });
  const prompts = await resolvePrompts(suite, { cwd, doc: loaded.doc, suiteIndex: options.suiteIndex });
  validatePromptVariables(prompts, cases);
  validateProviderVariables(suite, cases, { doc: loaded.doc, suiteIndex: options.suiteIndex });
  const scorers: Scorer[] = suite.scorers.map((config, i) => {
    try {
      return createScorer(config, { cwd });
    } catch (error) {
      if (!(error instanceof UnsupportedRegexError)) throw error;
      // The schema checks JavaScript syntax; what RE2 cannot run is still a config error on its line.
      const path = ["suites", options.suiteIndex, "scorers", i, error.field];
      throw new ConfigError(error.message, formatYamlPath(path), loaded.doc.locate(path));
    }
  });
  // A custom scorer whose module or export is missing is a config error, found before any call.
  for (const config of suite.scorers) {
    if (config.type === "custom") await loadCustomScorer(config.module, config.export, cwd);
  }
  for (const scorer of scorers) {
    if (RESERVED.has(scorer.name)) {
      throw new UsageError(`suite ${suite.name}: scorer name "${scorer.name}" is a built-in metric; set another name:`);
    }
  }
  const providerConfigs = suiteProviders(suite);
  const selected = options.shard ? cases.filter((c) => inShard(c.id, options.shard!)) : cases;
  const several = providerConfigs.length > 1 || prompts.length > 1;
  // The digest covers what was evaluated: the resolved suite, its prompts and every case.
  const material = {
    suite,
    prompts: prompts.map((p) => ({ text: p.text, messages: p.messages })),
  };
  // A case's conversation and fixtures are part of what it evaluates; absent, they leave the digest as it was.
  const caseMaterial = function* () {
    for (const c of cases)
      yield { id: c.id, vars: c.vars, expected: c.expected, tags: c.tags, messages: c.messages, toolResults: c.toolResults };
  };
  // Module tools are imported once per run, and a missing module or export stops it before any call.
  const agent: { maxTurns: number; tools: ModuleTools } | undefined = suite.agent
    ? { maxTurns: suite.agent.maxTurns, tools: options.providers === false ? new Map() : await loadModuleTools(suite.agent, cwd) }
    : undefined;
  const repeats = suite.repeats;
  const variants: PreparedSuite["variants"] = [];
  for (const providerConfig of providerConfigs) {
    const provider: Provider =
      options.providers === false
        ? { id: providerConfig.id, identity: {}, call: () => Promise.reject(new Error("this suite was prepared without providers")) }
        : createProvider(providerConfig, { env: options.env, cwd, logger: options.logger });
    await provider.prepare?.();
    for (const prompt of prompts) {
      const name = several ? `${suite.name}/${providerConfig.id}${prompts.length > 1 ? `/p${prompt.index}` : ""}` : suite.name;
      // Task p is repeat p % repeats of the (p / repeats)-th selected case: case order, then repeat.
      // Repeats of a case are consecutive tasks: its prompt is rendered once, not once per repeat.
      let last: { evalCase: (typeof selected)[number]; rendered: ReturnType<typeof renderPrompt> } | undefined;
      const tasks: RunTaskList = {
        length: selected.length * repeats,
        at(position: number): RunTask | undefined {
          const evalCase = position >= 0 ? selected[Math.floor(position / repeats)] : undefined;
          if (!evalCase) return undefined;
          if (last?.evalCase !== evalCase) {
            last = { evalCase, rendered: withCaseMessages(renderPrompt(prompt, evalCase.vars), evalCase.messages) };
          }
          const { rendered } = last;
          const toolResults = agent ? evalCase.toolResults : undefined;
          return {
            index: evalCase.index,
            id: evalCase.id,
            repeat: position % repeats,
            prompt: rendered.prompt,
            ...(rendered.messages ? { messages: rendered.messages } : {}),
            ...(toolResults ? { toolResults } : {}),
            vars: evalCase.vars,
            ...(evalCase.expected !== undefined ? { expected: evalCase.expected } : {}),
            tags: evalCase.tags,
          };
        },
      };
      const variantMaterial = several ? { ...material, variant: { provider: providerConfig.id, prompt: prompt.index } } : material;
      const digest = suiteDigestOf(variantMaterial, caseMaterial);
      variants.push({
        name,
        provider: { id: providerConfig.id, identity: provider.identity, call: (request) => provider.call(request) },
        tasks,
        digest,
      });
    }
  }
  // A judge's key is as secret as the model's: masked in CI logs and scrubbed from results alike.
  // Judges (llm-judge and the RAG judges) name suite provider configs; `similar` names an embeddings config.
  const scorerConfigs = suite.scorers.flatMap(scorerProviders);
  const judgeConfigs = scorerConfigs.flatMap((p) => (p.kind === "judge" ? [providerConfigSchema.parse(p.config)] : []));
  const embeddingsConfigs = scorerConfigs.flatMap((p) => (p.kind === "embeddings" ? [embeddingsProviderSchema.parse(p.config)] : []));
  const secretEnvNames = [
    ...new Set([
      ...secretEnvNamesOf([...providerConfigs, ...judgeConfigs]),
      ...embeddingsConfigs.flatMap((c) => (c.apiKeyEnv === null ? [] : [c.apiKeyEnv ?? "OPENAI_API_KEY"])),
    ]),
  ];
  const secrets = secretEnvNames.map((name) => options.env[name]).filter((v): v is string => typeof v === "string" && v.length >= 4);
  const redactSecrets = (text: string) => redact(text, secrets);
  // Module tools run with the whole environment: any credential in it may come back in a tool's error or result.
  const toolSecrets = [...new Set([...secrets, ...credentialValues(options.env)])];
  const redactTools = (text: string) => redact(text, toolSecrets);

  // LLM-judge scorers name their own provider; build each once.
  const judges = new Map<string, Provider>();
  const complete = async (prompt: string, providerConfig: unknown): Promise<string> => {
    const key = canonicalJson(providerConfig ?? null);
    let judge = judges.get(key);
    if (!judge) {
      const parsed = providerConfigSchema.parse(providerConfig);
      judge = createProvider(parsed, { env: options.env, cwd, logger: options.logger });
      judges.set(key, judge);
    }
    const provider = judge;
    // Judge calls get the suite's timeout and retries too (429s hit judges as much as models).
    const { value } = await withRetries(() => provider.call({ prompt, vars: {}, signal: AbortSignal.timeout(suite.timeoutMs) }), {
      policy: { ...defaultRetryPolicy, retries: suite.retries },
      clock: systemClock,
      random: Math.random,
    });
    return value.output;
  };

  // One embeddings client per config for the run (so `similar` scorers sharing one share its
  // batches), built up front so a missing key is found before any call; calls get the suite's
  // timeout and retries, as judges do.
  const embeddingsClients = new Map<string, EmbeddingsClient>();
  if (options.providers !== false) {
    for (const config of embeddingsConfigs) {
      const key = canonicalJson(config);
      if (embeddingsClients.has(key)) continue;
      const client = createEmbeddingsClient(config, { env: options.env, cwd, logger: options.logger });
      embeddingsClients.set(key, {
        id: client.id,
        identity: client.identity,
        embed: async (texts, signal) => {
          const { value } = await withRetries(() => client.embed(texts, AbortSignal.any([signal, AbortSignal.timeout(suite.timeoutMs)])), {
            policy: { ...defaultRetryPolicy, retries: suite.retries },
            clock: systemClock,
            random: Math.random,
            signal,
          });
          return value;
        },
      });
    }
  }
  const embeddings = (config: EmbeddingsProviderConfig): EmbeddingsClient => {
    const client = embeddingsClients.get(canonicalJson(embeddingsProviderSchema.parse(config)));
    if (!client) throw new Error(`no embeddings client for ${config.model}: the suite was prepared without it`);
    return client;
  };

  const execute = async (run: ExecuteOptions = {}): Promise<VariantRun[]> => {
    const cacheDir = run.cacheDir === undefined ? join(run.cwd ?? process.cwd(), RESPONSE_CACHE_DIR) : run.cacheDir;
    const cache = cacheDir ? new ResponseCache(cacheDir, options.logger) : null;
    const out: VariantRun[] = [];
    for (const variant of variants) {
      if (run.signal?.aborted) break;
      const startedAt = new Date().toISOString();
      const dir = run.outDir?.(variant.name);
      const columns = summaryColumns({ scorers, sliceKeys: suite.slices, gates: suite.gates }, variant.tasks.length);
      const rows: CaseResult[] = [];
      const writer = dir ? await AtomicFileWriter.open(join(dir, RESULTS_FILE)) : undefined;
      let result: Awaited<ReturnType<typeof runTasks>>;
      try {
        result = await runTasks({
          provider: variant.provider,
          tasks: variant.tasks,
          scorers,
          concurrency: suite.concurrency,
          timeoutMs: suite.timeoutMs,
          retry: { retries: suite.retries, ...run.retry },
          ...(suite.rateLimit ? { rateLimit: suite.rateLimit } : {}),
          cache,
          cacheScope: { model: run.model?.digest, cacheKey: suite.cacheKey },
          ...(agent ? { agent: { ...agent, redact: redactTools } } : {}),
          ...(run.signal ? { signal: run.signal } : {}),
          ...(run.onProgress ? { onProgress: (p: RunProgress) => run.onProgress!(variant.name, p) } : {}),
          logger: options.logger,
          cwd,
          complete,
          ...(embeddingsClients.size > 0 ? { embeddings } : {}),
          redact: redactSecrets,
          ...(run.clock ? { clock: run.clock } : {}),
          // In case order: the columns the summary is computed from, and the file or the rows.
          emit: (row) => {
            columns.add(row);
            if (!writer) return void rows.push(row);
            return writer.write(resultLine(row));
          },
        });
        await writer?.finish();
      } catch (error) {
        await writer?.abort();
        throw error;
      }
      const summary = summarizeRun({
        suite: variant.name,
        suiteDigest: variant.digest,
        columns,
        scorers,
        gates: suite.gates,
        sliceKeys: suite.slices,
        ...(suite.passRule ? { passRule: suite.passRule } : {}),
        providers: [variant.provider.id],
        startedAt,
        finishedAt: new Date().toISOString(),
        complete: result.complete,
        ...(options.shard ? { shard: options.shard } : {}),
        ...(run.model ? { model: run.model } : {}),
        ...(run.dataset ? { dataset: run.dataset } : {}),
        ...(run.git ? { git: run.git } : {}),
        ...(run.runUrl ? { runUrl: run.runUrl } : {}),
      });
      const written = dir
        ? await writeStreamedRunOutputs(dir, summary, run.renderers, { totals: columnsJUnitTotals(columns), logger: options.logger })
        : undefined;
      out.push({ name: variant.name, summary, rows, providerCalls: result.providerCalls, ...(written ? { written } : {}) });
    }
    return out;
  };

  return { suite, cases, selected, variants, scorers, secretEnvNames, execute };
}
