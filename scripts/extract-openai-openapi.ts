// Extracts the chat completions and embeddings operations (and every schema they reference, and the
// error schema) from OpenAI's published OpenAPI description (github.com/openai/openai-openapi) into
// the small committed fixture test/fixtures/openai-openapi/chat-embeddings.json that the local
// OpenAI-compatible test server (test/src/openai-server.ts) validates requests and responses against.
//
//   node_modules/.bin/node scripts/extract-openai-openapi.ts --from <openapi.json|openapi.yaml> \
//     --commit <sha> [--date <ISO date of the commit>] [--repository openai/openai-openapi] [--path openapi.json]
//
// The description is ~3 MB; it is read from disk (e.g. `git show <sha>:openapi.json` of a clone of
// openai/openai-openapi), so this script needs no network. Schemas keep their names (`$ref`s point
// at `#/schemas/<Name>`), documentation keywords and `x-` extensions are dropped; nothing that
// changes validation is.
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const fixturePath = join(root, "test/fixtures/openai-openapi/chat-embeddings.json");

/** The operations the test server serves, by path (all POST). */
export const OPERATIONS = ["/chat/completions", "/embeddings"] as const;
/** Schemas kept even when no extracted operation references them: the error body of every 4xx/5xx. */
export const EXTRA_SCHEMAS = ["ErrorResponse"];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

// Documentation-only keywords (and OpenAPI's `discriminator`, a hint that oneOf already implies).
const DROPPED_KEYS = new Set(["description", "example", "examples", "title", "deprecated", "externalDocs", "summary", "discriminator"]);
// Keywords whose values are data, not schemas.
const DATA_KEYS = new Set(["enum", "const", "default", "required"]);

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const SCHEMA_PREFIX = "#/components/schemas/";

function lookup(doc: JsonObject, ref: string): Json {
  if (!ref.startsWith("#/")) throw new Error(`unsupported $ref ${ref}: expected a local reference`);
  let node: Json = doc;
  for (const raw of ref.slice(2).split("/")) {
    const key = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    if (!isObject(node) || !(key in node)) throw new Error(`dangling $ref ${ref}`);
    node = node[key]!;
  }
  return node;
}

class Extractor {
  readonly schemas = new Map<string, Json>();
  private readonly doc: JsonObject;
  constructor(doc: JsonObject) {
    this.doc = doc;
  }

  /** A schema with documentation dropped; component schema refs kept (and their targets collected). */
  schema(node: Json): Json {
    if (Array.isArray(node)) return node.map((item) => this.schema(item));
    if (!isObject(node)) return node;
    const out: JsonObject = {};
    for (const [key, value] of Object.entries(node)) {
      if (DROPPED_KEYS.has(key) || key.startsWith("x-")) continue;
      if (key === "$ref" && typeof value === "string") {
        if (!value.startsWith(SCHEMA_PREFIX)) return this.schema(lookup(this.doc, value));
        const name = value.slice(SCHEMA_PREFIX.length);
        this.collect(name);
        out.$ref = `#/schemas/${name}`;
      } else if ((key === "properties" || key === "patternProperties") && isObject(value)) {
        // Property names (which may well be "description") are not keywords.
        out[key] = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, this.schema(sub)]));
      } else if (DATA_KEYS.has(key)) out[key] = value;
      else out[key] = this.schema(value);
    }
    return out;
  }

  collect(name: string): void {
    if (this.schemas.has(name)) return;
    const schemas = isObject(this.doc.components) ? this.doc.components.schemas : undefined;
    if (!isObject(schemas) || schemas[name] === undefined) throw new Error(`schema ${name} is not in the description`);
    this.schemas.set(name, null); // placeholder: recursion stops here
    this.schemas.set(name, this.schema(schemas[name]));
  }

  /** A request body, response or header: `$ref`s to components/responses etc. resolved, schemas kept by name. */
  resolve(node: Json): Json {
    while (isObject(node) && typeof node.$ref === "string" && !node.$ref.startsWith(SCHEMA_PREFIX)) node = lookup(this.doc, node.$ref);
    return node;
  }

  content(node: Json): JsonObject {
    const content = isObject(node) && isObject(node.content) ? node.content : {};
    return Object.fromEntries(
      Object.entries(content).map(([type, media]) => [type, this.schema(isObject(media) ? (media.schema ?? {}) : {})]),
    );
  }

  operation(path: string): JsonObject {
    const paths = this.doc.paths;
    const item = isObject(paths) ? paths[path] : undefined;
    const op = isObject(item) ? item.post : undefined;
    if (!isObject(op)) throw new Error(`POST ${path} is not in the description`);
    const body = this.resolve(op.requestBody ?? null);
    const responses: JsonObject = {};
    for (const [status, raw] of Object.entries(isObject(op.responses) ? op.responses : {})) {
      const response = this.resolve(raw);
      const headers: JsonObject = {};
      if (isObject(response) && isObject(response.headers)) {
        for (const [name, header] of Object.entries(response.headers)) {
          const resolved = this.resolve(header);
          headers[name.toLowerCase()] = this.schema(isObject(resolved) ? (resolved.schema ?? {}) : {});
        }
      }
      responses[status] = { content: this.content(response), ...(Object.keys(headers).length ? { headers } : {}) };
    }
    return {
      method: "POST",
      path,
      operationId: typeof op.operationId === "string" ? op.operationId : null,
      requestBody: { required: isObject(body) && body.required === true, content: this.content(body) },
      responses,
    };
  }
}

export function extract(doc: JsonObject): { operations: JsonObject; schemas: JsonObject } {
  const extractor = new Extractor(doc);
  const operations: JsonObject = {};
  for (const path of OPERATIONS) {
    const op = extractor.operation(path);
    operations[typeof op.operationId === "string" ? op.operationId : path] = op;
  }
  for (const name of EXTRA_SCHEMAS) extractor.collect(name);
  const schemas = Object.fromEntries([...extractor.schemas.entries()].sort(([a], [b]) => a.localeCompare(b)));
  return { operations, schemas };
}

function parseArgs(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const match = /^--(from|commit|date|repository|path)$/.exec(arg);
    const value = argv[++i];
    if (!match || value === undefined)
      throw new Error(`unexpected argument ${arg}: expected --from, --commit, --date, --repository or --path with a value`);
    out[match[1]!] = value;
  }
  if (!out.from) throw new Error("--from <openapi.json|openapi.yaml> is required");
  if (!out.commit || !/^[0-9a-f]{40}$/.test(out.commit)) throw new Error("--commit <40-hex sha of openai/openai-openapi> is required");
  return out;
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const text = readFileSync(args.from!, "utf8");
  const doc = (args.from!.endsWith(".json") ? JSON.parse(text) : parseYaml(text, { maxAliasCount: -1 })) as JsonObject;
  const info = isObject(doc.info) ? doc.info : {};
  const { operations, schemas } = extract(doc);
  const fixture = {
    source: {
      repository: args.repository ?? "openai/openai-openapi",
      path: args.path ?? args.from!.split("/").pop()!,
      commit: args.commit,
      commitDate: args.date ?? null,
      url: `https://github.com/${args.repository ?? "openai/openai-openapi"}/blob/${args.commit}/${args.path ?? args.from!.split("/").pop()!}`,
    },
    openapi: doc.openapi ?? null,
    apiVersion: info.version ?? null,
    extractedAt: new Date().toISOString(),
    operations,
    schemas,
  };
  const tmp = `${fixturePath}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(fixture, null, 1)}\n`);
  renameSync(tmp, fixturePath);
  process.stderr.write(
    `wrote ${Object.keys(operations).length} operations and ${Object.keys(schemas).length} schemas from ${fixture.source.repository}@${args.commit!.slice(0, 12)} to ${fixturePath}\n`,
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    main();
  } catch (error) {
    process.stderr.write(`extract-openai-openapi: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
