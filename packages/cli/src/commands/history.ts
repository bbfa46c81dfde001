import { UsageError } from "@llmops/core";
import { type Command, openCommandStore, storeOptionHelp, storeOptions } from "../command.ts";
import { printJson } from "./version.ts";

export const historyCommand: Command = {
  name: "history",
  summary: "Show every move of an alias (from, to, when, who), newest first",
  usage: "<NAME>:<ALIAS> [--store S]",
  options: { ...storeOptions },
  optionHelp: { ...storeOptionHelp },
  async run(args, context) {
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
  },
};
