import { UsageError } from "@llmops/core";
import { type CommandContext, type ParsedArgs, printJson } from "../command.ts";
import { openCommandStore } from "../command-store.ts";

// The command (name, usage, options, help) is defined in history.def.ts, whose run loads this module.
export { historyCommand } from "./history.def.ts";

/** `llmops history`. */
export async function runHistory(args: ParsedArgs, context: CommandContext): Promise<number> {
  const [ref, extra] = args.positionals;
  if (!ref) throw new UsageError("expected <NAME>:<ALIAS>");
  if (extra) throw new UsageError(`unexpected argument ${extra}`);
  const colon = ref.lastIndexOf(":");
  if (colon <= 0 || ref.includes("@")) throw new UsageError(`${ref}: expected <NAME>:<ALIAS>`);
  const name = ref.slice(0, colon);
  const alias = ref.slice(colon + 1);
  const store = await openCommandStore(args.values, context);
  const moves = await store.history(name, alias);
  if (context.json) {
    printJson(context, { name, alias, moves });
    return 0;
  }
  for (const m of moves) {
    context.stdout.write(
      `${m.when}  ${m.from ?? "(none)"} -> ${m.to}${m.actor ? `  by ${m.actor}` : ""}${m.runUrl ? `  ${m.runUrl}` : ""}\n`,
    );
  }
  return 0;
}
