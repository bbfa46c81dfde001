// `@llmops/test/anthropic-server`: the local test server seen as Anthropic's Messages API
// (`POST /v1/messages`). It is the same server as `@llmops/test/openai-server` (which also serves
// `/v1/messages`), started with the same options, so a suite can point OpenAI and Anthropic
// providers at one process; this module gives it Anthropic's shape: `url` is the origin an
// Anthropic client takes as its base URL.
//
// What it serves: text (`respond`), `tool_use` blocks (`toolCalls`, `toolTurns`, or the tool
// `tool_choice` forces, with arguments from `structured`), structured output through a forced
// tool or `output_config.format`, streaming (`stream: true`: message_start, content_block_start,
// ping, content_block_delta with text_delta / input_json_delta, content_block_stop,
// message_delta, message_stop; `ttftMs`, `interTokenMs`), and errors with Anthropic's error body
// (`faults`: 429 rate_limit_error, 529 overloaded_error, 500 api_error, ...). It requires the
// `x-api-key` (or `Authorization`) and `anthropic-version` headers, and validates every request,
// response and stream event against the JSON Schemas derived from `@anthropic-ai/sdk`'s published
// types (test/fixtures/anthropic/README.md): a request they do not allow is answered 400
// `invalid_request_error` and fails the test (see openai-server.ts). Empty messages and text blocks are refused as the API refuses them.
import { type OpenAIServer, type OpenAIServerOptions, startOpenAIServer } from "./openai-server.ts";

export type {
  ChatRequest,
  ContractViolation,
  Fault,
  FinishReason,
  Reply,
  ToolCallReply,
  ToolResult,
  ToolSpec,
} from "./openai-server.ts";

export type AnthropicServerOptions = OpenAIServerOptions;

export interface AnthropicServer extends Omit<OpenAIServer, "url"> {
  /** `http://127.0.0.1:port`: the base URL Anthropic clients append `/v1/messages` to. */
  url: string;
  /** The same server's OpenAI-compatible base URL (`${origin}/v1`). */
  openaiUrl: string;
}

export async function startAnthropicServer(options: AnthropicServerOptions = {}): Promise<AnthropicServer> {
  const server = await startOpenAIServer(options);
  return Object.defineProperties(Object.create(server) as AnthropicServer, {
    url: { value: server.origin, enumerable: true },
    openaiUrl: { value: server.url, enumerable: true },
  });
}
