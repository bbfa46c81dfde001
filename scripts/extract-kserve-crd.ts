// Extracts the OpenAPI schema of KServe's InferenceService (v1beta1) from the CRD that kserve/kserve
// publishes, into test/fixtures/kserve/inferenceservice-v1beta1.schema.json, which the gitops
// target's tests validate generated manifests against (see test/fixtures/kserve/README.md).
//
//   node_modules/.bin/node scripts/extract-kserve-crd.ts <serving.kserve.io_inferenceservices.yaml> [--version v1beta1] [--out <file>]
//
// The schema is written as it is in the CRD (`spec.versions[name=v1beta1].schema.openAPIV3Schema`),
// as compact JSON. Only when that is over 1 MB are `description` fields dropped (validation does
// not read them); the script says so when it does.
import { writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const LIMIT = 1024 * 1024;

// `yaml` is a dependency of the workspace packages, not of the root: load it from @llmops/test.
const { parseAllDocuments } = createRequire(join(root, "test", "package.json"))("yaml") as {
  parseAllDocuments(source: string): { toJS(): unknown; errors: { message: string }[] }[];
};

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export function extractSchema(crdYaml: string, version: string): Json {
  for (const doc of parseAllDocuments(crdYaml)) {
    if (doc.errors.length) throw new Error(`the CRD is not valid YAML: ${doc.errors[0]!.message}`);
    const crd = doc.toJS() as {
      kind?: string;
      spec?: { names?: { kind?: string }; versions?: { name: string; schema?: { openAPIV3Schema?: Json } }[] };
    };
    if (crd?.kind !== "CustomResourceDefinition" || crd.spec?.names?.kind !== "InferenceService") continue;
    const found = crd.spec.versions?.find((v) => v.name === version);
    if (!found?.schema?.openAPIV3Schema) throw new Error(`the CRD has no version ${version} with schema.openAPIV3Schema`);
    return found.schema.openAPIV3Schema;
  }
  throw new Error("no CustomResourceDefinition for kind InferenceService in the file");
}

export function dropDescriptions(schema: Json): Json {
  if (Array.isArray(schema)) return schema.map(dropDescriptions);
  if (schema === null || typeof schema !== "object") return schema;
  const out: { [key: string]: Json } = {};
  for (const [key, value] of Object.entries(schema)) {
    // `description` as a schema keyword (a string); a property named "description" is an object and stays.
    if (key === "description" && typeof value === "string") continue;
    out[key] = dropDescriptions(value);
  }
  return out;
}

async function main(argv: string[]): Promise<void> {
  let input: string | undefined;
  let version = "v1beta1";
  let out = join(root, "test/fixtures/kserve/inferenceservice-v1beta1.schema.json");
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--version" || arg === "--out") {
      const value = argv[++i];
      if (!value) throw new Error(`${arg} needs a value`);
      if (arg === "--version") version = value;
      else out = value;
    } else if (!input) input = arg;
    else throw new Error(`unexpected argument ${arg}`);
  }
  if (!input)
    throw new Error("usage: scripts/extract-kserve-crd.ts <serving.kserve.io_inferenceservices.yaml> [--version v1beta1] [--out file]");
  let schema = extractSchema(await readFile(input, "utf8"), version);
  let text = `${JSON.stringify(schema)}\n`;
  if (text.length > LIMIT) {
    schema = dropDescriptions(schema);
    text = `${JSON.stringify(schema)}\n`;
    console.log(`over ${LIMIT} bytes: description fields dropped`);
  }
  writeFileSync(out, text);
  console.log(`wrote ${out} (${text.length} bytes, InferenceService ${version})`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error((error as Error).message);
    process.exit(2);
  });
}
