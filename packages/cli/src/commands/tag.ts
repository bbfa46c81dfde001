import { UsageError } from "@llmops/core";
import { provenanceFromEnv } from "@llmops/store";
import { type CommandContext, type ParsedArgs, printJson, str } from "../command.ts";
import { openCommandStore } from "../command-store.ts";

// The command (name, usage, options, help) is defined in tag.def.ts, whose run loads this module.
export { tagCommand } from "./tag.def.ts";

/** `llmops tag`. */
export async function runTag(args: ParsedArgs, context: CommandContext): Promise<number> {
  const [ref, alias, extra] = args.positionals;
  if (!ref || !alias) throw new UsageError("expected <REF> <ALIAS>");
  if (extra) throw new UsageError(`unexpected argument ${extra}`);
  const store = await openCommandStore(args.values, context);
  const { actor, runUrl } = provenanceFromEnv(context.env);
  const result = await store.tag(ref, alias, { expect: str(args.values.expect), actor, runUrl });
  if (context.json) {
    printJson(context, result);
    return 0;
  }
  context.stdout.write(`${result.name}:${result.alias} -> ${result.digest}${result.previous ? ` (was ${result.previous})` : ""}\n`);
  return 0;
}
