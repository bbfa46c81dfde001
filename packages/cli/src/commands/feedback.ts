import { resolve } from "node:path";
import { UsageError } from "@llmops/core";
import { DEFAULT_CASES_FILE, type FeedbackIngestResult, ingestFeedback } from "@llmops/operate";
import { provenanceFromEnv } from "@llmops/store";
import { type Command, openCommandStore, optionalString, SIGNAL_EXIT, stoppable, storeOptionHelp, storeOptions } from "../command.ts";
import { printJson } from "./version.ts";

/** Where `-` reads from; a function so that nothing touches process.stdin until it is asked for. */
export interface FeedbackCommandIo {
  stdin: () => AsyncIterable<Uint8Array>;
}

export function createFeedbackCommand(io: FeedbackCommandIo): Command {
  const ingest: Command = {
    name: "ingest",
    summary: "Turn production feedback (JSONL events) into a new dataset version of eval cases, deduplicated, PII redacted",
    usage: "<FILE|-> --dataset NAME [--file cases.jsonl] [--require-consent] [--no-redact] [--store S]",
    options: {
      ...storeOptions,
      dataset: { type: "string" },
      file: { type: "string" },
      "require-consent": { type: "boolean" },
      "no-redact": { type: "boolean" },
      created: { type: "string" },
    },
    optionHelp: {
      ...storeOptionHelp,
      dataset: "the dataset to add the cases to; its latest version is extended and latest moves to the new one",
      file: `the cases file inside the dataset version (default ${DEFAULT_CASES_FILE}); a suite reads it with casesFrom: { dataset: NAME:latest, file: … }`,
      "require-consent": "ingest only events with consent: true (consent: false is never ingested)",
      "no-redact": "keep personal data (emails, phone numbers, cards, IBANs, IPs, secrets) instead of redacting it",
      created: "ISO timestamp for the version metadata (default SOURCE_DATE_EPOCH or now)",
    },
    async run(args, context) {
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
    },
  };

  return {
    name: "feedback",
    summary: "Production feedback into dataset versions and eval cases (ingest)",
    usage: "ingest <FILE|-> --dataset NAME [options]",
    options: {},
    subcommands: [ingest],
    async run(args) {
      const [word] = args.positionals;
      throw new UsageError(word ? `unknown subcommand "${word}"; expected ingest` : "expected a subcommand: ingest");
    },
  };
}

export const feedbackCommand: Command = createFeedbackCommand({ stdin: () => process.stdin });

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
