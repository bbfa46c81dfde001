import { readFileSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { InputError, isJsonScorerSchema, jsonSchemaScorerSchema } from "@llmops/core";
import { Ajv, type ValidateFunction } from "ajv";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { parse as parseYaml } from "yaml";
import { binary, defineScorer, quote } from "./definition.ts";
import { compileLinearRegex } from "./regex.ts";

/** The body of the first Markdown code fence (```json … ``` or ``` … ```), if any. */
export function fencedBlock(text: string): string | undefined {
  const match = /```[A-Za-z0-9_-]*[ \t]*\r?\n([\s\S]*?)\r?\n?```/.exec(text);
  return match?.[1];
}

export type JsonParse = { ok: true; value: unknown } | { ok: false; error: string };

/** Parses output as JSON: the whole trimmed text, or (when allowed) the first fenced block. */
export function parseJsonOutput(output: string, allowFence: boolean): JsonParse {
  try {
    return { ok: true, value: JSON.parse(output.trim()) };
  } catch (error) {
    const block = allowFence ? fencedBlock(output) : undefined;
    if (block !== undefined) {
      try {
        return { ok: true, value: JSON.parse(block.trim()) };
      } catch (inner) {
        return { ok: false, error: `code block is not valid JSON: ${(inner as Error).message}` };
      }
    }
    return { ok: false, error: `not valid JSON: ${(error as Error).message}` };
  }
}

/** Finds a JSON object in a model's reply: the whole reply, a fenced block, or the outermost {…}. */
export function extractJsonObject(reply: string): unknown {
  const candidates = [reply.trim()];
  const block = fencedBlock(reply);
  if (block !== undefined) candidates.push(block.trim());
  const first = reply.indexOf("{");
  const last = reply.lastIndexOf("}");
  if (first !== -1 && last > first) candidates.push(reply.slice(first, last + 1));
  for (const candidate of candidates) {
    try {
      return JSON.parse(candidate);
    } catch {
      // try the next form
    }
  }
  return undefined;
}

export const isJsonScorer = defineScorer({
  schemas: { "is-json": isJsonScorerSchema },
  docs: {
    definition:
      "Passes when the trimmed output is one JSON value. With `allowFence: true`, JSON inside the output's first " +
      "Markdown code fence also passes, since chat models often wrap their answer in one.",
    params: "`allowFence` (false): also accept JSON inside a Markdown code fence",
    score: "0/1",
    reference: "JSON as RFC 8259 defines it, read by JavaScript's JSON.parse; as promptfoo's `is-json` assertion without a schema.",
  },
  create(config) {
    return {
      defaultThreshold: 1,
      score(output) {
        const parsed = parseJsonOutput(output, config.allowFence);
        return binary(parsed.ok, parsed.ok ? undefined : parsed.error);
      },
    };
  },
});

export const jsonSchemaScorer = defineScorer({
  schemas: { "json-schema": jsonSchemaScorerSchema },
  docs: {
    definition:
      "Passes when the output is JSON (as `is-json`, `allowFence` included) that validates against a JSON Schema: " +
      "`schema` inline, or `schemaFile`, a JSON or YAML file relative to the config. The schema is compiled once, when " +
      "the scorer is built, so a missing file or an invalid schema is a config error; a failing case's reason names " +
      "the first three violations. With `target: toolCall` it validates the arguments of the reply's tool calls " +
      "instead (only those of `tool` when set): it passes when there is at least one such call and every one validates.",
    params:
      "`schema` or `schemaFile` (JSON/YAML), `allowFence`, `target` output/toolCall (output), `tool?`. Uses Ajv with formats. The draft is 2020-12 when `$schema` says so, draft-07 otherwise.",
    score: "0/1",
    reference: "JSON Schema draft-07 and 2020-12 (json-schema.org) as Ajv implements them, with ajv-formats for `format`.",
  },
  create(config, { cwd, label }) {
    const validate = compileSchema(config.schema ?? readSchemaFile(config.schemaFile!, cwd, label), label);
    return {
      defaultThreshold: 1,
      score(output, input) {
        if (config.target === "toolCall") {
          const calls = (input.toolCalls ?? []).filter((call) => config.tool === undefined || call.name === config.tool);
          if (calls.length === 0) return binary(false, config.tool === undefined ? "no tool call" : `no call of ${quote(config.tool, 40)}`);
          const bad = calls.findIndex((call) => !validate(call.arguments));
          if (bad === -1) return binary(true);
          return binary(false, `arguments of ${quote(calls[bad]!.name, 40)} do not match the schema: ${schemaErrors(validate)}`);
        }
        const parsed = parseJsonOutput(output, config.allowFence);
        if (!parsed.ok) return binary(false, parsed.error);
        if (validate(parsed.value)) return binary(true);
        return binary(false, `does not match the schema: ${schemaErrors(validate)}`);
      },
    };
  },
});

export function readSchemaFile(file: string, cwd: string, label: string): Record<string, unknown> {
  const path = isAbsolute(file) ? file : resolve(cwd, file);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(`${label}: schema file ${file}: ${code === "ENOENT" ? "not found" : `cannot be read (${code})`}`);
  }
  let value: unknown;
  try {
    value = /\.ya?ml$/i.test(file) ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw new InputError(
      `${label}: schema file ${file}: not valid ${/\.ya?ml$/i.test(file) ? "YAML" : "JSON"} (${(error as Error).message.split("\n")[0]})`,
    );
  }
  if (value === null || typeof value !== "object" || Array.isArray(value))
    throw new InputError(`${label}: schema file ${file}: expected a JSON Schema object`);
  return value as Record<string, unknown>;
}

/** Ajv's regular-expression engine hook (`code.regExp`); Ajv passes the `u` flag. */
const linearRegExp = Object.assign((pattern: string, flags: string) => compileLinearRegex(pattern, flags), {
  code: "linearRegExp",
});

/** Compiles once per scorer; draft 2020-12 when the schema says so, draft-07 otherwise. */
export function compileSchema(schema: Record<string, unknown>, label: string): ValidateFunction {
  const is2020 = typeof schema.$schema === "string" && schema.$schema.includes("2020-12");
  // `pattern` and `patternProperties` run on model output: compiled by the same linear-time engine
  // as the regex scorer, so no output can hang the run through a schema.
  const options = { allErrors: true, strict: false, logger: false as const, code: { regExp: linearRegExp } };
  const ajv = is2020 ? new Ajv2020(options) : new Ajv(options);
  addFormats(ajv);
  try {
    return ajv.compile(schema);
  } catch (error) {
    throw new InputError(`${label}: invalid JSON schema: ${(error as Error).message}`);
  }
}

/** The first three violations of the last validation, for a reason: paths (which quote the output's keys) bounded, control characters dropped. */
export function schemaErrors(validate: ValidateFunction): string {
  const bounded = (text: string, max: number) => {
    const clean = text.replace(/[\u0000-\u001f\u007f]/g, " ");
    return clean.length > max ? `${clean.slice(0, max)}…` : clean;
  };
  return (validate.errors ?? [])
    .slice(0, 3)
    .map((e) => `${bounded(e.instancePath || "(root)", 60)} ${bounded(e.message ?? "is invalid", 120)}`)
    .join("; ");
}
