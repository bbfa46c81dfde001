import { z } from "zod";
import { scorerConfigSchema, scorerProviders } from "./scorers.ts";

/**
 * An eval suite: the shape `llmops.yaml` accepts under `suites`. Strict objects everywhere so a
 * misspelt key is an error at its line instead of a silently ignored setting.
 */

const headersSchema = z.record(z.string(), z.string());
/** Model parameters passed through to the API (`temperature`, `max_tokens`, ...). */
const paramsSchema = z.record(z.string(), z.unknown());
const envNameSchema = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "expected an environment variable name");
/** Part of result directory names (`<suite>/<provider id>/`): no separators, and not `.` or `..`. */
const providerIdSchema = z
  .string()
  .min(1)
  .regex(/^(?!\.{1,2}$)[^/\s]+$/, "expected a provider id without spaces or /, and not . or ..");

/** Price in currency units per 1M tokens, so `cost` can be computed from `usage`. */
export const pricingSchema = z.strictObject({
  prompt: z.number().nonnegative(),
  completion: z.number().nonnegative(),
});
export type Pricing = z.infer<typeof pricingSchema>;

export const DEFAULT_OPENAI_BASE_URL = "https://api.openai.com/v1";
export const DEFAULT_ANTHROPIC_BASE_URL = "https://api.anthropic.com";

const toolNameSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "expected a tool name of 1-64 letters, digits, _ or -");

/** A tool the model may call, in one neutral form each provider translates to its API's. */
export const toolConfigSchema = z.strictObject({
  name: toolNameSchema,
  description: z.string().optional(),
  /** JSON Schema of the arguments object. */
  parameters: z.record(z.string(), z.unknown()).default({ type: "object", properties: {} }),
});
export type ToolConfig = z.infer<typeof toolConfigSchema>;

/** `auto` (the API's default), `none`, `required` (some tool), or one tool by name. */
export const toolChoiceSchema = z.union([z.enum(["auto", "none", "required"]), z.strictObject({ name: toolNameSchema })]);
export type ToolChoice = z.infer<typeof toolChoiceSchema>;

/**
 * Structured output: the reply is JSON valid against `schema`. OpenAI gets `response_format`
 * (`json_schema`); Anthropic gets a forced tool named `name` whose input is the reply.
 */
export const responseFormatSchema = z.strictObject({
  name: toolNameSchema.default("response"),
  schema: z.record(z.string(), z.unknown(), { error: "expected a JSON Schema object for the reply" }),
  strict: z.boolean().default(true),
});
export type ResponseFormatConfig = z.infer<typeof responseFormatSchema>;

/** What chat providers share beyond their API's own settings: tools, structured output, streaming. */
const chatFeatures = {
  tools: z.array(toolConfigSchema).optional(),
  toolChoice: toolChoiceSchema.optional(),
  responseFormat: responseFormatSchema.optional(),
  /** Server-sent events: results then record time to first token and output tokens per second. */
  stream: z.boolean().optional(),
};

/** Chat completions: OpenAI, Azure OpenAI (`apiVersion` set), vLLM, Ollama, TGI, llama.cpp server. */
export const openaiProviderSchema = z.strictObject({
  type: z.literal("openai"),
  id: providerIdSchema.optional(),
  model: z.string().min(1),
  baseUrl: z.url().default(DEFAULT_OPENAI_BASE_URL),
  /**
   * The environment variable holding the key (default OPENAI_API_KEY). `null`: send no key. When
   * left out with a non-default `baseUrl` (a local server), a missing variable means no key.
   */
  apiKeyEnv: envNameSchema.nullable().optional(),
  params: paramsSchema.default({}),
  headers: headersSchema.default({}),
  /** Azure OpenAI: the `api-version` query parameter; switches to the deployment URL form and `api-key` header. */
  apiVersion: z.string().min(1).optional(),
  /** Azure OpenAI deployment name (default: `model`). */
  deployment: z.string().min(1).optional(),
  pricing: pricingSchema.optional(),
  ...chatFeatures,
});

export const anthropicProviderSchema = z.strictObject({
  type: z.literal("anthropic"),
  id: providerIdSchema.optional(),
  model: z.string().min(1),
  baseUrl: z.url().default(DEFAULT_ANTHROPIC_BASE_URL),
  apiKeyEnv: envNameSchema.default("ANTHROPIC_API_KEY"),
  max_tokens: z.number().int().positive().default(1024),
  anthropicVersion: z.string().min(1).default("2023-06-01"),
  params: paramsSchema.default({}),
  headers: headersSchema.default({}),
  pricing: pricingSchema.optional(),
  ...chatFeatures,
});

/** OpenAI-compatible `/v1/embeddings`, used by scorers (`similar`), never as a suite's provider. */
export const embeddingsProviderSchema = z.strictObject({
  type: z.literal("embeddings"),
  model: z.string().min(1),
  baseUrl: z.url().default(DEFAULT_OPENAI_BASE_URL),
  /** As for `openai`: default OPENAI_API_KEY, `null` for none, optional for a local server. */
  apiKeyEnv: envNameSchema.nullable().optional(),
  dimensions: z.number().int().positive().optional(),
  headers: headersSchema.default({}),
});
export type EmbeddingsProviderConfig = z.infer<typeof embeddingsProviderSchema>;

/** Any HTTP endpoint: a request template and where the output is in the response. */
export const httpProviderSchema = z.strictObject({
  type: z.literal("http"),
  id: providerIdSchema.optional(),
  url: z.url(),
  method: z.enum(["GET", "POST", "PUT", "PATCH"]).default("POST"),
  /** Header values may use `{{env.NAME}}` for secrets: resolved at call time, never part of the identity. */
  headers: headersSchema.default({}),
  /** A JSON value whose strings are templates over `prompt`, the case vars and `vars`; a string `"{{x}}"` alone keeps x's JSON type. */
  body: z.unknown().optional(),
  /** Path of the output in the JSON response, e.g. `choices[0].message.content`; absent: the whole body as text. */
  responsePath: z.string().min(1).optional(),
  /** Paths of token counts in the response, when the endpoint reports them. */
  tokensPath: z.strictObject({ prompt: z.string().min(1), completion: z.string().min(1) }).optional(),
  /** Path of what a RAG endpoint retrieved (a string or a list of strings), for the RAG judges. */
  contextPath: z.string().min(1).optional(),
});

/** A process: JSON `{prompt, vars, messages}` on stdin; JSON `{output, tokens?, cost?}` or plain text on stdout. */
export const commandProviderSchema = z.strictObject({
  type: z.literal("command"),
  id: providerIdSchema.optional(),
  argv: z.array(z.string().min(1)).min(1, "expected the program and its arguments, e.g. [python3, model.py]"),
  env: z.record(z.string(), z.string()).default({}),
  /** Working directory, relative to the config file. */
  cwd: z.string().optional(),
});

/** A JS/TS module (relative to the config file) whose export is called with `{prompt, vars, messages}`. */
export const moduleProviderSchema = z.strictObject({
  type: z.literal("module"),
  id: providerIdSchema.optional(),
  path: z.string().min(1),
  export: z.string().min(1).default("default"),
});

/** Recorded responses (JSONL of `{id | prompt, output, tokens?, cost?}`), matched by case id, then prompt. */
export const replayProviderSchema = z.strictObject({
  type: z.literal("replay"),
  id: providerIdSchema.optional(),
  file: z.string().min(1),
});

export const providerConfigSchema = z.discriminatedUnion(
  "type",
  [openaiProviderSchema, anthropicProviderSchema, httpProviderSchema, commandProviderSchema, moduleProviderSchema, replayProviderSchema],
  { error: "expected a provider with type openai, anthropic, http, command, module or replay" },
);
export type ProviderConfig = z.infer<typeof providerConfigSchema>;
export type OpenAIProviderConfig = z.infer<typeof openaiProviderSchema>;
export type AnthropicProviderConfig = z.infer<typeof anthropicProviderSchema>;
export type HttpProviderConfig = z.infer<typeof httpProviderSchema>;
export type CommandProviderConfig = z.infer<typeof commandProviderSchema>;
export type ModuleProviderConfig = z.infer<typeof moduleProviderSchema>;
export type ReplayProviderConfig = z.infer<typeof replayProviderSchema>;

/** A tool call as the model made it: `arguments` is the parsed JSON (the raw string when it is not JSON). */
export const toolCallConfigSchema = z.strictObject({
  id: z.string().min(1),
  name: z.string().min(1),
  arguments: z.unknown(),
});

/**
 * One conversation turn. An assistant turn may carry the tool calls it made; a `tool` turn
 * answers one of them by `toolCallId`.
 */
export const chatMessageSchema = z
  .strictObject({
    role: z.enum(["system", "user", "assistant", "tool"]),
    content: z.string(),
    toolCalls: z.array(toolCallConfigSchema).min(1).optional(),
    toolCallId: z.string().min(1).optional(),
  })
  .superRefine((message, ctx) => {
    if (message.toolCalls && message.role !== "assistant")
      ctx.addIssue({ code: "custom", path: ["toolCalls"], message: "expected toolCalls only on an assistant message" });
    if ((message.role === "tool") !== (message.toolCallId !== undefined))
      ctx.addIssue({ code: "custom", path: ["toolCallId"], message: "expected toolCallId on a tool message, and only there" });
  });
export type ChatMessage = z.infer<typeof chatMessageSchema>;

/** A template string, a list of chat messages, or a file (text, or JSON `[{role, content}]`) relative to the config. */
export const promptConfigSchema = z.union([
  z.string().min(1, "expected a non-empty prompt template"),
  z.strictObject({ messages: z.array(chatMessageSchema).min(1) }),
  z.strictObject({ file: z.string().min(1) }),
]);
export type PromptConfig = z.infer<typeof promptConfigSchema>;

/**
 * What a tool call returns in an agent run: `result` (any JSON, sent to the model as JSON text)
 * or `error`. Without `arguments` it answers every call of that tool; with them, calls whose
 * arguments equal them (canonical JSON).
 */
export const toolResultFixtureSchema = z
  .strictObject({
    name: z.string().min(1),
    arguments: z.unknown().optional(),
    result: z.unknown().optional(),
    error: z.string().optional(),
  })
  .refine((fixture) => (fixture.result === undefined) !== (fixture.error === undefined), { message: "expected one of result or error" });
export type ToolResultFixture = z.infer<typeof toolResultFixtureSchema>;

/**
 * An agent run: the model's tool calls are answered (from the case's `toolResults`, else by a
 * module tool) and sent back until it answers without calling a tool, or `maxTurns` model calls.
 */
export const agentConfigSchema = z.strictObject({
  maxTurns: z.number().int().min(1).max(50).default(5),
  /** Tools answered by a JS/TS module (relative to the config), called with the parsed arguments. */
  tools: z.record(toolNameSchema, z.strictObject({ module: z.string().min(1), export: z.string().min(1).default("default") })).default({}),
});
export type AgentConfig = z.infer<typeof agentConfigSchema>;

const tagValueSchema = z.union([z.string(), z.number(), z.boolean()]).transform((v) => String(v));

/** One eval case. Without an `id` the case is named by a hash of its vars and expected value. */
export const caseConfigSchema = z.strictObject({
  id: z.union([z.string().min(1), z.number().transform((v) => String(v))]).optional(),
  vars: z.record(z.string(), z.unknown()).default({}),
  expected: z.unknown().optional(),
  /** Slice labels: `{ lang: de }`. */
  tags: z.record(z.string(), tagValueSchema).default({}),
  metadata: z.record(z.string(), z.unknown()).optional(),
  /** Earlier turns of a conversation (assistant and tool turns included), sent before the prompt's messages. */
  messages: z.array(chatMessageSchema).optional(),
  /** Fixtures answering an agent's tool calls: the first entry whose name and arguments match. */
  toolResults: z.array(toolResultFixtureSchema).optional(),
});
export type CaseConfig = z.infer<typeof caseConfigSchema>;

export const caseFileFormatSchema = z.enum(["jsonl", "json", "csv", "yaml"]);
export type CaseFileFormat = z.infer<typeof caseFileFormatSchema>;

/** A cases file relative to the config, or a file inside a dataset version in the store. */
export const casesFromSchema = z.union([
  z.string().min(1),
  z.strictObject({
    file: z.string().min(1),
    /** `name:alias`, `name:v3` or `name@sha256:…`; the file is then a path inside that version. */
    dataset: z.string().min(1).optional(),
    /** Default: from the file extension. */
    format: caseFileFormatSchema.optional(),
  }),
]);
export type CasesFromConfig = z.infer<typeof casesFromSchema>;

/**
 * A gate: `min`/`max` on a metric (overall, on one `slice`, or on `eachSlice` of a tag key), or
 * `maxGap` between the best and worst slice `across` a tag key (fairness).
 */
export const gateConfigSchema = z
  .strictObject({
    metric: z.string().min(1),
    min: z.number().optional(),
    max: z.number().optional(),
    slice: z.record(z.string(), tagValueSchema).optional(),
    eachSlice: z.string().min(1).optional(),
    maxGap: z.number().nonnegative().optional(),
    across: z.string().min(1).optional(),
  })
  .superRefine((gate, ctx) => {
    if (gate.maxGap !== undefined || gate.across !== undefined) {
      if (gate.maxGap === undefined) ctx.addIssue({ code: "custom", path: ["maxGap"], message: "expected maxGap with across" });
      if (gate.across === undefined) ctx.addIssue({ code: "custom", path: ["across"], message: "expected across (a tag key) with maxGap" });
      for (const key of ["min", "max", "slice", "eachSlice"] as const) {
        if (gate[key] !== undefined) ctx.addIssue({ code: "custom", path: [key], message: `expected no ${key} in a maxGap gate` });
      }
      return;
    }
    if (gate.min === undefined && gate.max === undefined) {
      ctx.addIssue({ code: "custom", path: [], message: "expected min, max, or maxGap with across" });
    }
    if (gate.slice !== undefined && gate.eachSlice !== undefined) {
      ctx.addIssue({ code: "custom", path: ["eachSlice"], message: "expected slice or eachSlice, not both" });
    }
  });
export type GateConfig = z.infer<typeof gateConfigSchema>;

export const rateLimitSchema = z.strictObject({
  requestsPerSecond: z.number().positive().optional(),
  tokensPerMinute: z.number().positive().optional(),
});
export type RateLimitConfig = z.infer<typeof rateLimitSchema>;

export const suiteSchema = z
  .strictObject({
    name: z
      .string()
      .min(1)
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "expected a suite name of letters, digits, . _ -"),
    description: z.string().optional(),
    provider: providerConfigSchema.optional(),
    providers: z.array(providerConfigSchema).min(1).optional(),
    prompt: promptConfigSchema.optional(),
    prompts: z.array(promptConfigSchema).min(1).optional(),
    cases: z.array(caseConfigSchema).optional(),
    casesFrom: casesFromSchema.optional(),
    scorers: z.array(scorerConfigSchema).default([]),
    /** Tag keys whose values define slices. */
    slices: z.array(z.string().min(1)).default([]),
    gates: z.array(gateConfigSchema).default([]),
    concurrency: z.number().int().positive().default(8),
    repeats: z.number().int().positive().default(1),
    /** A case passes when at least `k` of its repeats pass (default: all of them). */
    passRule: z.strictObject({ k: z.number().int().positive() }).optional(),
    timeoutMs: z.number().int().positive().default(30_000),
    retries: z.number().int().nonnegative().default(3),
    rateLimit: rateLimitSchema.optional(),
    /**
     * Part of every response cache key of the suite, for what changes the answers but no config
     * shows: weights or scripts a command or module provider loads, a redeployed server behind
     * the same URL. Change it (e.g. to a weights digest) and cached responses are not reused.
     */
    cacheKey: z.string().min(1).optional(),
    agent: agentConfigSchema.optional(),
  })
  .superRefine((suite, ctx) => {
    if ((suite.provider === undefined) === (suite.providers === undefined)) {
      ctx.addIssue({ code: "custom", path: suite.provider ? ["providers"] : [], message: "expected exactly one of provider or providers" });
    }
    if ((suite.prompt === undefined) === (suite.prompts === undefined)) {
      ctx.addIssue({ code: "custom", path: suite.prompt ? ["prompts"] : [], message: "expected exactly one of prompt or prompts" });
    }
    if (suite.cases === undefined && suite.casesFrom === undefined) {
      ctx.addIssue({ code: "custom", path: [], message: "expected cases or casesFrom" });
    }
    // The scorer schema cannot import the provider schemas (it would be circular), so a judge's
    // provider and `similar`'s embeddings are validated here, at load time, with file:line.
    suite.scorers.forEach((scorer, i) => {
      for (const { path, kind, config } of scorerProviders(scorer)) {
        const result = (kind === "judge" ? providerConfigSchema : embeddingsProviderSchema).safeParse(config);
        const issue = result.success ? undefined : result.error.issues[0];
        if (issue) ctx.addIssue({ code: "custom", path: ["scorers", i, ...path, ...issue.path], message: issue.message });
      }
    });
    suiteProviderList(suite).forEach(({ provider, path }) => {
      for (const issue of toolIssues(provider, suite.agent))
        ctx.addIssue({ code: "custom", path: [...path, ...issue.path], message: issue.message });
    });
    if (suite.providers) {
      const seen = new Map<string, number>();
      suite.providers.forEach((provider, i) => {
        if (provider.id === undefined) {
          if (suite.providers!.length > 1) {
            ctx.addIssue({ code: "custom", path: ["providers", i, "id"], message: "expected an id for each of several providers" });
          }
          return;
        }
        const first = seen.get(provider.id);
        if (first !== undefined) {
          ctx.addIssue({
            code: "custom",
            path: ["providers", i, "id"],
            message: `expected a unique id; "${provider.id}" is also providers[${first}]`,
          });
        } else seen.set(provider.id, i);
      });
    }
    const names = new Map<string, number>();
    suite.scorers.forEach((scorer, i) => {
      const name = (scorer as { name?: string }).name ?? (scorer as { type: string }).type;
      const first = names.get(name);
      if (first !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["scorers", i],
          message: `expected a unique scorer name; "${name}" is also scorers[${first}] (set name:)`,
        });
      } else names.set(name, i);
    });
    if (suite.passRule && suite.passRule.k > suite.repeats) {
      ctx.addIssue({ code: "custom", path: ["passRule", "k"], message: `expected k <= repeats (${suite.repeats})` });
    }
    suite.gates.forEach((gate, i) => {
      const key = gate.eachSlice ?? gate.across;
      if (key !== undefined && !suite.slices.includes(key)) {
        ctx.addIssue({
          code: "custom",
          path: ["gates", i, gate.eachSlice ? "eachSlice" : "across"],
          message: `expected a key listed in slices; "${key}" is not`,
        });
      }
    });
  });
export type SuiteConfig = z.infer<typeof suiteSchema>;

/** A suite's providers with their YAML path, for checks that name the one at fault. */
function suiteProviderList(suite: { provider?: ProviderConfig | undefined; providers?: ProviderConfig[] | undefined }) {
  if (suite.provider) return [{ provider: suite.provider, path: ["provider"] as (string | number)[] }];
  return (suite.providers ?? []).map((provider, i) => ({ provider, path: ["providers", i] as (string | number)[] }));
}

/**
 * Tool settings that cannot work together, caught at load time rather than as an API error on
 * every case or an agent that silently never acts: a tool choice naming no configured tool, an
 * agent whose chat model is offered no tools, a module tool the model is never offered. Module,
 * command, HTTP and replay providers make their own tool calls, so only chat APIs are checked.
 */
function toolIssues(provider: ProviderConfig, agent: AgentConfig | undefined): { path: (string | number)[]; message: string }[] {
  if (provider.type !== "openai" && provider.type !== "anthropic") return [];
  const names = (provider.tools ?? []).map((tool) => tool.name);
  const issues: { path: (string | number)[]; message: string }[] = [];
  const seen = new Set<string>();
  provider.tools?.forEach((tool, i) => {
    if (seen.has(tool.name))
      issues.push({ path: ["tools", i, "name"], message: `expected unique tool names; "${tool.name}" appears twice` });
    seen.add(tool.name);
  });
  const choice = provider.toolChoice;
  if (choice !== undefined && choice !== "auto" && choice !== "none" && names.length === 0)
    issues.push({ path: ["toolChoice"], message: "expected tools for this toolChoice to choose from" });
  else if (typeof choice === "object" && !names.includes(choice.name))
    issues.push({
      path: ["toolChoice", "name"],
      message: `expected one of the provider's tools (${names.join(", ")}); "${choice.name}" is not`,
    });
  if (agent) {
    if (names.length === 0) issues.push({ path: ["tools"], message: "expected tools for the agent to call (the suite sets agent:)" });
    for (const name of Object.keys(agent.tools)) {
      if (names.length > 0 && !names.includes(name))
        issues.push({
          path: ["tools"],
          message: `expected a tool named "${name}" (agent.tools.${name} answers it, but the model is never offered it)`,
        });
    }
  }
  return issues;
}

/** The providers of a suite as a list, each with its effective id (`type:model` style when not given). */
export function suiteProviders(suite: SuiteConfig): (ProviderConfig & { id: string })[] {
  const list = suite.providers ?? (suite.provider ? [suite.provider] : []);
  return list.map((provider) => ({ ...provider, id: provider.id ?? defaultProviderId(provider) }));
}

export function defaultProviderId(provider: ProviderConfig): string {
  switch (provider.type) {
    case "openai":
    case "anthropic":
      return `${provider.type}:${provider.model}`;
    case "http":
      return `http:${new URL(provider.url).host}`;
    case "command":
      return `command:${provider.argv[0]}`;
    case "module":
      return `module:${provider.path}`;
    case "replay":
      return `replay:${provider.file}`;
  }
}

/** The prompts of a suite as a list (one entry for `prompt`). */
export function suitePrompts(suite: SuiteConfig): PromptConfig[] {
  return suite.prompts ?? (suite.prompt !== undefined ? [suite.prompt] : []);
}
