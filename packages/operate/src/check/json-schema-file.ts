import { readFile, stat } from "node:fs/promises";
import { oneLine } from "@llmops/core";
import { type ZodType, z } from "zod";
import { JsonSchemaFileError } from "./errors.ts";

/** A JSON Schema is configuration, not data: anything larger is a mistake. */
const MAX_SCHEMA_BYTES = 1024 * 1024;

/**
 * The rows' JSON Schema as a zod schema (zod's `fromJSONSchema`, drafts 2020-12, 7 and 4), so rows
 * are validated by the same library as everything else. A file that is missing, not JSON, or uses
 * what zod cannot express (`if`/`then`, `not`, remote `$ref` …) is a JsonSchemaFileError naming it.
 */
export async function loadJsonSchema(path: string, shown: string): Promise<ZodType> {
  let bytes: Buffer;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new JsonSchemaFileError(shown, "expected a JSON Schema file; this is not a regular file");
    if (info.size > MAX_SCHEMA_BYTES)
      throw new JsonSchemaFileError(shown, `expected a JSON Schema of at most ${MAX_SCHEMA_BYTES} bytes; it has ${info.size}`);
    bytes = await readFile(path);
  } catch (error) {
    if (error instanceof JsonSchemaFileError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new JsonSchemaFileError(
      shown,
      code === "ENOENT" ? "expected a JSON Schema file; it does not exist" : `cannot be read (${code})`,
      {
        cause: error,
      },
    );
  }
  let document: unknown;
  try {
    document = JSON.parse(bytes.toString("utf8"));
  } catch (error) {
    // V8's message quotes the text: only the position is kept, so no byte of the file is shown.
    const at = /position (\d+)/.exec(oneLine(error));
    throw new JsonSchemaFileError(shown, `expected a JSON Schema (JSON); not valid JSON${at ? ` at character ${Number(at[1]) + 1}` : ""}`, {
      cause: error,
    });
  }
  if (typeof document !== "boolean" && (document === null || typeof document !== "object" || Array.isArray(document))) {
    throw new JsonSchemaFileError(shown, "expected a JSON Schema: an object or a boolean");
  }
  try {
    return z.fromJSONSchema(document as Parameters<typeof z.fromJSONSchema>[0]);
  } catch (error) {
    throw new JsonSchemaFileError(shown, `expected a JSON Schema zod can apply; ${oneLine(error)}`, { cause: error });
  }
}
