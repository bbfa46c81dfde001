import { resolve } from "node:path";
import { llmopsConfigSchema, writeFileAtomic } from "@llmops/core";
import type { Command } from "../command.ts";

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

export const schemaCommand: Command = {
  name: "schema",
  summary: "Print (or write) the JSON Schema of llmops.yaml for editors",
  usage: "[--out FILE]",
  options: { out: { type: "string", short: "o" } },
  optionHelp: { out: "write the schema to FILE instead of stdout" },
  async run(args, context) {
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
  },
};
