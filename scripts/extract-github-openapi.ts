// Extracts the GitHub REST operations this project calls from npm `@octokit/openapi` into the small
// committed fixture test/fixtures/github-openapi/operations.json that the REST test server validates
// requests against. The package is ~385 MB unpacked (every GitHub variant), so it is never a
// dependency: this script packs it into a temp dir, reads generated/api.github.com.json and keeps
// only what request validation needs.
//
//   node_modules/.bin/node scripts/extract-github-openapi.ts [--version 23.0.2] [--from <api.github.com.json>] [extra/operation-id ...]
//
// Without --version the registry's latest is used. --from skips the download (a local copy of the
// description, e.g. from an earlier `npm pack`). Extra operation ids are added to the built-in list
// and kept on later runs because the previous fixture's ids are always re-extracted.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const fixturePath = join(root, "test/fixtures/github-openapi/operations.json");
const PACKAGE = "@octokit/openapi";
const DESCRIPTION_FILE = "generated/api.github.com.json";

export const OPERATION_IDS = [
  "actions/download-artifact",
  "actions/get-artifact",
  "actions/get-reviews-for-run",
  "actions/get-workflow-run",
  "actions/list-artifacts-for-repo",
  "actions/list-workflow-run-artifacts",
  "actions/list-workflow-runs",
  "actions/list-workflow-runs-for-repo",
  "checks/create",
  "checks/get",
  "checks/list-annotations",
  "checks/list-for-ref",
  "checks/update",
  "git/create-ref",
  "git/get-ref",
  "issues/create",
  "issues/create-comment",
  "issues/delete-comment",
  "issues/get",
  "issues/get-comment",
  "issues/list-comments",
  "issues/list-for-repo",
  "issues/update",
  "issues/update-comment",
  "pulls/create",
  "pulls/get",
  "pulls/list",
  "rate-limit/get",
  "repos/create-commit-status",
  "repos/create-deployment",
  "repos/create-deployment-status",
  "repos/create-or-update-file-contents",
  "repos/get",
  "repos/get-combined-status-for-ref",
  "repos/get-content",
  "repos/get-environment",
  "repos/list-commit-statuses-for-ref",
  "repos/list-deployment-statuses",
  "repos/list-deployments",
  "users/get-authenticated",
];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

// Documentation-only keywords: dropping them keeps the fixture small and changes no validation.
const DROPPED_KEYS = new Set(["description", "example", "examples", "title", "externalDocs", "summary", "x-github", "x-octokit"]);

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

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

// Inlines every $ref. A reference met again inside its own expansion is cut to `{}` (accept
// anything) with an x-circular marker, so recursive schemas terminate and never reject valid input.
function resolve(doc: JsonObject, node: Json, stack: string[] = []): Json {
  if (Array.isArray(node)) return node.map((item) => resolve(doc, item, stack));
  if (!isObject(node)) return node;
  const ref = node.$ref;
  if (typeof ref === "string") {
    if (stack.includes(ref)) return { "x-circular": ref };
    return resolve(doc, lookup(doc, ref), [...stack, ref]);
  }
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    // Property names (which may well be "description") never reach this test: see resolveProperties.
    if (DROPPED_KEYS.has(key)) continue;
    out[key] = key === "properties" && isObject(value) ? resolveProperties(doc, value, stack) : resolve(doc, value, stack);
  }
  return out;
}

function resolveProperties(doc: JsonObject, properties: JsonObject, stack: string[]): JsonObject {
  const out: JsonObject = {};
  for (const [name, schema] of Object.entries(properties)) out[name] = resolve(doc, schema, stack);
  return out;
}

// Only the parts of a success response schema that say which fields must be present, two levels
// deep: enough for tests to check the server's responses are shaped like GitHub's without carrying
// every nested schema.
function responseSkeleton(schema: Json, depth: number): Json {
  if (!isObject(schema)) return {};
  const out: JsonObject = {};
  if (schema.nullable === true) out.nullable = true;
  if (typeof schema.type === "string") out.type = schema.type;
  if (depth <= 0) return out;
  for (const combinator of ["allOf", "anyOf", "oneOf"] as const) {
    const options = schema[combinator];
    if (Array.isArray(options)) out[combinator] = options.map((option) => responseSkeleton(option, depth));
  }
  if (schema.type === "array" && schema.items !== undefined) out.items = responseSkeleton(schema.items, depth - 1);
  const required = schema.required;
  if (Array.isArray(required) && isObject(schema.properties)) {
    out.required = required;
    const properties: JsonObject = {};
    for (const name of required) {
      if (typeof name === "string" && schema.properties[name] !== undefined)
        properties[name] = responseSkeleton(schema.properties[name], depth - 1);
    }
    out.properties = properties;
  }
  return out;
}

interface ExtractedOperation {
  method: string;
  path: string;
  documentationUrl: string | null;
  successStatus: number;
  parameters: JsonObject[];
  requestBody: { required: boolean; schema: Json } | null;
  response: Json;
}

export function extractOperations(doc: JsonObject, ids: readonly string[]): Record<string, ExtractedOperation> {
  const found = new Map<string, ExtractedOperation>();
  const paths = doc.paths;
  if (!isObject(paths)) throw new Error("the description has no `paths` object");
  for (const [path, item] of Object.entries(paths)) {
    if (!isObject(item)) continue;
    for (const [method, op] of Object.entries(item)) {
      if (!isObject(op) || typeof op.operationId !== "string" || !ids.includes(op.operationId)) continue;
      const parameters = [
        ...(Array.isArray(item.parameters) ? item.parameters : []),
        ...(Array.isArray(op.parameters) ? op.parameters : []),
      ]
        .map((p) => resolve(doc, p))
        .filter(isObject)
        .filter((p) => p.in === "path" || p.in === "query")
        .map((p) => {
          const kept: JsonObject = { name: p.name ?? null, in: p.in ?? null, required: p.required === true, schema: p.schema ?? {} };
          if (p["x-multi-segment"] === true) kept["x-multi-segment"] = true;
          return kept;
        });
      let requestBody: ExtractedOperation["requestBody"] = null;
      const body = op.requestBody === undefined ? undefined : resolve(doc, op.requestBody);
      if (isObject(body)) {
        const content = isObject(body.content) ? body.content["application/json"] : undefined;
        if (!isObject(content)) throw new Error(`${op.operationId}: request body has no application/json schema`);
        requestBody = { required: body.required === true, schema: content.schema ?? {} };
      }
      const responses = isObject(op.responses) ? op.responses : {};
      const successCode = Object.keys(responses)
        .map(Number)
        .filter((code) => code >= 200 && code < 400)
        .sort((a, b) => a - b)[0];
      if (successCode === undefined) throw new Error(`${op.operationId}: no success response`);
      const success = resolve(doc, responses[String(successCode)] ?? null);
      const responseSchema = isObject(success) && isObject(success.content) ? success.content["application/json"] : undefined;
      found.set(op.operationId, {
        method: method.toUpperCase(),
        path,
        documentationUrl: isObject(op.externalDocs) && typeof op.externalDocs.url === "string" ? op.externalDocs.url : null,
        successStatus: successCode,
        parameters,
        requestBody,
        response: isObject(responseSchema) ? responseSkeleton(responseSchema.schema ?? null, 2) : null,
      });
    }
  }
  const missing = ids.filter((id) => !found.has(id));
  if (missing.length) throw new Error(`operations not in the description: ${missing.join(", ")}`);
  return Object.fromEntries([...found.entries()].sort(([a], [b]) => a.localeCompare(b)));
}

function parseArgs(argv: string[]): { version?: string; from?: string; extra: string[] } {
  const out: { version?: string; from?: string; extra: string[] } = { extra: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--version" || arg === "--from") {
      const value = argv[++i];
      if (!value) throw new Error(`${arg} needs a value`);
      if (arg === "--version") out.version = value;
      else out.from = value;
    } else if (/^[a-z-]+\/[a-z0-9-]+$/.test(arg)) out.extra.push(arg);
    else throw new Error(`unknown argument ${arg}: expected --version <v>, --from <file> or an operation id like checks/create`);
  }
  return out;
}

function previousIds(): string[] {
  if (!existsSync(fixturePath)) return [];
  const previous = JSON.parse(readFileSync(fixturePath, "utf8")) as { operations?: Record<string, unknown> };
  return Object.keys(previous.operations ?? {});
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const ids = [...new Set([...OPERATION_IDS, ...previousIds(), ...args.extra])];
  const scratch = mkdtempSync(join(tmpdir(), "octokit-openapi-"));
  try {
    let version = args.version;
    let descriptionPath = args.from;
    if (!descriptionPath) {
      version ??= execFileSync("npm", ["view", PACKAGE, "version"], { encoding: "utf8" }).trim();
      process.stderr.write(`packing ${PACKAGE}@${version}\n`);
      const tarball = execFileSync("npm", ["pack", `${PACKAGE}@${version}`, "--silent", "--pack-destination", scratch], {
        encoding: "utf8",
      }).trim();
      execFileSync("tar", ["xzf", join(scratch, tarball), "-C", scratch, `package/${DESCRIPTION_FILE}`, "package/package.json"]);
      descriptionPath = join(scratch, "package", DESCRIPTION_FILE);
      version = (JSON.parse(readFileSync(join(scratch, "package/package.json"), "utf8")) as { version: string }).version;
    }
    const doc = JSON.parse(readFileSync(descriptionPath, "utf8")) as JsonObject;
    const info = isObject(doc.info) ? doc.info : {};
    version ??= typeof info.version === "string" ? info.version : "unknown";
    const fixture = {
      package: PACKAGE,
      version,
      file: DESCRIPTION_FILE,
      openapi: doc.openapi ?? null,
      extractedAt: new Date().toISOString(),
      operations: extractOperations(doc, ids),
    };
    const tmp = `${fixturePath}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(fixture, null, 1)}\n`);
    renameSync(tmp, fixturePath);
    process.stderr.write(`wrote ${Object.keys(fixture.operations).length} operations from ${PACKAGE}@${version} to ${fixturePath}\n`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    process.stderr.write(`extract-github-openapi: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
