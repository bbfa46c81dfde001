import type { ToolCall } from "@llmops/core";
import { redact, snippet } from "./fetch.ts";
import type { SseEvent } from "./sse.ts";
import {
  checkArgumentSize,
  MAX_TOOL_CALLS,
  openaiFinishReason,
  type ParsedReply,
  parseToolArguments,
  tooManyToolCalls,
} from "./tool-calls.ts";
import { ProviderError } from "./types.ts";

/** When the deltas came: `ttftMs` from the request's start to the first, `generationMs` from the first to the last. */
export interface StreamTiming {
  ttftMs: number | null;
  generationMs: number | null;
}

/** Times the content and tool-call deltas of a stream against the request's start (performance.now()). */
export class DeltaClock {
  readonly #startedAt: number;
  readonly #now: () => number;
  #first: number | undefined;
  #last: number | undefined;

  constructor(startedAt: number, now: () => number = () => performance.now()) {
    this.#startedAt = startedAt;
    this.#now = now;
  }

  delta(): void {
    const now = this.#now();
    this.#first ??= now;
    this.#last = now;
  }

  timing(): StreamTiming {
    if (this.#first === undefined || this.#last === undefined) return { ttftMs: null, generationMs: null };
    return { ttftMs: Math.max(0, this.#first - this.#startedAt), generationMs: Math.max(0, this.#last - this.#first) };
  }
}

interface PartialCall {
  index: number;
  id: string;
  name: string;
  args: string[];
  chars: number;
}

/** Retryable errors a stream may carry in its body after a 200 (OpenAI's `error` object). */
const RETRYABLE_ERROR = /server_error|api_error|overloaded|rate_limit|timeout|unavailable|internal/i;

/**
 * Accumulates an OpenAI chat completion stream (`chat.completion.chunk` events, then `[DONE]`):
 * content and refusal text, tool calls assembled from their indexed deltas (id and name once,
 * arguments in fragments), the finish reason, and usage from the final chunk
 * (`stream_options.include_usage`). Only choice 0 is read.
 */
export class OpenAIStreamAccumulator {
  readonly #clock: DeltaClock;
  readonly #source: string;
  readonly #secrets: readonly (string | undefined)[];
  readonly #content: string[] = [];
  readonly #refusal: string[] = [];
  readonly #calls = new Map<number, PartialCall>();
  #finishReason: string | null = null;
  #usage: Record<string, unknown> | undefined;
  #done = false;

  constructor(clock: DeltaClock, source: string, secrets: readonly (string | undefined)[] = []) {
    this.#clock = clock;
    this.#source = source;
    this.#secrets = secrets;
  }

  readonly onEvent = (event: SseEvent): void => {
    if (this.#done) return;
    const data = event.data.trim();
    if (data === "[DONE]") {
      this.#done = true;
      return;
    }
    if (data === "") return;
    let chunk: unknown;
    try {
      chunk = JSON.parse(data);
    } catch {
      throw new ProviderError(redact(`expected JSON events in ${this.#source}, got: ${snippet(data)}`, this.#secrets), {
        retryable: false,
      });
    }
    if (chunk === null || typeof chunk !== "object" || Array.isArray(chunk))
      throw new ProviderError(redact(`expected a JSON object per event in ${this.#source}, got: ${snippet(data)}`, this.#secrets), {
        retryable: false,
      });
    const { error, choices, usage } = chunk as { error?: unknown; choices?: unknown; usage?: unknown };
    if (error !== undefined && error !== null) throw streamError(error, this.#source, this.#secrets);
    if (usage !== null && typeof usage === "object") this.#usage = usage as Record<string, unknown>;
    if (!Array.isArray(choices)) return;
    const choice = choices.find((c: unknown) => c !== null && typeof c === "object" && ((c as { index?: unknown }).index ?? 0) === 0) as
      | { delta?: unknown; finish_reason?: unknown }
      | undefined;
    if (!choice) return;
    const reason = openaiFinishReason(choice.finish_reason);
    if (reason !== null) this.#finishReason = reason;
    const delta = choice.delta;
    if (delta === null || typeof delta !== "object") return;
    const { content, refusal, tool_calls: toolCalls } = delta as { content?: unknown; refusal?: unknown; tool_calls?: unknown };
    let moved = false;
    if (typeof content === "string" && content !== "") {
      this.#content.push(content);
      moved = true;
    }
    if (typeof refusal === "string" && refusal !== "") {
      this.#refusal.push(refusal);
      moved = true;
    }
    if (Array.isArray(toolCalls)) {
      toolCalls.forEach((raw: unknown, position) => {
        if (raw === null || typeof raw !== "object") return;
        this.#toolCallDelta(raw as Record<string, unknown>, position);
        moved = true;
      });
    }
    if (moved) this.#clock.delta();
  };

  #toolCallDelta(delta: Record<string, unknown>, position: number): void {
    const index = typeof delta.index === "number" && Number.isInteger(delta.index) ? delta.index : position;
    let call = this.#calls.get(index);
    if (!call) {
      if (this.#calls.size >= MAX_TOOL_CALLS) throw tooManyToolCalls(this.#source);
      call = { index, id: "", name: "", args: [], chars: 0 };
      this.#calls.set(index, call);
    }
    if (typeof delta.id === "string" && delta.id !== "") call.id = delta.id;
    const fn = delta.function as { name?: unknown; arguments?: unknown } | null | undefined;
    if (fn === null || typeof fn !== "object") return;
    if (typeof fn.name === "string" && fn.name !== "") call.name = fn.name;
    if (typeof fn.arguments === "string" && fn.arguments !== "") {
      call.chars += fn.arguments.length;
      checkArgumentSize(call.chars, call.name, this.#source);
      call.args.push(fn.arguments);
    }
  }

  /** The reply, once the stream has ended; a stream cut before `[DONE]` or a finish reason is a retryable error. */
  result(): ParsedReply & StreamTiming {
    if (!this.#done && this.#finishReason === null)
      throw new ProviderError(`${this.#source} ended before its last event ([DONE] or a finish reason)`, { retryable: true });
    const toolCalls: ToolCall[] = [...this.#calls.values()]
      .sort((a, b) => a.index - b.index)
      .map((call) => {
        if (call.name === "")
          throw new ProviderError(`${this.#source} has a tool call (index ${call.index}) without a function name`, { retryable: false });
        return { id: call.id || `call_${call.index}`, name: call.name, arguments: parseToolArguments(call.args.join("")) };
      });
    const content = this.#content.join("");
    const usage = this.#usage ?? {};
    return {
      output: content === "" && this.#refusal.length > 0 ? this.#refusal.join("") : content,
      toolCalls,
      finishReason: this.#finishReason,
      usage: { prompt: usage.prompt_tokens, completion: usage.completion_tokens, total: usage.total_tokens },
      ...this.#clock.timing(),
    };
  }
}

/** An `error` in a stream's body (after a 200): OpenAI's `{message, type, code}`, Anthropic's `{type, message}`. */
export function streamError(error: unknown, source: string, secrets: readonly (string | undefined)[]): ProviderError {
  const e = (error !== null && typeof error === "object" ? error : { message: error }) as {
    message?: unknown;
    type?: unknown;
    code?: unknown;
  };
  const message = typeof e.message === "string" && e.message ? e.message : JSON.stringify(error);
  const kind = [e.type, e.code].filter((v) => typeof v === "string" || typeof v === "number").join("/");
  return new ProviderError(redact(`${source} reported an error${kind ? ` (${kind})` : ""}: ${snippet(message ?? "")}`, secrets), {
    retryable: RETRYABLE_ERROR.test(kind),
  });
}
