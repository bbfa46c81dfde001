import { UsageError } from "@llmops/core";
import { includeMatcher } from "@llmops/store";
import { type CommandContext, list, type ParsedArgs, printJson } from "../command.ts";
import { openCommandStore } from "../command-store.ts";
import { formatAmount, progressFor } from "../progress.ts";

// The command (name, usage, options, help) is defined in fetch.def.ts, whose run loads this module.
export { fetchCommand } from "./fetch.def.ts";

/** `llmops fetch`. */
export async function runFetch(args: ParsedArgs, context: CommandContext): Promise<number> {
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
}
