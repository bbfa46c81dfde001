import { resolve } from "node:path";
import { llmopsConfigSchema, writeFileAtomic } from "@llmops/core";
import type { CommandContext, ParsedArgs } from "../command.ts";

// The command (name, usage, options, help) is defined in schema.def.ts, whose run loads this module.
export { schemaCommand } from "./schema.def.ts";

export const SCHEMA_ID = "https://llmops.dev/schema/llmops.schema.json";

/**
 * The JSON Schema of `llmops.yaml`, generated from the zod schema (the single source of truth).
 * Input mode: what a user may write, so fields with defaults are optional.
 */
export function configJsonSchema(): string {
  const schema = llmopsConfigSchema.toJSONSchema({ io: "input", target: "draft-2020-12", unrepresentable: "any" });
  const document = {
    ...schema,
    $id: SCHEMA_ID,
    title: "llmops.yaml",
    description: "Configuration of llmops: store, artifacts, eval suites, compare, environments.",
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** `llmops schema`. */
export async function runSchema(args: ParsedArgs, context: CommandContext): Promise<number> {
  const text = configJsonSchema();
  const out = args.values.out;
  if (typeof out !== "string") {
    context.stdout.write(text);
    return 0;
  }
  const path = resolve(context.cwd, out);
  await writeFileAtomic(path, text);
  if (context.json) context.stdout.write(`${JSON.stringify({ path })}\n`);
  else context.logger.info(`wrote ${path}`);
  return 0;
}
