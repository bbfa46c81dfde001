import { type Command, lazyRun, usageError } from "../command.ts";

const analyzeCommand: Command = {
  name: "analyze",
  summary: "Analyse a two-variant event log (JSONL): anytime-valid and fixed-horizon intervals, and a decision",
  usage:
    "<FILE|-> [--control NAME] [--treatment NAME] [--no-worse-than D] [--max X] [--min X] [--direction higher|lower] [--kind proportion|mean] [--alpha A]",
  options: {
    "variant-field": { type: "string" },
    "outcome-field": { type: "string" },
    control: { type: "string" },
    treatment: { type: "string" },
    direction: { type: "string" },
    kind: { type: "string" },
    "no-worse-than": { type: "string" },
    max: { type: "string" },
    min: { type: "string" },
    alpha: { type: "string" },
    "optimize-at": { type: "string" },
    strict: { type: "boolean" },
  },
  // The defaults are @llmops/eval's DEFAULT_VARIANT_FIELD, DEFAULT_OUTCOME_FIELD and DEFAULT_AB_ALPHA
  // (test/lazy-commands.test.ts holds them to these): help does not load eval.
  optionHelp: {
    "variant-field": "field naming the variant (default variant); a.b reaches into objects",
    "outcome-field": "field with the outcome: true/false or 0/1 (a rate) or any number (a mean) (default outcome)",
    control: "the control variant (default: the first variant in the log)",
    treatment: "the treatment variant (default: the other one; required with more than two variants)",
    direction: "higher|lower: which way is better (default lower with only --max, else higher)",
    kind: "proportion|mean: how to read the outcome (default: the values decide); proportion refuses a number other than 0 and 1, mean reads true/false as 1/0 and keeps a numeric outcome that holds only 0s and 1s a mean",
    "no-worse-than": "margin D >= 0: fail when treatment - control is surely worse than D (default 0 when no criterion is given)",
    max: "fail when the treatment's value is surely above X",
    min: "fail when the treatment's value is surely below X",
    alpha: "false-alarm rate, 0 < A < 1 (default 0.05)",
    "optimize-at": "events (both variants) at which the anytime-valid intervals are tightest (default 10000)",
    strict: "stop at the first bad line (default: count bad lines, report them and go on)",
  },
  run: lazyRun(() => import("./ab.ts").then((m) => m.runAnalyze)),
};

export const abCommand: Command = {
  name: "ab",
  summary: "A/B analysis of live experiments (`llmops ab analyze`)",
  usage: "analyze <FILE|-> [options]",
  options: {},
  subcommands: [analyzeCommand],
  run: ({ positionals }) =>
    usageError(positionals[0] ? `unknown ab command "${positionals[0]}" (expected analyze)` : "expected an ab command: analyze"),
};
