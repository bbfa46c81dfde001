import { type Command, lazyRun, storeOptionHelp, storeOptions, usageError } from "../command.ts";

/** Where `llmops report html` writes without --out. */
export const DEFAULT_OUT = ".llmops/report.html";

export const reportHtmlCommand: Command = {
  name: "html",
  summary: "Write one self-contained HTML report: metrics with intervals, every case side by side, alias history",
  usage:
    "--results DIR [--baseline DIR | --baseline-ref NAME:ALIAS] [--history NAME:ALIAS] [--config FILE] [--store S] [--out FILE] [--title T] [--max-text-bytes N]",
  options: {
    results: { type: "string", short: "r" },
    baseline: { type: "string" },
    "baseline-ref": { type: "string" },
    history: { type: "string" },
    config: { type: "string", short: "c" },
    ...storeOptions,
    out: { type: "string", short: "o" },
    title: { type: "string" },
    "max-text-bytes": { type: "string" },
  },
  optionHelp: {
    results: "eval results: a suite's results directory (summary.json + results.jsonl) or a parent of several",
    baseline: "baseline results directory (or its summary.json), compared as `llmops compare --baseline` does",
    "baseline-ref": "take the baseline from eval evidence on a store version, e.g. sentiment-model:production",
    history:
      "show this alias's versions over time from the store (default: the alias of --baseline-ref or compare.baseline); exits 2 when the store has no moves of it",
    config: "llmops.yaml with the compare: section (default ./llmops.yaml when present)",
    ...storeOptionHelp,
    out: `the HTML file to write (default ${DEFAULT_OUT})`,
    title: "the page's heading",
    // 100 MB is @llmops/report's DEFAULT_MAX_TEXT_BYTES (test/lazy-commands.test.ts holds it to this).
    "max-text-bytes":
      "budget of the page's case text in bytes (default 100 MB): rows over it keep only the start of each text, and the page and --json say how many",
  },
  run: lazyRun(() => import("./report.ts").then((m) => m.runReportHtml)),
};

/** `llmops report <kind>`; `html` is the one kind so far. */
export const reportCommand: Command = {
  name: "report",
  summary: "Render eval results and their comparison as a report file (`llmops report html`)",
  usage: "html [options]",
  options: {},
  subcommands: [reportHtmlCommand],
  run: ({ positionals }) =>
    usageError(positionals[0] ? `unknown report kind "${positionals[0]}" (expected html)` : "expected a report kind: html"),
};
