// OpenAI's published OpenAPI description (chat completions and embeddings, extracted into
// test/fixtures/openai-openapi/chat-embeddings.json by scripts/extract-openai-openapi.ts) compiled
// into validators, plus the request rules OpenAI enforces that its schemas cannot express (each
// with the API's own wording): unknown top-level parameters, tool messages that answer no earlier
// tool call, tool calls left unanswered, `tool_choice` naming no tool, `stream_options` without
// `stream`, and tool-parameter / response-format schemas that are not JSON Schemas.
import { readFileSync } from "node:fs";
import type { ValidateFunction } from "ajv";
import { Ajv2020 } from "ajv/dist/2020.js";
import { toJsonSchema } from "../github-server/spec.ts";
import { type Check, cap, describeErrors, failed, isSchema, OK, type Schema, UserSchemas } from "./schema.ts";

export const OPENAI_FIXTURE_URL = new URL("../../fixtures/openai-openapi/chat-embeddings.json", import.meta.url);

export interface OpenAIFixture {
  source: { repository: string; path: string; commit: string; commitDate: string | null; url: string };
  openapi: string;
  apiVersion: string;
  extractedAt: string;
  operations: Record<string, unknown>;
  schemas: Record<string, Schema>;
}

function rewriteRefs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rewriteRefs);
  if (!isSchema(node)) return node;
  const out: Schema = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === "$ref" && typeof value === "string") out.$ref = value.replace(/^#\/schemas\//, "openai#/$defs/");
    else if (key === "enum" || key === "const" || key === "default" || key === "required") out[key] = value;
    else out[key] = rewriteRefs(value);
  }
  return out;
}

/** Property names a (possibly `allOf`-composed) object schema declares, following `$ref`s. */
function declaredProperties(schemas: Record<string, Schema>, schema: unknown, into = new Set<string>()): Set<string> {
  if (!isSchema(schema)) return into;
  if (typeof schema.$ref === "string") return declaredProperties(schemas, schemas[schema.$ref.replace(/^#\/schemas\//, "")], into);
  if (isSchema(schema.properties)) for (const name of Object.keys(schema.properties)) into.add(name);
  if (Array.isArray(schema.allOf)) for (const part of schema.allOf) declaredProperties(schemas, part, into);
  return into;
}

export class OpenAISpec {
  readonly fixture: OpenAIFixture;
  readonly chatParameters: Set<string>;
  /** The union a `tools` item belongs to (inline in the request schema). */
  private readonly toolItems: Schema | undefined;
  private readonly ajv: Ajv2020;
  private readonly validators = new Map<string, ValidateFunction>();
  /** Schemas found in requests (tool parameters, response formats). */
  private readonly userSchemas = new UserSchemas("2020-12");

  constructor(fixture: OpenAIFixture = JSON.parse(readFileSync(OPENAI_FIXTURE_URL, "utf8")) as OpenAIFixture) {
    this.fixture = fixture;
    this.ajv = new Ajv2020({ strict: false, allErrors: true, verbose: true, logger: false, validateFormats: false });
    const defs = Object.fromEntries(Object.entries(fixture.schemas).map(([name, schema]) => [name, rewriteRefs(toJsonSchema(schema))]));
    this.ajv.addSchema({ $id: "openai", $defs: defs });
    this.chatParameters = declaredProperties(fixture.schemas, fixture.schemas.CreateChatCompletionRequest);
    const request = fixture.schemas.CreateChatCompletionRequest;
    const parts = Array.isArray(request?.allOf) ? request.allOf : [request];
    const tools = parts.map((part) => (isSchema(part) && isSchema(part.properties) ? part.properties.tools : undefined)).find(isSchema);
    this.toolItems = tools && isSchema(tools.items) ? tools.items : undefined;
  }

  private validator(name: string): ValidateFunction {
    let validate = this.validators.get(name);
    if (!validate) {
      if (!this.fixture.schemas[name]) throw new Error(`${name} is not in the OpenAI fixture`);
      validate = this.ajv.compile({ $ref: `openai#/$defs/${name}` });
      this.validators.set(name, validate);
    }
    return validate;
  }

  /** Checks `value` against the named component schema of the description. */
  check(name: string, value: unknown, root = "", limit = 8): Check {
    const validate = this.validator(name);
    return validate(value) ? OK : failed(...describeErrors(root, validate.errors, limit));
  }

  /** The schema names of a `oneOf` of `$ref`s, keyed by the single value each allows for `key`. */
  private branches(union: Schema | undefined, key: string): Map<unknown, string> {
    const out = new Map<unknown, string>();
    for (const option of Array.isArray(union?.oneOf) ? union.oneOf : Array.isArray(union?.anyOf) ? union.anyOf : []) {
      const ref = isSchema(option) && typeof option.$ref === "string" ? option.$ref.replace(/^#\/schemas\//, "") : undefined;
      const properties = ref ? this.fixture.schemas[ref]?.properties : undefined;
      const allowed = isSchema(properties) && isSchema(properties[key]) ? (properties[key].enum ?? [properties[key].const]) : [];
      for (const value of allowed as unknown[]) if (ref && value !== undefined) out.set(value, ref);
    }
    return out;
  }

  /** Errors for an array of a discriminated union, item by item against the branch its `key` selects. */
  private itemErrors(items: unknown, union: Schema | undefined, key: string, root: string): string[] {
    if (!Array.isArray(items)) return [];
    const branches = this.branches(union, key);
    return items.flatMap((item, i) => {
      const where = `${root}[${i}]`;
      const value = isSchema(item) ? item[key] : undefined;
      const branch = branches.get(value);
      if (!branch) return [`${where}.${key}: ${JSON.stringify(value) ?? "missing"} is not one of ${JSON.stringify([...branches.keys()])}`];
      return this.check(branch, item, where, Infinity).errors;
    });
  }

  /**
   * `strictParameters`: also refuse top-level parameters the description does not declare, as
   * OpenAI does ("Unrecognized request argument supplied"); the description itself allows them.
   */
  chatRequest(body: unknown, strictParameters = false): Check {
    const schema = this.check("CreateChatCompletionRequest", body, "", Infinity);
    if (!schema.ok && isSchema(body)) {
      // oneOf over message roles (and tool types) reports every branch; name the one that applies.
      const precise = [
        ...this.itemErrors(body.messages, this.fixture.schemas.ChatCompletionRequestMessage, "role", "messages"),
        ...this.itemErrors(body.tools, this.toolItems, "type", "tools"),
      ];
      const rest = schema.errors.filter((line) => !/^(messages|tools)\[/.test(line));
      return failed(...cap(precise.length || rest.length ? [...precise, ...rest] : schema.errors));
    }
    if (!schema.ok || !isSchema(body)) return failed(...cap(schema.errors));
    const errors: string[] = [];
    for (const key of strictParameters ? Object.keys(body) : []) {
      if (!this.chatParameters.has(key)) errors.push(`Unrecognized request argument supplied: ${key}`);
    }
    const messages = body.messages as Schema[];
    let open: Set<string> | undefined; // ids of the last assistant message's tool calls not answered yet
    messages.forEach((message, i) => {
      if (message.role === "tool") {
        const id = message.tool_call_id as string;
        if (!open?.has(id)) {
          errors.push(
            `messages[${i}]: Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls' (no open tool call has id ${JSON.stringify(id)}).`,
          );
        }
        open?.delete(id);
        return;
      }
      if (open && open.size > 0) {
        errors.push(
          `messages[${i}]: An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${[...open].join(", ")}`,
        );
      }
      open = undefined;
      if (message.role === "assistant" && Array.isArray(message.tool_calls) && message.tool_calls.length > 0) {
        open = new Set((message.tool_calls as Schema[]).map((call) => call.id as string));
      }
    });
    const tools = Array.isArray(body.tools) ? (body.tools as Schema[]) : undefined;
    const choice = body.tool_choice;
    if (choice !== undefined && choice !== null && !tools?.length)
      errors.push("Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.");
    if (isSchema(choice) && choice.type === "function" && isSchema(choice.function)) {
      const name = choice.function.name;
      if (tools && !tools.some((tool) => isSchema(tool.function) && tool.function.name === name)) {
        errors.push(`Invalid value for 'tool_choice': function ${JSON.stringify(name)} is not among the tools.`);
      }
    }
    tools?.forEach((tool, i) => {
      const parameters = isSchema(tool.function) ? tool.function.parameters : undefined;
      if (parameters !== undefined) {
        const problem = this.schemaProblem(parameters);
        if (problem)
          errors.push(
            `tools[${i}].function.parameters: Invalid schema for function '${String((tool.function as Schema).name)}': ${problem}`,
          );
        else if (isSchema(parameters) && parameters.type !== undefined && parameters.type !== "object") {
          errors.push(
            `tools[${i}].function.parameters: Invalid schema for function '${String((tool.function as Schema).name)}': schema must be a JSON Schema of 'type: "object"', got 'type: ${JSON.stringify(parameters.type)}'.`,
          );
        }
      }
    });
    const format = body.response_format;
    if (isSchema(format) && format.type === "json_schema" && isSchema(format.json_schema) && format.json_schema.schema !== undefined) {
      const problem = this.schemaProblem(format.json_schema.schema);
      if (problem)
        errors.push(
          `response_format.json_schema.schema: Invalid schema for response_format '${String(format.json_schema.name)}': ${problem}`,
        );
    }
    if (body.stream_options !== undefined && body.stream_options !== null && body.stream !== true) {
      errors.push("Invalid value for 'stream_options': The 'stream_options' parameter is only allowed when 'stream' is enabled.");
    }
    return errors.length ? failed(...errors) : OK;
  }

  /** Compiles every validator the server uses now rather than on the first request (for benchmarks). */
  warmUp(): void {
    for (const name of [
      "CreateChatCompletionRequest",
      "CreateChatCompletionResponse",
      "CreateChatCompletionStreamResponse",
      "CreateEmbeddingRequest",
      "CreateEmbeddingResponse",
      "ErrorResponse",
    ]) {
      this.validator(name);
    }
  }

  chatResponse(body: unknown): Check {
    return this.check("CreateChatCompletionResponse", body);
  }

  chatChunk(body: unknown): Check {
    return this.check("CreateChatCompletionStreamResponse", body);
  }

  embeddingRequest(body: unknown): Check {
    return this.check("CreateEmbeddingRequest", body);
  }

  embeddingResponse(body: unknown): Check {
    return this.check("CreateEmbeddingResponse", body);
  }

  error(body: unknown): Check {
    return this.check("ErrorResponse", body);
  }

  /** Why `schema` is not a JSON Schema ajv can compile, or undefined. */
  schemaProblem(schema: unknown): string | undefined {
    return this.userSchemas.problem(schema);
  }
}

let cached: OpenAISpec | undefined;
/** The spec from the committed fixture, compiled once per process. */
export function openAISpec(): OpenAISpec {
  cached ??= new OpenAISpec();
  return cached;
}
