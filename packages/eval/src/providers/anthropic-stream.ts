import type { ToolCall } from "@llmops/core";
import { redact, snippet } from "./fetch.ts";
import { type DeltaClock, type StreamTiming, streamError } from "./openai-stream.ts";
import type { SseEvent } from "./sse.ts";
import {
  anthropicFinishReason,
  checkArgumentSize,
  MAX_TOOL_CALLS,
  type ParsedReply,
  parseToolArguments,
  tooManyToolCalls,
} from "./tool-calls.ts";
import { ProviderError } from "./types.ts";

interface ToolBlock {
  index: number;
  id: string;
  name: string;
  json: string[];
  chars: number;
}

/**
 * Accumulates an Anthropic Messages stream: `message_start` (input tokens), `content_block_start`
 * (a text block, or a `tool_use` block with id and name), `content_block_delta` (`text_delta`, or
 * `input_json_delta` with a fragment of the tool input's JSON), `content_block_stop`,
 * `message_delta` (stop reason and cumulative output tokens), `message_stop`; `ping` and block
 * types it does not know (thinking, citations) are skipped, an `error` event is an error.
 */
export class AnthropicStreamAccumulator {
  readonly #clock: DeltaClock;
  readonly #source: string;
  readonly #secrets: readonly (string | undefined)[];
  readonly #text: string[] = [];
  readonly #tools = new Map<number, ToolBlock>();
  #inputTokens: unknown;
  #outputTokens: unknown;
  #stopReason: unknown = null;
  #done = false;

  constructor(clock: DeltaClock, source: string, secrets: readonly (string | undefined)[] = []) {
    this.#clock = clock;
    this.#source = source;
    this.#secrets = secrets;
  }

  readonly onEvent = (event: SseEvent): void => {
    if (this.#done) return;
    let value: unknown;
    try {
      value = JSON.parse(event.data);
    } catch {
      throw new ProviderError(redact(`expected JSON events in ${this.#source}, got: ${snippet(event.data)}`, this.#secrets), {
        retryable: false,
      });
    }
    if (value === null || typeof value !== "object" || Array.isArray(value))
      throw new ProviderError(redact(`expected a JSON object per event in ${this.#source}, got: ${snippet(event.data)}`, this.#secrets), {
        retryable: false,
      });
    const data = value as Record<string, unknown>;
    // The data's `type` repeats the event name; either is enough.
    const type = typeof data.type === "string" ? data.type : event.event;
    switch (type) {
      case "message_start": {
        const usage = (data.message as { usage?: Record<string, unknown> } | undefined)?.usage;
        if (usage && typeof usage === "object") {
          this.#inputTokens = usage.input_tokens;
          this.#outputTokens = usage.output_tokens;
        }
        return;
      }
      case "content_block_start":
        this.#blockStart(data.index, data.content_block);
        return;
      case "content_block_delta":
        this.#blockDelta(data.index, data.delta);
        return;
      case "message_delta": {
        const delta = data.delta as { stop_reason?: unknown } | undefined;
        if (delta && typeof delta === "object" && delta.stop_reason !== undefined && delta.stop_reason !== null)
          this.#stopReason = delta.stop_reason;
        const usage = data.usage as Record<string, unknown> | undefined;
        if (usage && typeof usage === "object") {
          if (usage.output_tokens !== undefined && usage.output_tokens !== null) this.#outputTokens = usage.output_tokens;
          if (typeof usage.input_tokens === "number") this.#inputTokens = usage.input_tokens;
        }
        return;
      }
      case "message_stop":
        this.#done = true;
        return;
      case "error":
        throw streamError(data.error ?? data, this.#source, this.#secrets);
      default:
        // ping, content_block_stop, and event types added later.
        return;
    }
  };

  #blockStart(index: unknown, block: unknown): void {
    if (block === null || typeof block !== "object" || typeof index !== "number") return;
    const b = block as { type?: unknown; text?: unknown; id?: unknown; name?: unknown };
    if (b.type === "text" && typeof b.text === "string" && b.text !== "") {
      this.#text.push(b.text);
      this.#clock.delta();
    } else if (b.type === "tool_use") {
      // One more than the limit: the forced tool of structured output is not reported as a call.
      if (!this.#tools.has(index) && this.#tools.size > MAX_TOOL_CALLS) throw tooManyToolCalls(this.#source);
      if (typeof b.name !== "string" || b.name === "")
        throw new ProviderError(`${this.#source} has a tool_use block (index ${index}) without a name`, { retryable: false });
      this.#tools.set(index, { index, id: typeof b.id === "string" ? b.id : "", name: b.name, json: [], chars: 0 });
      this.#clock.delta();
    }
  }

  #blockDelta(index: unknown, delta: unknown): void {
    if (delta === null || typeof delta !== "object") return;
    const d = delta as { type?: unknown; text?: unknown; partial_json?: unknown };
    if (d.type === "text_delta" && typeof d.text === "string") {
      if (d.text === "") return;
      this.#text.push(d.text);
      this.#clock.delta();
    } else if (d.type === "input_json_delta" && typeof d.partial_json === "string") {
      const block = typeof index === "number" ? this.#tools.get(index) : undefined;
      if (!block)
        throw new ProviderError(`${this.#source} has an input_json_delta for a block that is not a tool_use`, { retryable: false });
      block.chars += d.partial_json.length;
      checkArgumentSize(block.chars, block.name, this.#source);
      block.json.push(d.partial_json);
      this.#clock.delta();
    }
  }

  /** The reply, once the stream has ended; a stream cut before `message_stop` or a stop reason is a retryable error. */
  result(): ParsedReply & StreamTiming {
    if (!this.#done && this.#stopReason === null)
      throw new ProviderError(`${this.#source} ended before its last event (message_stop)`, { retryable: true });
    const toolCalls: ToolCall[] = [...this.#tools.values()]
      .sort((a, b) => a.index - b.index)
      .map((block) => {
        const json = block.json.join("");
        // A tool without parameters streams no fragment: its input is {}.
        return { id: block.id || `toolu_${block.index}`, name: block.name, arguments: json.trim() === "" ? {} : parseToolArguments(json) };
      });
    return {
      output: this.#text.join(""),
      toolCalls,
      finishReason: anthropicFinishReason(this.#stopReason),
      usage: { prompt: this.#inputTokens, completion: this.#outputTokens },
      ...this.#clock.timing(),
    };
  }
}
