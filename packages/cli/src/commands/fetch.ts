import { UsageError } from "@llmops/core";
import { includeMatcher } from "@llmops/store";
import { type Command, openCommandStore, storeOptionHelp, storeOptions } from "../command.ts";
import { formatAmount } from "../progress.ts";
import { list, printJson, progressFor } from "./version.ts";

export const fetchCommand: Command = {
  name: "fetch",
  summary: "Download a version into a directory, verifying every byte",
  usage: "<REF> <DIR> [--include GLOB]... [--replace] [--store S]",
  options: { replace: { type: "boolean" }, include: { type: "string", multiple: true }, ...storeOptions },
  optionHelp: {
    include:
      "fetch only the files matching this glob (* and ? within a path segment, ** across segments, [ab] classes; a directory selects what is under it); repeatable. <DIR> then holds exactly those files; a pattern matching no file of <REF> fails (exit 2) before <DIR> is touched",
    replace:
      "make a non-empty <DIR> that llmops fetch did not write hold exactly <REF>, removing files not in it (without it such a <DIR> is refused; an empty or missing <DIR>, or one an earlier fetch wrote, needs no flag)",
    ...storeOptionHelp,
  },
  async run(args, context) {
    const [ref, dir, extra] = args.positionals;
    if (!ref || !dir) throw new UsageError("expected <REF> <DIR>");
    if (extra) throw new UsageError(`unexpected argument ${extra}`);
    const include = list(args.values.include);
    // Bad patterns are refused before the store is opened or anything is read.
    includeMatcher(include);
    const store = await openCommandStore(args.values, context);
    const result = await store.fetch(ref, dir, {
      onProgress: progressFor(`fetch ${ref}`, context),
      replace: args.values.replace === true,
      ...(include.length ? { include } : {}),
    });
    if (context.json) {
      printJson(context, result);
      return 0;
    }
    context.stdout.write(
      `${result.name}${result.version ? `:${result.version}` : ""}  ${result.digest}\n  ${result.files.length} files in ${result.path}, ${formatAmount(result.downloadedBytes, "bytes")} downloaded\n`,
    );
    return 0;
  },
};
