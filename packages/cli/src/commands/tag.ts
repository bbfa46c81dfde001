import { UsageError } from "@llmops/core";
import { provenanceFromEnv } from "@llmops/store";
import { type Command, openCommandStore, storeOptionHelp, storeOptions } from "../command.ts";
import { printJson, str } from "./version.ts";

export const tagCommand: Command = {
  name: "tag",
  summary: "Point an alias at a version (compare-and-swap with --expect); the move is recorded",
  usage: "<REF> <ALIAS> [--expect DIGEST] [--store S]",
  options: { ...storeOptions, expect: { type: "string" } },
  optionHelp: { ...storeOptionHelp, expect: "move only if the alias points at this digest now" },
  async run(args, context) {
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
  },
};
