// The extracted GitHub REST description: routing by path template and validation of path, query
// and JSON body against the operation's schemas, with GitHub's wording for what does not match.
import { readFileSync } from "node:fs";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { GitHubHttpError, notFound } from "./http.ts";

export const FIXTURE_URL = new URL("../../fixtures/github-openapi/operations.json", import.meta.url);

export interface ParameterSpec {
  name: string;
  in: "path" | "query";
  required: boolean;
  schema: unknown;
  "x-multi-segment"?: boolean;
}

export interface OperationSpec {
  id: string;
  method: string;
  path: string;
  documentationUrl: string | null;
  successStatus: number;
  parameters: ParameterSpec[];
  requestBody: { required: boolean; schema: unknown } | null;
  /** Required fields of the success response, a few levels deep (OpenAPI 3.0 flavoured). */
  response: unknown;
}

export interface OperationsFixture {
  package: string;
  version: string;
  file: string;
  openapi: string;
  extractedAt: string;
  operations: Record<string, Omit<OperationSpec, "id">>;
}

type Segment = { literal: string } | { param: string; multi: boolean };

interface Route {
  op: OperationSpec;
  segments: Segment[];
  validatePath: ValidateFunction;
  validateQuery: ValidateFunction;
  validateBody: ValidateFunction | null;
}

export interface MatchedRequest {
  op: OperationSpec;
  params: Record<string, unknown>;
}

type Schema = Record<string, unknown>;

function isSchema(value: unknown): value is Schema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** OpenAPI 3.0 `nullable` and cut recursion markers, turned into plain JSON Schema for ajv. */
export function toJsonSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(toJsonSchema);
  if (!isSchema(schema)) return schema;
  const out: Schema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === "nullable" || key === "x-circular" || key === "x-multi-segment") continue;
    if (key === "properties" && isSchema(value)) {
      out.properties = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, toJsonSchema(sub)]));
    } else if (key === "default" || key === "enum" || key === "required") out[key] = value;
    else out[key] = toJsonSchema(value);
  }
  if (schema.nullable !== true) return out;
  if (typeof out.type === "string") {
    out.type = [out.type, "null"];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    return out;
  }
  return { anyOf: [out, { type: "null" }] };
}

function collectFormats(schema: unknown, into: Set<string>): void {
  if (Array.isArray(schema)) for (const item of schema) collectFormats(item, into);
  else if (isSchema(schema)) {
    if (typeof schema.format === "string") into.add(schema.format);
    for (const value of Object.values(schema)) collectFormats(value, into);
  }
}

function newAjv(formats: Set<string>): Ajv {
  const ajv = new Ajv({ allErrors: true, verbose: true, strict: false, logger: false });
  // GitHub's own validator is lenient on formats; only timestamps are worth checking loosely.
  for (const format of formats) ajv.addFormat(format, format === "date-time" ? (value: string) => !Number.isNaN(Date.parse(value)) : true);
  return ajv;
}

function show(value: unknown): string {
  if (value === null || value === undefined) return "nil";
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function article(types: string[]): string {
  return types.map((t) => (/^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`)).join(" or ");
}

/** Where in the schema an error is, in GitHub's `properties/output/properties/title` form. */
function schemaLocation(error: ErrorObject): string {
  const parts = error.schemaPath.replace(/^#\/?/, "").split("/");
  parts.pop();
  return parts.join("/") || "links/0/schema";
}

function describe(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  const where = `For '${schemaLocation(error)}', `;
  switch (error.keyword) {
    case "required":
      return `"${String(params.missingProperty)}" wasn't supplied.`;
    case "additionalProperties":
      return `"${String(params.additionalProperty)}" is not a permitted key.`;
    case "type": {
      const types = Array.isArray(params.type) ? (params.type as string[]) : String(params.type).split(",");
      return `${where}${show(error.data)} is not ${article(types)}.`;
    }
    case "enum":
      return `${where}${show(error.data)} is not a member of ${JSON.stringify(params.allowedValues)}.`;
    case "anyOf":
    case "oneOf":
      return `${where}no subschema in "${error.keyword}" matched.`;
    case "maxItems":
    case "minItems":
      return `${where}${Array.isArray(error.data) ? error.data.length : "?"} items ${error.keyword === "maxItems" ? "is more than the maximum" : "is fewer than the minimum"} of ${String(params.limit)}.`;
    default:
      return `${where}${show(error.data)} ${error.message ?? "is invalid"}.`;
  }
}

/**
 * GitHub's 422 for a request that does not match the operation's schema: one line per problem after
 * "Invalid request.", and (unlike "Validation Failed") no `errors` array.
 */
export function invalidRequest(errors: ErrorObject[], op: OperationSpec): GitHubHttpError {
  const lines = [...new Set(errors.map(describe))];
  return new GitHubHttpError(422, `Invalid request.\n\n${lines.join("\n")}`, op.documentationUrl);
}

export class GitHubSpec {
  readonly fixture: OperationsFixture;
  readonly operations: Map<string, OperationSpec>;
  private readonly routes: Route[];

  constructor(fixture: OperationsFixture = JSON.parse(readFileSync(FIXTURE_URL, "utf8")) as OperationsFixture) {
    this.fixture = fixture;
    this.operations = new Map(Object.entries(fixture.operations).map(([id, op]) => [id, { id, ...op }]));
    const formats = new Set<string>();
    collectFormats(fixture.operations, formats);
    const ajv = newAjv(formats);
    this.routes = [...this.operations.values()].map((op) => {
      const paramSchema = (where: "path" | "query") => {
        const params = op.parameters.filter((p) => p.in === where);
        return {
          type: "object",
          properties: Object.fromEntries(params.map((p) => [p.name, toJsonSchema(p.schema)])),
          required: params.filter((p) => p.required).map((p) => p.name),
        };
      };
      return {
        op,
        segments: op.path
          .split("/")
          .slice(1)
          .map((part): Segment => {
            const param = /^\{(.+)\}$/.exec(part)?.[1];
            if (param === undefined) return { literal: part };
            const spec = op.parameters.find((p) => p.in === "path" && p.name === param);
            return { param, multi: spec?.["x-multi-segment"] === true };
          }),
        validatePath: ajv.compile(paramSchema("path")),
        validateQuery: ajv.compile(paramSchema("query")),
        validateBody: op.requestBody ? ajv.compile(toJsonSchema(op.requestBody.schema) as Schema) : null,
      };
    });
    // Literal segments win over parameters, as on GitHub (`issues/comments/1` is a comment, not an issue).
    this.routes.sort((a, b) => literalCount(b) - literalCount(a));
  }

  /** The operation a method and path name, with its path parameters coerced to their types; 404 otherwise. */
  match(method: string, pathname: string): MatchedRequest {
    const parts = pathname.split("/").slice(1);
    for (const route of this.routes) {
      if (route.op.method !== method) continue;
      const raw = matchSegments(route.segments, parts);
      if (!raw) continue;
      const params = coerceAll(route.op, "path", raw);
      if (!route.validatePath(params)) continue;
      return { op: route.op, params };
    }
    throw notFound();
  }

  /**
   * Query parameters coerced to their schema types; 422 when one does not match, or when the
   * operation does not declare it. GitHub ignores undeclared parameters, which is exactly why a
   * misspelt one (`per-page`, `stat`) would go unnoticed there: here it is refused.
   */
  validateQuery(op: OperationSpec, query: Record<string, string>): Record<string, unknown> {
    const route = this.route(op);
    const declared = op.parameters.filter((p) => p.in === "query").map((p) => p.name);
    const unknown = Object.keys(query).filter((name) => !declared.includes(name));
    if (unknown.length > 0) {
      const takes = declared.length > 0 ? `${op.id} takes ${declared.join(", ")}` : `${op.id} takes none`;
      const lines = unknown.map((name) => `Unknown query parameter "${name}": ${takes}.`);
      throw new GitHubHttpError(422, `Invalid request.\n\n${lines.join("\n")}`, op.documentationUrl);
    }
    const values = coerceAll(op, "query", query);
    if (!route.validateQuery(values)) throw invalidRequest(route.validateQuery.errors ?? [], op);
    return values;
  }

  validateBody(op: OperationSpec, body: unknown): void {
    const route = this.route(op);
    if (!route.validateBody || !op.requestBody) return;
    if (body === undefined && !op.requestBody.required) return;
    if (!route.validateBody(body ?? null)) throw invalidRequest(route.validateBody.errors ?? [], op);
  }

  private route(op: OperationSpec): Route {
    const route = this.routes.find((r) => r.op === op);
    if (!route) throw new Error(`no route for ${op.id}`);
    return route;
  }
}

function schemaTypes(schema: unknown): string[] {
  if (!isSchema(schema)) return [];
  if (typeof schema.type === "string") return [schema.type];
  const options = [schema.oneOf, schema.anyOf].find(Array.isArray) as unknown[] | undefined;
  return options ? options.flatMap(schemaTypes) : [];
}

// Path and query values arrive as strings; take the first type the schema allows that the text
// spells (so "42" is an integer where one is allowed, and stays a string where only strings are).
function coerce(schema: unknown, text: string): unknown {
  for (const type of schemaTypes(schema)) {
    if ((type === "integer" && /^-?\d+$/.test(text)) || (type === "number" && text.trim() !== "" && Number.isFinite(Number(text))))
      return Number(text);
    if (type === "boolean" && (text === "true" || text === "false")) return text === "true";
    if (type === "string") return text;
  }
  return text;
}

function coerceAll(op: OperationSpec, where: "path" | "query", raw: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, text] of Object.entries(raw)) {
    const spec = op.parameters.find((p) => p.in === where && p.name === name);
    out[name] = spec ? coerce(spec.schema, text) : text;
  }
  return out;
}

function literalCount(route: Route): number {
  return route.segments.filter((s) => "literal" in s).length;
}

function matchSegments(segments: Segment[], parts: string[]): Record<string, string> | null {
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    const part = parts[i];
    if (part === undefined || part === "") return null;
    if ("literal" in segment) {
      if (part !== segment.literal) return null;
      continue;
    }
    const last = i === segments.length - 1;
    const value = segment.multi && last ? parts.slice(i).join("/") : part;
    try {
      params[segment.param] = decodeURIComponent(value);
    } catch {
      return null;
    }
    if (segment.multi && last) return params;
  }
  return parts.length === segments.length ? params : null;
}
