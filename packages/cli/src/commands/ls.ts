import { UsageError } from "@llmops/core";
import { includeFilter, includeMatcher, type ListedFile } from "@llmops/store";
import { type CommandContext, list, type ParsedArgs, printJson } from "../command.ts";
import { openCommandStore } from "../command-store.ts";

// The command (name, usage, options, help) is defined in ls.def.ts, whose run loads this module.
export { lsCommand } from "./ls.def.ts";

/** `llmops ls`. */
export async function runLs(args: ParsedArgs, context: CommandContext): Promise<number> {
  const [name, extra] = args.positionals;
  if (extra) throw new UsageError(`unexpected argument ${extra}`);
  const include = list(args.values.include);
  if (args.values.files === true) {
    if (name === undefined) throw new UsageError("--files needs a <REF>");
    includeMatcher(include);
    const store = await openCommandStore(args.values, context);
    // The store selects; this filter only learns which patterns selected nothing.
    const seen = includeFilter(include);
    const code = await listFiles(context, store.files(name, include.length ? { include } : {}), seen?.match);
    for (const pattern of seen?.unmatched() ?? []) context.logger.warn(`--include ${JSON.stringify(pattern)} matches no file of ${name}`);
    return code;
  }
  if (include.length) throw new UsageError("--include applies only with --files");
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
}

/**
 * Lines as the index streams them, so a million-file listing never sits in memory; --json writes
 * one document (`{"files":[...]}`) the same way, entry by entry.
 */
async function listFiles(
  context: { json: boolean; stdout: NodeJS.WritableStream },
  files: AsyncIterable<ListedFile>,
  onPath?: (path: string) => void,
): Promise<number> {
  let out = "";
  let first = true;
  const flush = async (force = false) => {
    if (!force && out.length < 1 << 16) return;
    const chunk = out;
    out = "";
    if (!context.stdout.write(chunk)) await new Promise<void>((resolve) => context.stdout.once("drain", () => resolve()));
  };
  if (context.json) out += '{"files":[';
  for await (const f of files) {
    onPath?.(f.path);
    if (context.json) {
      out += `${first ? "" : ","}\n  ${JSON.stringify(f)}`;
      first = false;
    } else out += `${f.path}\t${f.size}\t${f.digest}\n`;
    await flush();
  }
  if (context.json) out += `${first ? "" : "\n"}]}\n`;
  await flush(true);
  return 0;
}
