import { type Command, lazyRun, usageError } from "../command.ts";
import { promotionOptionHelp, promotionOptions } from "./promote.def.ts";

const startCommand: Command = {
  name: "start",
  summary: "Start a canary rollout: the candidate into the canary slot with the first step's traffic",
  usage: "<ENV> <REF> [--config F] [--store S]",
  options: { ...promotionOptions },
  optionHelp: { ...promotionOptionHelp },
  run: lazyRun(() => import("./canary.ts").then((m) => m.runStart)),
};

const advanceCommand: Command = {
  name: "advance",
  summary: "Analyse the live metrics and hold, move to the next step, complete or roll back (run it on a schedule)",
  usage: "<ENV> [--config F] [--store S]",
  options: { ...promotionOptions },
  optionHelp: { ...promotionOptionHelp },
  run: lazyRun(() => import("./canary.ts").then((m) => m.runAdvance)),
};

const analyzeCommand: Command = {
  name: "analyze",
  summary: "Show what advance would decide now, with every metric's numbers; change and record nothing",
  usage: "<ENV> [--config F] [--store S]",
  options: { ...promotionOptions },
  optionHelp: { ...promotionOptionHelp },
  run: lazyRun(() => import("./canary.ts").then((m) => m.runAnalyze)),
};

const abortCommand: Command = {
  name: "abort",
  summary: "Stop a rollout: all traffic back to stable, the canary slot undone, recorded and notified",
  usage: "<ENV> [--reason TEXT] [--config F] [--store S]",
  options: { reason: { type: "string" }, ...promotionOptions },
  optionHelp: { reason: "why, recorded and shown in the alert", ...promotionOptionHelp },
  run: lazyRun(() => import("./canary.ts").then((m) => m.runAbort)),
};

export const canaryCommand: Command = {
  name: "canary",
  summary: "Canary rollouts on live traffic: start, advance (analyse and act), analyze (look only), abort",
  usage: "start|advance|analyze|abort <ENV> ...",
  options: {},
  subcommands: [startCommand, advanceCommand, analyzeCommand, abortCommand],
  run: ({ positionals }) =>
    usageError(
      positionals[0]
        ? `unknown canary command "${positionals[0]}" (expected start, advance, analyze or abort)`
        : "expected start, advance, analyze or abort",
    ),
};
