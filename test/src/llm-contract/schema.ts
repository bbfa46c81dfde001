// Shared pieces of the LLM API contract checks: ajv set-up, readable error lines, and a small
// generator of example values for a JSON Schema (default tool arguments and structured output).
import { Ajv, type ErrorObject } from "ajv";
import { Ajv2020 } from "ajv/dist/2020.js";

export type Schema = Record<string, unknown>;

export function isSchema(value: unknown): value is Schema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A contract check's outcome: `errors` is empty when the value is allowed. */
export interface Check {
  ok: boolean;
  errors: string[];
}

export const OK: Check = { ok: true, errors: [] };

export function failed(...errors: string[]): Check {
  return { ok: false, errors };
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 100 ? `${text.slice(0, 97)}...` : text;
}

/** `messages[1].tool_call_id`-style location of an ajv error under `root`. */
export function location(root: string, instancePath: string): string {
  let out = root;
  for (const raw of instancePath.split("/").slice(1)) {
    const part = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    out += /^\d+$/.test(part) ? `[${part}]` : out ? `.${part}` : part;
  }
  return out || "(body)";
}

/**
 * One line per problem, most specific first. Alternatives (`anyOf`/`oneOf`) yield an error per
 * branch; the deepest ones name the field that is wrong, so the shallow summaries are dropped
 * when deeper errors exist, and the list is capped.
 */
export function describeErrors(root: string, errors: readonly ErrorObject[] | null | undefined, limit = 8): string[] {
  if (!errors || errors.length === 0) return [];
  const lines = errors.map((error) => {
    const where = location(root, error.instancePath);
    const params = error.params as Record<string, unknown>;
    switch (error.keyword) {
      case "required":
        return `${location(root, `${error.instancePath}/${String(params.missingProperty)}`)}: required property is missing`;
      case "additionalProperties":
        return `${location(root, `${error.instancePath}/${String(params.additionalProperty)}`)}: unknown property (not in the schema)`;
      case "enum":
        return `${where}: ${show(error.data)} is not one of ${show(params.allowedValues)}`;
      case "const":
        return `${where}: ${show(error.data)} is not ${show(params.allowedValue)}`;
      default:
        return `${where}: ${error.message ?? "is invalid"}${error.keyword === "type" ? ` (got ${show(error.data)})` : ""}`;
    }
  });
  const depth = (error: ErrorObject) => error.instancePath.split("/").length;
  const deepest = Math.max(...errors.map(depth));
  const ordered = errors
    .map((error, i) => ({ error, line: lines[i]! }))
    .sort((a, b) => depth(b.error) - depth(a.error))
    .filter(({ error }) => depth(error) === deepest || !["anyOf", "oneOf", "if", "not"].includes(error.keyword))
    .map(({ line }) => line);
  return cap(ordered, limit);
}

/** At most `limit` lines, the rest counted. */
export function cap(lines: string[], limit = 8): string[] {
  const unique = [...new Set(lines)];
  return unique.length > limit ? [...unique.slice(0, limit), `... and ${unique.length - limit} more`] : unique;
}

/**
 * A value valid for simple schemas (objects, arrays, strings, numbers, enums, const, anyOf):
 * required properties only, the first enum value, the minimum. Good enough for tool arguments and
 * structured-output replies in tests; the servers check the result against the schema anyway.
 */
export function exampleFor(schema: unknown, depth = 0): unknown {
  if (!isSchema(schema) || depth > 12) return null;
  if ("const" in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  if ("default" in schema) return schema.default;
  for (const key of ["anyOf", "oneOf"] as const) {
    const options = schema[key];
    if (Array.isArray(options) && options.length > 0) {
      const nonNull = options.find((o) => !(isSchema(o) && o.type === "null"));
      return exampleFor(nonNull ?? options[0], depth + 1);
    }
  }
  if (Array.isArray(schema.allOf)) {
    const merged: Record<string, unknown> = {};
    for (const part of schema.allOf) {
      const value = exampleFor(part, depth + 1);
      if (isSchema(value)) Object.assign(merged, value);
    }
    return merged;
  }
  const type = Array.isArray(schema.type) ? (schema.type.find((t) => t !== "null") ?? schema.type[0]) : schema.type;
  switch (type) {
    case "object":
    case undefined: {
      if (type === undefined && !isSchema(schema.properties)) return {};
      const properties = isSchema(schema.properties) ? schema.properties : {};
      const required = Array.isArray(schema.required) ? (schema.required as string[]) : [];
      return Object.fromEntries(required.map((name) => [name, exampleFor(properties[name] ?? {}, depth + 1)]));
    }
    case "array": {
      const min = typeof schema.minItems === "number" ? schema.minItems : 0;
      return Array.from({ length: min }, () => exampleFor(schema.items ?? {}, depth + 1));
    }
    case "string": {
      const min = typeof schema.minLength === "number" ? schema.minLength : 1;
      return "x".repeat(Math.max(1, min));
    }
    case "integer":
    case "number":
      return typeof schema.minimum === "number"
        ? schema.minimum
        : typeof schema.exclusiveMinimum === "number"
          ? schema.exclusiveMinimum + 1
          : 0;
    case "boolean":
      return false;
    case "null":
      return null;
    default:
      return null;
  }
}

/**
 * Checks that schemas found in requests (tool parameters, response formats) are JSON Schemas a
 * validator can compile. Results are cached by the schema's JSON text and the compiled schema is
 * dropped from ajv's own cache (keyed by object: every request brings a new one), so checking the
 * same tools on every request of a long run costs a map lookup and holds no memory per request.
 * `$schema` is ignored: clients send draft-07 and 2020-12 alike.
 */
export class UserSchemas {
  private readonly ajv: Ajv | Ajv2020;
  private readonly problems = new Map<string, string | undefined>();

  constructor(dialect: "draft-07" | "2020-12") {
    const options = { strict: false, allErrors: true, logger: false, validateFormats: false } as const;
    this.ajv = dialect === "2020-12" ? new Ajv2020(options) : new Ajv(options);
  }

  /** Why `schema` cannot be compiled, or undefined when it can. */
  problem(schema: unknown): string | undefined {
    if (!isSchema(schema)) return `expected an object, got ${JSON.stringify(schema)}`;
    const key = JSON.stringify(schema);
    if (this.problems.has(key)) return this.problems.get(key);
    const { $schema: _dialect, $id: _id, ...rest } = schema;
    let problem: string | undefined;
    try {
      this.ajv.compile(rest);
    } catch (error) {
      problem = error instanceof Error ? error.message : String(error);
    } finally {
      this.ajv.removeSchema(rest);
    }
    if (this.problems.size > 10_000) this.problems.clear();
    this.problems.set(key, problem);
    return problem;
  }
}
