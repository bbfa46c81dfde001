import { type Command, lazyRun, storeOptionHelp, storeOptions } from "../command.ts";

export const evalMergeCommand: Command = {
  name: "merge",
  summary: "Merge the outputs of `llmops eval --shard i/n` into the outputs of one whole run",
  usage: "<DIR>... --out DIR [--config FILE]",
  options: {
    out: { type: "string", short: "o" },
    config: { type: "string", short: "c" },
    ...storeOptions,
  },
  optionHelp: {
    out: "directory for the merged results.jsonl, summary.json, junit.xml, summary.md",
    config: "llmops.yaml the shards ran (default ./llmops.yaml): gates and scorers come from it",
    ...storeOptionHelp,
  },
  run: lazyRun(() => import("./eval.ts").then((m) => m.runEvalMerge)),
};

export const evalCommand: Command = {
  name: "eval",
  summary: "Run eval suites: call providers, score, aggregate with intervals, gate",
  usage: "[--config FILE] [--suite NAME]... [--model REF] [--store S] [--out DIR] [--no-cache] [--shard i/n] [--record] [--check]",
  options: {
    config: { type: "string", short: "c" },
    suite: { type: "string", short: "s", multiple: true },
    model: { type: "string", short: "m" },
    ...storeOptions,
    out: { type: "string", short: "o" },
    "no-cache": { type: "boolean" },
    shard: { type: "string" },
    record: { type: "boolean" },
    check: { type: "boolean" },
  },
  optionHelp: {
    config: "config file (default ./llmops.yaml)",
    suite: "run only this suite (repeatable; default all)",
    model: "model version evaluated (name:alias, name:v3, name@sha256:…), pinned in the summary",
    ...storeOptionHelp,
    out: "root of the output directories (default .llmops/results); each suite writes <out>/<suite>/",
    "no-cache": "do not read or write the response cache (.llmops/cache/responses)",
    shard: "run only shard i of n (cases split by a hash of their id); merge with `llmops eval merge`",
    record: "attach the results as evidence to --model in the store",
    check:
      "first run the checks: llmops.yaml's artifacts: declare for each dataset version a suite reads (casesFrom: { dataset }); a failed check runs no suite (exit 1)",
  },
  subcommands: [evalMergeCommand],
  run: lazyRun(() => import("./eval.ts").then((m) => m.runEval)),
};
