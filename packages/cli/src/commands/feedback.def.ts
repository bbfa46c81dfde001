import { type Command, storeOptionHelp, storeOptions, usageError } from "../command.ts";

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
      // The default is @llmops/operate's DEFAULT_CASES_FILE (test/lazy-commands.test.ts holds it to this).
      file: "the cases file inside the dataset version (default cases.jsonl); a suite reads it with casesFrom: { dataset: NAME:latest, file: … }",
      "require-consent": "ingest only events with consent: true (consent: false is never ingested)",
      "no-redact": "keep personal data (emails, phone numbers, cards, IBANs, IPs, secrets) instead of redacting it",
      created: "ISO timestamp for the version metadata (default SOURCE_DATE_EPOCH or now)",
    },
    async run(args, context) {
      const { runIngest } = await import("./feedback.ts");
      return runIngest(args, context, io);
    },
  };

  return {
    name: "feedback",
    summary: "Production feedback into dataset versions and eval cases (ingest)",
    usage: "ingest <FILE|-> --dataset NAME [options]",
    options: {},
    subcommands: [ingest],
    run: (args) => {
      const [word] = args.positionals;
      return usageError(word ? `unknown subcommand "${word}"; expected ingest` : "expected a subcommand: ingest");
    },
  };
}

export const feedbackCommand: Command = createFeedbackCommand({ stdin: () => process.stdin });
