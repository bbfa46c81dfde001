import { type Command, lazyRun, storeOptionHelp, storeOptions } from "../command.ts";

/** Where `llmops compare` writes its report without --out. */
export const DEFAULT_OUT = ".llmops/compare";

export const compareCommand: Command = {
  name: "compare",
  summary: "Compare eval results with a baseline: paired statistics, flipped cases, regression gates",
  usage: "--head DIR [--baseline DIR | --baseline-ref NAME:ALIAS [--store S]] [--config FILE] [--out DIR]",
  options: {
    head: { type: "string" },
    baseline: { type: "string" },
    "baseline-ref": { type: "string" },
    ...storeOptions,
    config: { type: "string" },
    out: { type: "string" },
    title: { type: "string" },
  },
  optionHelp: {
    head: "head results: a suite's results directory (summary.json + results.jsonl) or a parent of several",
    baseline: "baseline results directory (or its summary.json); suites are matched by name",
    "baseline-ref": "take the baseline from eval evidence on a store version, e.g. sentiment-model:production",
    ...storeOptionHelp,
    config: "llmops.yaml with the compare: section (default ./llmops.yaml when present)",
    out: `report directory: report.json, summary.md, <suite>/comparison.json and comment.md (default ${DEFAULT_OUT})`,
    title: "heading of the Markdown",
  },
  run: lazyRun(() => import("./compare.ts").then((m) => m.runCompare)),
};
