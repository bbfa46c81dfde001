import { UsageError } from "@llmops/core";
import { type Command, openCommandStore, storeOptionHelp, storeOptions } from "../command.ts";
import { printJson } from "./version.ts";

export const lsCommand: Command = {
  name: "ls",
  summary: "List artifact names, or the versions of one name with their aliases",
  usage: "[NAME] [--store S]",
  options: { ...storeOptions },
  optionHelp: { ...storeOptionHelp },
  async run(args, context) {
    const [name, extra] = args.positionals;
    if (extra) throw new UsageError(`unexpected argument ${extra}`);
    const store = await openCommandStore(args.values, context);
    if (name === undefined) {
      const names = await store.list();
      if (context.json) printJson(context, { names });
      else if (names.length === 0) context.logger.info("no artifacts in this store yet (llmops version adds one)");
      else context.stdout.write(names.map((n) => `${n}\n`).join(""));
      return 0;
    }
    const versions = await store.list(name);
    if (context.json) {
      printJson(context, { name, versions });
      return 0;
    }
    if (versions.length === 0) context.logger.info(`no versions of ${name} in this store`);
    for (const v of versions) {
      context.stdout.write(
        `${v.version.padEnd(6)} ${v.digest}  ${v.created ?? ""}${v.aliases.length ? `  [${v.aliases.join(", ")}]` : ""}\n`,
      );
    }
    return 0;
  },
};
