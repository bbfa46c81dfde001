// Derives JSON Schemas for the Anthropic Messages API (`POST /v1/messages`: its request body, the
// `Message` response, every streaming event and the error body) from the TypeScript declarations
// published with Anthropic's SDK on npm (`@anthropic-ai/sdk`), into the committed fixture
// test/fixtures/anthropic/messages.json that the local Anthropic test server
// (test/src/anthropic-server.ts) validates requests and responses against.
//
// Anthropic's own OpenAPI description is referenced from the SDK repository's `.stats.yml`
// (`openapi_spec_url`, on storage.googleapis.com) but is not reachable from here, so the SDK's
// generated declarations (which Stainless generates from that description) are the published,
// machine-readable source. The script walks them with the TypeScript compiler (a devDependency):
//
//   node_modules/.bin/node scripts/extract-anthropic-spec.ts [--version 1.15.0] [--from <unpacked package dir>]
//
// Without --from it runs `npm pack @anthropic-ai/sdk@<version>` (registry latest without
// --version) into a temp dir. Mapping (documented in test/fixtures/anthropic/README.md):
// interfaces and type aliases become named definitions; `prop?: T` is optional, `prop: T | null`
// admits null; string/number/boolean literals become `const`/`enum`; `Array<T>` is an array;
// `Record<string, T>` / index signatures become `additionalProperties`; `string & {}` (Stainless'
// open enum) is a string; objects without an index signature are closed
// (`additionalProperties: false`), as TypeScript's excess-property check treats object literals
// and as the API answers an unknown field ("Extra inputs are not permitted"). Properties whose
// doc comment starts with "Header param:" are not body fields and are left out.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const fixturePath = join(root, "test/fixtures/anthropic/messages.json");
const PACKAGE = "@anthropic-ai/sdk";

/** The declaration files read, and the named types the fixture starts from. */
export const FILES = ["resources/messages/messages.d.ts", "resources/shared.d.ts"];
export const ROOTS = [
  "MessageCreateParamsNonStreaming",
  "MessageCreateParamsStreaming",
  "Message",
  "RawMessageStreamEvent",
  "ErrorResponse",
];

type Schema = { [key: string]: unknown };

export function deriveSchemas(packageDir: string): Record<string, Schema> {
  const files = FILES.map((file) => join(packageDir, file));
  const program = ts.createProgram(files, {
    noEmit: true,
    skipLibCheck: true,
    strict: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
  });
  const checker = program.getTypeChecker();
  const exported = new Map<string, ts.Symbol>();
  for (const file of files) {
    const source = program.getSourceFile(file);
    if (!source) throw new Error(`cannot read ${file}`);
    const moduleSymbol = checker.getSymbolAtLocation(source);
    if (!moduleSymbol) throw new Error(`${file} is not a module`);
    for (const symbol of checker.getExportsOfModule(moduleSymbol)) if (!exported.has(symbol.name)) exported.set(symbol.name, symbol);
  }

  const definitions = new Map<string, Schema | null>();
  const nameOf = new Map<ts.Symbol, string>();

  const isHeaderParam = (symbol: ts.Symbol) =>
    ts.displayPartsToString(symbol.getDocumentationComment(checker)).trimStart().startsWith("Header param:");

  function named(symbol: ts.Symbol, type: ts.Type, alias: boolean): Schema {
    let name = nameOf.get(symbol);
    if (!name) {
      name = symbol.name;
      for (let i = 2; [...nameOf.values()].includes(name); i++) name = `${symbol.name}${i}`;
      nameOf.set(symbol, name);
    }
    if (!definitions.has(name)) {
      definitions.set(name, null); // recursion stops at the $ref
      definitions.set(name, alias ? convert(type, true) : objectSchema(type));
    }
    return { $ref: `#/definitions/${name}` };
  }

  function objectSchema(type: ts.Type): Schema {
    if (checker.isArrayType(type) || checker.isTupleType(type)) {
      const [item] = checker.getTypeArguments(type as ts.TypeReference);
      return { type: "array", items: item ? convert(item) : {} };
    }
    if (type.getCallSignatures().length > 0) throw new Error(`function type ${checker.typeToString(type)} in a data type`);
    const properties: Schema = {};
    const required: string[] = [];
    for (const property of checker.getPropertiesOfType(type)) {
      if (isHeaderParam(property)) continue;
      const declaration = property.valueDeclaration ?? property.declarations?.[0];
      if (!declaration) throw new Error(`property ${property.name} has no declaration`);
      const propertyType = checker.getTypeOfSymbolAtLocation(property, declaration);
      properties[property.name] = convert(propertyType);
      if (!(property.flags & ts.SymbolFlags.Optional)) required.push(property.name);
    }
    const out: Schema = { type: "object", properties };
    if (required.length) out.required = required;
    const index = checker.getIndexInfosOfType(type).find((info) => info.keyType.flags & ts.TypeFlags.String);
    out.additionalProperties = index ? convert(index.type) : false;
    return out;
  }

  function convert(type: ts.Type, skipAlias = false): Schema {
    const alias = type.aliasSymbol;
    if (!skipAlias && alias && exported.has(alias.name) && !type.aliasTypeArguments?.length) return named(alias, type, true);
    const flags = type.flags;
    if (flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return {};
    if (flags & ts.TypeFlags.String) return { type: "string" };
    if (flags & ts.TypeFlags.Number) return { type: "number" };
    if (flags & ts.TypeFlags.Boolean) return { type: "boolean" };
    if (flags & ts.TypeFlags.Null) return { type: "null" };
    if (type.isStringLiteral() || type.isNumberLiteral()) return { const: type.value };
    if (flags & ts.TypeFlags.BooleanLiteral) return { const: checker.typeToString(type) === "true" };
    if (type.isUnion()) {
      let members = type.types.filter((t) => !(t.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Void)));
      const hasTrue = members.some((t) => t.flags & ts.TypeFlags.BooleanLiteral && checker.typeToString(t) === "true");
      const hasFalse = members.some((t) => t.flags & ts.TypeFlags.BooleanLiteral && checker.typeToString(t) === "false");
      const parts: Schema[] = [];
      if (hasTrue && hasFalse) {
        members = members.filter((t) => !(t.flags & ts.TypeFlags.BooleanLiteral));
        parts.push({ type: "boolean" });
      }
      const converted = [...parts, ...members.map((t) => convert(t))];
      // An open enum (`'a' | 'b' | (string & {})`) is any string.
      if (
        converted.some((s) => s.type === "string" && Object.keys(s).length === 1) &&
        converted.every((s) => s.type === "string" || typeof s.const === "string")
      )
        return { type: "string" };
      if (converted.length > 1 && converted.every((s) => "const" in s && Object.keys(s).length === 1))
        return { enum: converted.map((s) => s.const) };
      return converted.length === 1 ? converted[0]! : { anyOf: converted };
    }
    if (type.isIntersection()) {
      // `string & {}`: Stainless' marker for "any other string".
      if (type.types.some((t) => t.flags & ts.TypeFlags.String)) return { type: "string" };
      return objectSchema(type);
    }
    if (flags & ts.TypeFlags.Object) {
      const symbol = type.getSymbol();
      const objectFlags = (type as ts.ObjectType).objectFlags;
      const isInterface = symbol && objectFlags & (ts.ObjectFlags.Interface | ts.ObjectFlags.Class) && exported.has(symbol.name);
      if (isInterface && !checker.isArrayType(type)) return named(symbol, type, false);
      return objectSchema(type);
    }
    throw new Error(`unsupported type ${checker.typeToString(type)}`);
  }

  const roots: Record<string, Schema> = {};
  for (const name of ROOTS) {
    const symbol = exported.get(name);
    if (!symbol) throw new Error(`${name} is not exported by ${FILES.join(" or ")}`);
    const type = checker.getDeclaredTypeOfSymbol(symbol);
    roots[name] = symbol.flags & ts.SymbolFlags.TypeAlias ? named(symbol, type, true) : named(symbol, type, false);
  }
  return Object.fromEntries([...definitions.entries()].sort(([a], [b]) => a.localeCompare(b))) as Record<string, Schema>;
}

function parseArgs(argv: string[]): { version?: string; from?: string } {
  const out: { version?: string; from?: string } = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = argv[++i];
    if ((arg !== "--version" && arg !== "--from") || !value)
      throw new Error(`unexpected argument ${arg}: expected --version <v> or --from <dir>`);
    if (arg === "--version") out.version = value;
    else out.from = value;
  }
  return out;
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const scratch = mkdtempSync(join(tmpdir(), "anthropic-sdk-"));
  try {
    let dir = args.from;
    if (!dir) {
      const version = args.version ?? execFileSync("npm", ["view", PACKAGE, "version"], { encoding: "utf8" }).trim();
      process.stderr.write(`packing ${PACKAGE}@${version}\n`);
      const tarball = execFileSync("npm", ["pack", `${PACKAGE}@${version}`, "--silent", "--pack-destination", scratch], {
        encoding: "utf8",
      }).trim();
      execFileSync("tar", ["xzf", join(scratch, tarball), "-C", scratch]);
      dir = join(scratch, "package");
    }
    const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name: string; version: string };
    if (manifest.name !== PACKAGE) throw new Error(`${dir} holds ${manifest.name}, not ${PACKAGE}`);
    const definitions = deriveSchemas(dir);
    const fixture = {
      source: {
        package: PACKAGE,
        version: manifest.version,
        files: FILES,
        roots: ROOTS,
        note: "JSON Schemas derived from the package's published TypeScript declarations by scripts/extract-anthropic-spec.ts",
      },
      extractedAt: new Date().toISOString(),
      definitions,
    };
    const tmp = `${fixturePath}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(fixture, null, 1)}\n`);
    renameSync(tmp, fixturePath);
    process.stderr.write(`wrote ${Object.keys(definitions).length} definitions from ${PACKAGE}@${manifest.version} to ${fixturePath}\n`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    main();
  } catch (error) {
    process.stderr.write(`extract-anthropic-spec: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  }
}
