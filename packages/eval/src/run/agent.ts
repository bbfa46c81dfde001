import type { ChatMessage, TokenUsage, ToolCall, TrajectoryStep } from "@llmops/core";
import type { ProviderResponse } from "../providers/types.ts";
import {
  argumentsBytes,
  MAX_CONVERSATION_TOOL_BYTES,
  MAX_TOOL_CALLS_PER_TURN,
  recordedCall,
  type ToolAnswer,
  utf8Bytes,
} from "./tool-answers.ts";

const conversationFull = `the conversation's tool calls and results exceed ${MAX_CONVERSATION_TOOL_BYTES / (1024 * 1024)} MiB`;

/**
 * The agent loop of one case: call the model; while its reply calls tools and fewer than
 * `maxTurns` model calls were made, answer every call in order, append the assistant turn (with
 * its tool calls) and one tool turn per call to the conversation, and call again. The case's
 * result is the last reply. Reaching `maxTurns` is not an error: the last reply (which may still
 * call tools, left unanswered) is the result, and `turns === maxTurns` says the loop was cut off.
 */

/** One model call's outcome: the reply, its latency (measured, or as cached) and whether the cache answered. */
export interface TurnResult {
  response: ProviderResponse;
  latencyMs: number;
  cached: boolean;
}

export interface AgentLoopOptions {
  /** The conversation of the first model call. */
  messages: ChatMessage[];
  maxTurns: number;
  /** Makes model call `turn` (1-based) with `messages`; throws when the call failed (after retries). */
  call(messages: ChatMessage[], turn: number): Promise<TurnResult>;
  /** Answers one tool call; never throws (see `answerToolCall`). */
  answer(call: ToolCall, turn: number): Promise<ToolAnswer>;
  /** Milliseconds, for the time spent answering tools. */
  now(): number;
  /** Checked between steps: once aborted the loop returns what it has. */
  signal?: AbortSignal;
}

/** What every case result reports about its model calls, agent run or not. */
export interface TurnMetrics {
  /** Summed over the calls; null unless every call reported them. */
  tokens: TokenUsage | null;
  cost: number | null;
  /** Present when the first call reported it (streaming). */
  ttftMs?: number | null;
  /** Present when a call reported generationMs: completion tokens over the summed generation time, or null. */
  tokensPerSecond?: number | null;
  /** Every call came from the response cache. */
  cached: boolean;
}

export interface AgentLoopResult extends TurnMetrics {
  /** The last reply; null when a model call failed (then `failure`). */
  response: ProviderResponse | null;
  /** What the failing model call threw. */
  failure?: { error: unknown; turn: number };
  /** A reply the loop refused to go on from (too many tool calls, or a conversation past its size bound). */
  refusal?: string;
  /** Model calls made, the failing one included. */
  turns: number;
  trajectory: TrajectoryStep[];
  /** Model calls plus tool answers (not the waits between retries). */
  latencyMs: number;
  /** Whether the loop stopped because the signal was aborted. */
  stopped: boolean;
}

/** Sums the per-call figures of one case's model calls (one call for a case that is not an agent run). */
export function turnMetrics(turns: readonly TurnResult[]): TurnMetrics {
  let tokens: TokenUsage | null = turns.length > 0 ? { prompt: 0, completion: 0, total: 0 } : null;
  let cost: number | null = turns.length > 0 ? 0 : null;
  let streamed = false;
  let generationMs: number | null = 0;
  for (const { response } of turns) {
    if (tokens && response.tokens) {
      tokens = {
        prompt: tokens.prompt + response.tokens.prompt,
        completion: tokens.completion + response.tokens.completion,
        total: tokens.total + response.tokens.total,
      };
    } else tokens = null;
    cost = cost !== null && response.cost !== null && response.cost !== undefined ? cost + response.cost : null;
    if (response.generationMs !== undefined) streamed = true;
    generationMs =
      generationMs !== null && typeof response.generationMs === "number" && Number.isFinite(response.generationMs)
        ? generationMs + Math.max(0, response.generationMs)
        : null;
  }
  const first = turns[0]?.response;
  const metrics: TurnMetrics = { tokens, cost, cached: turns.length > 0 && turns.every((t) => t.cached) };
  if (first && first.ttftMs !== undefined) metrics.ttftMs = first.ttftMs;
  if (streamed) {
    metrics.tokensPerSecond =
      tokens && generationMs !== null && generationMs > 0 && tokens.completion > 0 ? tokens.completion / (generationMs / 1000) : null;
  }
  return metrics;
}

/** Runs the loop; never throws (a failing model call is returned as `failure`). */
export async function runAgentLoop(options: AgentLoopOptions): Promise<AgentLoopResult> {
  const maxTurns = Math.max(1, Math.floor(options.maxTurns));
  const messages = [...options.messages];
  const results: TurnResult[] = [];
  const trajectory: TrajectoryStep[] = [];
  let toolMs = 0;
  let failure: AgentLoopResult["failure"];
  let refusal: string | undefined;
  let stopped = false;
  // Bytes of tool calls and results in the conversation so far (each is resent on every turn).
  let toolBytes = 0;
  for (let turn = 1; ; turn++) {
    if (options.signal?.aborted) {
      stopped = true;
      break;
    }
    let result: TurnResult;
    try {
      // A copy: the conversation grows after the call, and a provider may keep what it was sent.
      result = await options.call([...messages], turn);
    } catch (error) {
      failure = { error, turn };
      break;
    }
    results.push(result);
    const calls = result.response.toolCalls ?? [];
    if (calls.length === 0 || turn >= maxTurns) break;
    if (calls.length > MAX_TOOL_CALLS_PER_TURN) {
      refusal = `turn ${turn}: the model made ${calls.length} tool calls in one reply; at most ${MAX_TOOL_CALLS_PER_TURN} are answered`;
      break;
    }
    const answers: ToolAnswer[] = [];
    const started = options.now();
    let overflow = false;
    for (const call of calls) {
      if (options.signal?.aborted) break;
      const recorded = recordedCall(call);
      const argumentBytes = argumentsBytes(recorded);
      if (toolBytes + argumentBytes > MAX_CONVERSATION_TOOL_BYTES) {
        overflow = true;
        break;
      }
      const answer = await options.answer(call, turn);
      toolBytes += argumentBytes + utf8Bytes(answer.content);
      if (toolBytes > MAX_CONVERSATION_TOOL_BYTES) {
        // The result that crossed the bound is neither sent nor recorded.
        trajectory.push({ turn, call: recorded, error: conversationFull, source: answer.source });
        overflow = true;
        break;
      }
      answers.push(answer);
      trajectory.push({
        turn,
        call: recorded,
        ...(answer.result !== undefined ? { result: answer.result } : {}),
        ...(answer.error !== undefined ? { error: answer.error } : {}),
        source: answer.source,
      });
    }
    toolMs += Math.max(0, options.now() - started);
    if (overflow) {
      refusal = `turn ${turn}: ${conversationFull}`;
      break;
    }
    if (answers.length < calls.length) {
      stopped = true;
      break;
    }
    messages.push({ role: "assistant", content: result.response.output, toolCalls: calls });
    for (const [i, call] of calls.entries()) messages.push({ role: "tool", content: answers[i]!.content, toolCallId: call.id });
  }
  const latencyMs = results.reduce((sum, r) => sum + r.latencyMs, 0) + toolMs;
  return {
    response: failure ? null : (results.at(-1)?.response ?? null),
    ...(failure ? { failure } : {}),
    ...(refusal ? { refusal } : {}),
    turns: failure ? failure.turn : Math.max(1, results.length),
    trajectory,
    latencyMs,
    ...turnMetrics(results),
    stopped,
  };
}
