export { type AnthropicServer, type AnthropicServerOptions, startAnthropicServer } from "./anthropic-server.ts";
export {
  type ContractViolation,
  hashedEmbedding,
  type OpenAIServer,
  type OpenAIServerOptions,
  startOpenAIServer,
} from "./openai-server.ts";
export { startTritonServer, type TritonCall, type TritonServer, type TritonServerOptions } from "./triton-server.ts";
