import { type CaseResult, type ChatMessage, type Logger, oneLine, type Score, silentLogger } from "@llmops/core";
import type { Provider, ProviderResponse } from "../providers/types.ts";
import { cachedProviderResponse, type ResponseCache, responseCacheKey } from "../response-cache.ts";
import { type Scorer, type ScorerContext, scorerInputOf } from "../scorers/types.ts";
import { runAgentLoop, type TurnMetrics, type TurnResult, turnMetrics } from "./agent.ts";
import { systemClock } from "./clock.ts";
import { RateLimiter, type RateLimitOptions } from "./rate-limit.ts";
import { defaultRetryPolicy, type RetryPolicy, withRetries } from "./retry.ts";
import { answerToolCall, type ModuleTools, recordedCalls } from "./tool-answers.ts";
import type { Clock, RunProgress, RunTask } from "./types.ts";

/** The tasks of a run by position: an array, or anything that makes a task when asked for it. */
export interface RunTaskList {
  readonly length: number;
  at(position: number): RunTask | undefined;
}

export interface RunTasksOptions {
  provider: Provider;
  tasks: RunTaskList;
  scorers: Scorer[];
  concurrency?: number;
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  rateLimit?: RateLimitOptions;
  cache?: ResponseCache | null;
  /** What besides provider and task decides an answer: the model digest and the suite's cacheKey. */
  cacheScope?: { model?: string | undefined; cacheKey?: string | undefined };
  /** Aborting stops scheduling and cancels calls in flight; finished results are kept. */
  signal?: AbortSignal;
  onProgress?: (progress: RunProgress) => void;
  /** Called as each task finishes, in completion order. */
  onResult?: (result: CaseResult) => void;
  /**
   * Receives every finished result in task order: a result waits in a reorder buffer until every
   * earlier task has finished (or, once the run is stopped, until the run ends). With `emit` the
   * runner keeps no results (`results` is empty). A returned promise is awaited before the next
   * result is emitted, and scheduling waits while the buffer is full: backpressure from a file.
   */
  emit?: (result: CaseResult) => void | Promise<void>;
  /**
   * How many tasks past the first unfinished one may be started or waiting to be emitted: the
   * bound of the reorder buffer. Default 16 × concurrency, at least 256, so one slow case (a
   * retry, a timeout) does not idle the other workers.
   */
  reorderWindow?: number;
  logger?: Logger;
  cwd?: string;
  complete?: ScorerContext["complete"];
  /** The embeddings client of a config, for `similar` scorers. */
  embeddings?: ScorerContext["embeddings"];
  clock?: Clock;
  random?: () => number;
  /** Scrubs secrets (API keys) from error text before it reaches results and logs. */
  redact?: (text: string) => string;
  /**
   * Agent runs (a suite's `agent`): each case's tool calls are answered (its `toolResults`, then
   * `tools`) and the model is called again, up to `maxTurns` calls; module tools get `timeoutMs`.
   */
  agent?: {
    maxTurns: number;
    tools: ModuleTools;
    /**
     * Scrubs secrets from tool errors and module tool results before they are recorded or sent
     * to the model; default `redact`. A module tool runs with the whole environment, so the suite
     * gives it every credential value of the environment (as the module provider redacts).
     */
    redact?: (text: string) => string;
  };
}

export interface RunTasksResult {
  /** In task order, whatever the completion order; only tasks that finished. Empty with `emit`. */
  results: CaseResult[];
  /** Tasks that finished (each was emitted, or is in `results`). */
  finished: number;
  /** False when the run was stopped before every task finished. */
  complete: boolean;
  providerCalls: number;
}

class TimeoutError extends Error {
  readonly retryable = true;
  constructor(ms: number) {
    super(`timed out after ${ms} ms`);
  }
}

/** Rejects when `signal` aborts even if `promise` ignores it, so a hung provider cannot hang the run. */
function raceSignal<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

function describeError(error: unknown): string {
  const status = typeof error === "object" && error !== null ? (error as { status?: unknown }).status : undefined;
  const message = oneLine(error);
  return typeof status === "number" && !message.includes(String(status)) ? `HTTP ${status}: ${message}` : message;
}

/**
 * Runs every task through the provider with bounded concurrency, per-request timeouts,
 * retries and rate limits, then scores the outputs. A task that fails records its error and the
 * run goes on; only `signal` stops the run.
 */
export async function runTasks(options: RunTasksOptions): Promise<RunTasksResult> {
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const logger = options.logger ?? silentLogger;
  const redact = options.redact ?? ((text: string) => text);
  const policy: RetryPolicy = { ...defaultRetryPolicy, ...options.retry };
  const timeoutMs = options.timeoutMs ?? 30_000;
  const limiter = new RateLimiter(options.rateLimit ?? {}, clock);
  // Stopped by the caller's signal, or by a failing `emit` (the results can no longer be kept).
  const failed = new AbortController();
  const stop = options.signal ? AbortSignal.any([options.signal, failed.signal]) : failed.signal;
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 8));
  const total = options.tasks.length;
  const window = Math.max(concurrency, Math.floor(options.reorderWindow ?? Math.max(256, 16 * concurrency)));
  const progress: RunProgress = { done: 0, total, errors: 0, cached: 0 };
  let providerCalls = 0;
  let next = 0;
  // Cache writes go through at most two at a time: each is several file operations on libuv's
  // four threads, and a burst of them would queue the cache reads that gate the next requests.
  const writeQueue: (() => Promise<void>)[] = [];
  let writing = 0;
  let writesDone: (() => void) | undefined;
  const pumpWrites = () => {
    while (writing < 2 && writeQueue.length > 0) {
      const write = writeQueue.shift()!;
      writing++;
      write()
        .catch((error: unknown) => logger.warn(`response cache: ${redact(oneLine(error))}`))
        .then(() => {
          writing--;
          pumpWrites();
        });
    }
    if (writing === 0 && writeQueue.length === 0) writesDone?.();
  };

  const callProvider = async (
    task: RunTask,
    messages: ChatMessage[] | undefined,
  ): Promise<{ response: ProviderResponse; latencyMs: number }> => {
    const { value } = await withRetries(
      async () => {
        await limiter.acquire(stop);
        if (stop.aborted) throw stop.reason;
        // One controller per attempt, aborted by the timer or by `stop`; cheaper than
        // AbortSignal.any, whose dependent signals stay registered on the long-lived `stop`.
        const controller = new AbortController();
        const signal = controller.signal;
        let timedOut = false;
        const onStop = () => controller.abort(stop.reason);
        stop.addEventListener("abort", onStop, { once: true });
        const timer = setTimeout(() => {
          timedOut = true;
          controller.abort(new TimeoutError(timeoutMs));
        }, timeoutMs);
        const started = clock.now();
        providerCalls++;
        try {
          const request = {
            prompt: task.prompt,
            vars: task.vars,
            signal,
            caseId: task.id,
            repeat: task.repeat,
            ...(messages ? { messages } : {}),
          };
          const response = await raceSignal(options.provider.call(request), signal);
          if (typeof response?.output !== "string") throw new Error("provider returned no output text");
          return { response, latencyMs: Math.max(0, clock.now() - started) };
        } catch (error) {
          // A provider may surface our timeout as its own AbortError; report it as the timeout.
          throw timedOut && !stop.aborted ? signal.reason : error;
        } finally {
          clearTimeout(timer);
          stop.removeEventListener("abort", onStop);
        }
      },
      {
        policy,
        clock,
        random,
        signal: stop,
        onRetry: (error, delay) => logger.debug(`case ${task.id}: ${redact(describeError(error))}; retrying in ${Math.round(delay)} ms`),
      },
    );
    limiter.charge(value.response.tokens?.total ?? 0);
    return value;
  };

  /** Scores a case's row: what scorers see is the row's own fields (output, tool calls, trajectory, metrics). */
  const score = async (row: Omit<CaseResult, "scores" | "pass">) => {
    const output = row.output;
    const input = scorerInputOf(row);
    const context: ScorerContext = {
      signal: stop,
      logger,
      cwd: options.cwd ?? process.cwd(),
      ...(options.complete ? { complete: options.complete } : {}),
      ...(options.embeddings ? { embeddings: options.embeddings } : {}),
    };
    const scores: Score[] = [];
    for (const scorer of options.scorers) {
      if (output === null) {
        // No output to judge: the case fails every scorer, so errors can never raise a metric.
        scores.push({
          name: scorer.name,
          type: scorer.type,
          score: 0,
          pass: false,
          weight: scorer.weight,
          reason: "no output (provider error)",
        });
        continue;
      }
      try {
        const result = await scorer.scoreCase(input, context);
        scores.push({
          name: scorer.name,
          type: scorer.type,
          score: result.score,
          pass: result.pass,
          weight: scorer.weight,
          ...(result.reason !== undefined ? { reason: result.reason } : {}),
        });
      } catch (error) {
        scores.push({
          name: scorer.name,
          type: scorer.type,
          score: 0,
          pass: false,
          weight: scorer.weight,
          // A judge's error may quote its own request or reply, key included.
          reason: `scorer failed: ${redact(oneLine(error))}`,
        });
      }
    }
    return scores;
  };

  /** One model call of a case, answered by the cache when it can be: `messages` is the conversation sent. */
  const callTurn = async (task: RunTask, messages: ChatMessage[] | undefined): Promise<TurnResult> => {
    // Each call has its own key: an agent's later turns differ by the conversation so far.
    const key = options.cache
      ? responseCacheKey({
          identity: options.provider.identity,
          prompt: task.prompt,
          messages,
          vars: task.vars,
          repeat: task.repeat,
          model: options.cacheScope?.model,
          cacheKey: options.cacheScope?.cacheKey,
        })
      : undefined;
    const hit = key ? await options.cache!.get(key) : undefined;
    if (hit) {
      // The entry keeps the response's tool calls, finish reason and streaming times too.
      return { response: cachedProviderResponse(hit), latencyMs: hit.latencyMs, cached: true };
    }
    const called = await callProvider(task, messages);
    // Written off the critical path (set never throws); awaited before the run returns.
    if (key) {
      const entry = { ...called.response, latencyMs: called.latencyMs };
      writeQueue.push(() => options.cache!.set(key, entry));
      pumpWrites();
    }
    return { ...called, cached: false };
  };

  /** The row of a case, scored. */
  const finish = async (
    task: RunTask,
    outcome: TurnMetrics & { response: ProviderResponse | null; latencyMs: number; error: string | null },
    agent?: Pick<CaseResult, "trajectory" | "turns">,
  ): Promise<CaseResult> => {
    const { response, error } = outcome;
    // The case's fields, then (after the scores and verdict) what the model calls measured.
    const head = {
      id: task.id,
      index: task.index,
      repeat: task.repeat,
      vars: task.vars,
      ...(task.expected !== undefined ? { expected: task.expected } : {}),
      tags: task.tags,
      provider: options.provider.id,
      prompt: task.prompt,
      output: error === null ? (response?.output ?? null) : null,
      error,
    };
    const tail = {
      latencyMs: outcome.latencyMs,
      tokens: outcome.tokens,
      cost: outcome.cost,
      cached: outcome.cached,
      ...(response?.retrievedContext !== undefined ? { retrievedContext: response.retrievedContext } : {}),
      ...(response?.toolCalls && response.toolCalls.length > 0 ? { toolCalls: recordedCalls(response.toolCalls) } : {}),
      ...(response && response.finishReason !== undefined ? { finishReason: response.finishReason } : {}),
      ...(agent ?? {}),
      ...(outcome.ttftMs !== undefined ? { ttftMs: outcome.ttftMs } : {}),
      ...(outcome.tokensPerSecond !== undefined ? { tokensPerSecond: outcome.tokensPerSecond } : {}),
    };
    const scores = await score({ ...head, ...tail });
    return { ...head, scores, pass: error === null && scores.every((s) => s.pass), ...tail };
  };

  const runOne = async (task: RunTask): Promise<CaseResult | undefined> => {
    if (options.agent) return runAgentTask(task, options.agent);
    let turn: TurnResult | undefined;
    let error: string | null = null;
    try {
      turn = await callTurn(task, task.messages);
    } catch (caught) {
      if (stop.aborted) return undefined;
      error = redact(describeError(caught));
    }
    if (stop.aborted) return undefined;
    return finish(task, { ...turnMetrics(turn ? [turn] : []), response: turn?.response ?? null, latencyMs: turn?.latencyMs ?? 0, error });
  };

  const runAgentTask = async (task: RunTask, agent: NonNullable<RunTasksOptions["agent"]>): Promise<CaseResult | undefined> => {
    const loop = await runAgentLoop({
      messages: task.messages ?? [{ role: "user", content: task.prompt }],
      maxTurns: agent.maxTurns,
      call: (messages, turn) => callTurn(task, turn === 1 ? task.messages : messages),
      answer: (call) =>
        answerToolCall(call, { fixtures: task.toolResults, tools: agent.tools, timeoutMs, signal: stop, redact: agent.redact ?? redact }),
      now: () => clock.now(),
      signal: stop,
    });
    if (stop.aborted || loop.stopped) return undefined;
    let error: string | null = loop.refusal ?? null;
    if (loop.failure) {
      const message = redact(describeError(loop.failure.error));
      error = loop.failure.turn > 1 ? `turn ${loop.failure.turn}: ${message}` : message;
    }
    return finish(task, { ...loop, error }, { trajectory: loop.trajectory, turns: loop.turns });
  };

  // Results reach `emit` (or `results`) in task order through a buffer of at most `window`
  // entries: a worker does not start task p until task p - window has been emitted.
  const results: CaseResult[] = [];
  const emit = options.emit ?? ((result: CaseResult) => void results.push(result));
  const buffer = new Map<number, CaseResult>();
  let head = 0; // the first position not yet emitted
  let finished = 0;
  let emitting: Promise<void> | undefined;
  let emitError: { error: unknown } | undefined;
  let roomWaiters: (() => void)[] = [];
  const wakeWaiters = () => {
    const waiters = roomWaiters;
    roomWaiters = [];
    for (const wake of waiters) wake();
  };
  stop.addEventListener("abort", wakeWaiters, { once: true });
  const fail = (error: unknown) => {
    emitError ??= { error };
    failed.abort(error);
  };
  /** Emits buffered results from `head` on while they are there, one at a time. */
  const drain = async () => {
    while (!emitError && buffer.has(head)) {
      const result = buffer.get(head)!;
      buffer.delete(head);
      head++;
      wakeWaiters();
      try {
        await emit(result);
      } catch (error) {
        fail(error);
      }
    }
  };
  const pump = () => {
    emitting ??= drain().finally(() => {
      emitting = undefined;
      // A result may have arrived while the last emit was settling.
      if (!emitError && buffer.has(head)) pump();
    });
  };
  const waitForRoom = async (position: number) => {
    while (position >= head + window && !stop.aborted) {
      await new Promise<void>((resolve) => roomWaiters.push(resolve));
    }
  };

  const worker = async () => {
    while (!stop.aborted) {
      const position = next++;
      if (position >= total) return;
      await waitForRoom(position);
      if (stop.aborted) return;
      const task = options.tasks.at(position);
      if (!task) return;
      const result = await runOne(task);
      if (!result) return;
      finished++;
      buffer.set(position, result);
      progress.done++;
      if (result.error) progress.errors++;
      if (result.cached) progress.cached++;
      options.onResult?.(result);
      options.onProgress?.({ ...progress });
      pump();
    }
  };

  await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, total)) }, worker));
  stop.removeEventListener("abort", wakeWaiters);
  while (emitting) await emitting;
  // A stopped run leaves gaps: what finished after the first unfinished task goes out in order too.
  if (!emitError) {
    for (const position of [...buffer.keys()].sort((a, b) => a - b)) {
      const result = buffer.get(position)!;
      buffer.delete(position);
      try {
        await emit(result);
      } catch (error) {
        fail(error);
        break;
      }
    }
  }
  if (writing > 0 || writeQueue.length > 0) await new Promise<void>((resolve) => (writesDone = resolve));
  if (emitError) throw emitError.error;
  return { results, finished, complete: finished === total, providerCalls };
}
