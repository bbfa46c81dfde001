// The Anthropic Messages API contract: JSON Schemas derived from the TypeScript declarations
// published with `@anthropic-ai/sdk` (test/fixtures/anthropic/messages.json, made by
// scripts/extract-anthropic-spec.ts) compiled into validators, plus the request rules the API
// enforces that the types cannot express (in the API's wording): messages and text blocks must not
// be empty (except a final assistant message, a prefill), `tool_result` blocks must answer
// `tool_use` blocks of the previous assistant message, every `tool_use` must be answered in the
// next message, `tool_choice` needs `tools` and must name one of them, and tool input schemas must
// be JSON Schemas. (Consecutive messages with the same role are allowed: the API documents that it
// combines them.)
import { readFileSync } from "node:fs";
import { Ajv, type ValidateFunction } from "ajv";
import { type Check, cap, describeErrors, failed, isSchema, OK, type Schema, UserSchemas } from "./schema.ts";

export const ANTHROPIC_FIXTURE_URL = new URL("../../fixtures/anthropic/messages.json", import.meta.url);

export interface AnthropicFixture {
  source: { package: string; version: string; files: string[]; roots: string[] };
  extractedAt: string;
  definitions: Record<string, Schema>;
}

/** Events the streaming documentation describes besides the SDK's `RawMessageStreamEvent` union. */
const PING = { type: "object", properties: { type: { const: "ping" } }, required: ["type"], additionalProperties: false };

export class AnthropicSpec {
  readonly fixture: AnthropicFixture;
  private readonly ajv: Ajv;
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly userSchemas = new UserSchemas("draft-07");

  constructor(fixture: AnthropicFixture = JSON.parse(readFileSync(ANTHROPIC_FIXTURE_URL, "utf8")) as AnthropicFixture) {
    this.fixture = fixture;
    this.ajv = new Ajv({ strict: false, allErrors: true, verbose: true, logger: false, validateFormats: false });
    this.ajv.addSchema({ $id: "anthropic", definitions: { ...fixture.definitions, Ping: PING } });
  }

  private validator(name: string): ValidateFunction {
    let validate = this.validators.get(name);
    if (!validate) {
      if (!this.fixture.definitions[name] && name !== "Ping") throw new Error(`${name} is not in the Anthropic fixture`);
      validate = this.ajv.compile({ $ref: `anthropic#/definitions/${name}` });
      this.validators.set(name, validate);
    }
    return validate;
  }

  check(name: string, value: unknown, root = "", limit = 8): Check {
    const validate = this.validator(name);
    return validate(value) ? OK : failed(...describeErrors(root, validate.errors, limit));
  }

  /** The definition names of an `anyOf` of `$ref`s, keyed by the constant each has at `key`. */
  private branches(union: string, key: string): Map<unknown, string> {
    const out = new Map<unknown, string>();
    const options = this.fixture.definitions[union]?.anyOf;
    for (const option of Array.isArray(options) ? options : []) {
      const ref = isSchema(option) && typeof option.$ref === "string" ? option.$ref.replace("#/definitions/", "") : undefined;
      const properties = ref ? this.fixture.definitions[ref]?.properties : undefined;
      const property = isSchema(properties) ? properties[key] : undefined;
      const values = isSchema(property) ? ("const" in property ? [property.const] : Array.isArray(property.enum) ? property.enum : []) : [];
      for (const value of values) if (ref && !out.has(value)) out.set(value, ref);
      // A custom tool's `type` is optional (`null | "custom"`): a missing type selects it.
      if (ref && isSchema(property) && Array.isArray(property.anyOf)) {
        for (const alt of property.anyOf) if (isSchema(alt) && "const" in alt) out.set(alt.const, ref);
        out.set(undefined, ref);
      }
    }
    return out;
  }

  private explain(union: string, key: string, value: unknown, where: string): string[] {
    const branches = this.branches(union, key);
    const selector = isSchema(value) ? value[key] : undefined;
    const branch = branches.get(selector);
    if (!branch)
      return [
        `${where}.${key}: ${JSON.stringify(selector) ?? "missing"} is not one of ${JSON.stringify([...branches.keys()].filter((k) => k !== undefined))}`,
      ];
    const errors = this.check(branch, value, where, Infinity).errors;
    // Content blocks: name the block that is wrong rather than every alternative of the union.
    if (isSchema(value) && Array.isArray(value.content) && (union === "MessageParam" || branch === "ToolResultBlockParam")) {
      const inner = value.content.flatMap((block, j) =>
        branch === "ToolResultBlockParam" ? [] : this.explain("ContentBlockParam", "type", block, `${where}.content[${j}]`),
      );
      if (inner.length) return [...inner, ...errors.filter((line) => !line.startsWith(`${where}.content`))];
    }
    return errors;
  }

  messagesRequest(body: unknown): Check {
    const streaming = isSchema(body) && body.stream === true;
    const schema = this.check(streaming ? "MessageCreateParamsStreaming" : "MessageCreateParamsNonStreaming", body, "", Infinity);
    if (!schema.ok && isSchema(body)) {
      const precise = [
        ...(Array.isArray(body.messages) ? body.messages.flatMap((m, i) => this.explain("MessageParam", "role", m, `messages[${i}]`)) : []),
        ...(Array.isArray(body.tools) ? body.tools.flatMap((t, i) => this.explain("ToolUnion", "type", t, `tools[${i}]`)) : []),
      ];
      const rest = schema.errors.filter((line) => !/^(messages|tools)\[/.test(line));
      return failed(...cap(precise.length || rest.length ? [...precise, ...rest] : schema.errors));
    }
    if (!schema.ok || !isSchema(body)) return failed(...cap(schema.errors));
    const errors: string[] = [];
    const messages = body.messages as Schema[];
    const blocks = (message: Schema | undefined): Schema[] =>
      message && Array.isArray(message.content) ? (message.content as Schema[]) : [];
    messages.forEach((message, i) => {
      const finalAssistant = i === messages.length - 1 && message.role === "assistant";
      if ((message.content === "" || (Array.isArray(message.content) && message.content.length === 0)) && !finalAssistant) {
        errors.push(`messages.${i}: all messages must have non-empty content except for the optional final assistant message`);
      }
      blocks(message).forEach((block, j) => {
        if (block.type === "text" && block.text === "")
          errors.push(`messages.${i}.content.${j}.text: text content blocks must be non-empty`);
      });
      const previous = messages[i - 1];
      const uses =
        previous?.role === "assistant"
          ? blocks(previous)
              .filter((b) => b.type === "tool_use")
              .map((b) => b.id)
          : [];
      const results = blocks(message).filter((b) => b.type === "tool_result");
      if (results.length > 0 && message.role !== "user")
        errors.push(`messages.${i}: \`tool_result\` blocks may only appear in \`user\` messages`);
      for (const result of results) {
        if (!uses.includes(result.tool_use_id)) {
          errors.push(
            `messages.${i}.content: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${String(result.tool_use_id)}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`,
          );
        }
      }
      if (message.role === "assistant" && i < messages.length - 1) {
        const ids = blocks(message)
          .filter((b) => b.type === "tool_use")
          .map((b) => b.id);
        const answered = new Set(
          blocks(messages[i + 1])
            .filter((b) => b.type === "tool_result")
            .map((b) => b.tool_use_id),
        );
        const missing = ids.filter((id) => !answered.has(id));
        if (missing.length) {
          errors.push(
            `messages.${i + 1}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(", ")}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`,
          );
        }
      }
    });
    const tools = Array.isArray(body.tools) ? (body.tools as Schema[]) : [];
    const choice = body.tool_choice;
    if (isSchema(choice) && choice.type !== "none" && tools.length === 0)
      errors.push("tool_choice: `tool_choice` may only be specified while providing `tools`");
    if (isSchema(choice) && choice.type === "tool" && !tools.some((tool) => tool.name === choice.name)) {
      errors.push(`tool_choice.name: tool ${JSON.stringify(choice.name)} is not among the tools`);
    }
    tools.forEach((tool, i) => {
      const problem = isSchema(tool.input_schema) ? this.userSchemas.problem(tool.input_schema) : undefined;
      if (problem) errors.push(`tools.${i}.custom.input_schema: JSON schema is invalid: ${problem}`);
    });
    const format = isSchema(body.output_config) ? body.output_config.format : undefined;
    const problem = isSchema(format) && isSchema(format.schema) ? this.userSchemas.problem(format.schema) : undefined;
    if (problem) errors.push(`output_config.format.schema: JSON schema is invalid: ${problem}`);
    return errors.length ? failed(...errors) : OK;
  }

  /** Compiles every validator the server uses now rather than on the first request (for benchmarks). */
  warmUp(): void {
    for (const name of [
      "MessageCreateParamsNonStreaming",
      "MessageCreateParamsStreaming",
      "Message",
      "RawMessageStreamEvent",
      "ErrorResponse",
      "Ping",
    ])
      this.validator(name);
  }

  message(body: unknown): Check {
    return this.check("Message", body);
  }

  /** A streaming event's data, checked against its `event:` name too. */
  streamEvent(event: string, data: unknown): Check {
    const type = isSchema(data) ? data.type : undefined;
    if (type !== event) return failed(`event ${JSON.stringify(event)} carries data of type ${JSON.stringify(type)}`);
    if (event === "ping") return this.check("Ping", data);
    if (event === "error") return this.check("ErrorResponse", data);
    return this.check("RawMessageStreamEvent", data);
  }

  error(body: unknown): Check {
    return this.check("ErrorResponse", body);
  }
}

let cached: AnthropicSpec | undefined;
export function anthropicSpec(): AnthropicSpec {
  cached ??= new AnthropicSpec();
  return cached;
}
