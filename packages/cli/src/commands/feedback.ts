import { resolve } from "node:path";
import { UsageError } from "@llmops/core";
import { DEFAULT_CASES_FILE, type FeedbackIngestResult, ingestFeedback } from "@llmops/operate";
import { provenanceFromEnv } from "@llmops/store";
import { type CommandContext, optionalString, type ParsedArgs, printJson, SIGNAL_EXIT, stoppable } from "../command.ts";
import { openCommandStore } from "../command-store.ts";
import type { FeedbackCommandIo } from "./feedback.def.ts";

// The command (name, usage, options, help) is defined in feedback.def.ts, whose run loads this module.
export { createFeedbackCommand, type FeedbackCommandIo, feedbackCommand } from "./feedback.def.ts";

/** `llmops feedback ingest`; `-` reads `io.stdin()`. */
export async function runIngest(args: ParsedArgs, context: CommandContext, io: FeedbackCommandIo): Promise<number> {
  const [path, extra] = args.positionals;
  if (!path) throw new UsageError("expected <FILE> (a JSONL file of feedback events) or - for stdin");
  if (extra) throw new UsageError(`unexpected argument ${extra}`);
  const dataset = optionalString(args.values.dataset);
  if (!dataset) throw new UsageError("missing --dataset (the dataset to add the cases to)");
  const created = optionalString(args.values.created);
  if (created && Number.isNaN(Date.parse(created))) throw new UsageError(`--created ${created}: expected an ISO timestamp`);
  const store = await openCommandStore(args.values, context);
  const { result, stoppedBy } = await stoppable(context, "no version is written", (signal) =>
    ingestFeedback({
      store,
      dataset,
      // Relative to the command's working directory (not the process's), named as given.
      events: path === "-" ? io.stdin() : resolve(context.cwd, path),
      eventsName: path === "-" ? "stdin" : path,
      file: optionalString(args.values.file) ?? DEFAULT_CASES_FILE,
      requireConsent: Boolean(args.values["require-consent"]),
      redact: !args.values["no-redact"],
      ...(created ? { created } : {}),
      ...provenanceFromEnv(context.env),
      logger: context.logger,
      signal,
    }).catch((error: unknown) => {
      // Stopped by a signal: the exit status says so (130/143), not the abort's error.
      if (signal.aborted) return undefined;
      throw error;
    }),
  );
  // A signal that came once the version was stored stopped nothing: the result stands.
  if (!result) return SIGNAL_EXIT[stoppedBy ?? "SIGINT"] ?? 130;
  if (context.json) printJson(context, result);
  else context.stdout.write(describeIngest(result));
  return 0;
}

/** The human summary: the version, the counts, the first bad lines, the lineage. */
export function describeIngest(result: FeedbackIngestResult): string {
  const { counts } = result;
  const lines = [
    result.version ? `${result.version.ref}  ${result.version.digest}` : `${result.dataset}: unchanged (no new cases)`,
    `  ${counts.read} events: ${counts.added} new cases, ${counts.duplicates.total} duplicates (${counts.duplicates.requestId} by request id, ${counts.duplicates.content} by content), ${counts.bad.total} bad`,
  ];
  if (result.version)
    lines.push(`  ${counts.carried} cases carried from ${result.previous?.ref ?? "(first version)"}; cases file ${result.file}`);
  if (counts.bad.total > 0) {
    lines.push(
      `  bad: ${Object.entries(counts.bad.byReason)
        .map(([reason, n]) => `${n} ${reason}`)
        .join(", ")}`,
    );
    for (const bad of result.badLines) lines.push(`    line ${bad.line}: ${bad.reason}: ${bad.message}`);
    if (result.badLines.length < counts.bad.total) lines.push(`    … ${counts.bad.total - result.badLines.length} more not listed`);
  }
  if (result.unknownModels.total > 0)
    lines.push(`  unknown models: ${result.unknownModels.total} (${result.unknownModels.first.join(", ")})`);
  lines.push(
    result.redacted
      ? `  redacted: ${counts.redactions.total}${
          counts.redactions.total
            ? ` (${Object.entries(counts.redactions.byKind)
                .map(([kind, n]) => `${n} ${kind}`)
                .join(", ")})`
            : ""
        }`
      : "  not redacted (--no-redact)",
  );
  for (const parent of result.parents) lines.push(`  parent ${parent.ref} ${parent.digest}`);
  return `${lines.join("\n")}\n`;
}
