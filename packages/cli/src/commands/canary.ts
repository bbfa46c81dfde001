import { UsageError } from "@llmops/core";
import {
  type CanaryOptions,
  type CanaryResult,
  canaryAbort,
  canaryAdvance,
  canaryAnalyze,
  canaryStart,
  describeCanary,
} from "@llmops/promote";
import { type Command, type CommandContext, optionalString, SIGNAL_EXIT, stoppable } from "../command.ts";
import { promotionContext, promotionOptionHelp, promotionOptions } from "./promote.ts";
import { printJson } from "./version.ts";

/** What a stopped canary command does before it exits: the rollout's state stays as its last record says. */
const STOPPING = "stopping; the rollout stays as its last record says";

function print(result: CanaryResult, stoppedBy: NodeJS.Signals | undefined, context: CommandContext): number {
  if (context.json) printJson(context, result);
  else context.stdout.write(describeCanary(result));
  return stoppedBy && result.interrupted ? (SIGNAL_EXIT[stoppedBy] ?? 130) : result.exitCode;
}

function oneEnvironment(positionals: string[]): string {
  const [environment, extra] = positionals;
  if (!environment) throw new UsageError("expected <ENV>");
  if (extra) throw new UsageError(`unexpected argument ${extra}`);
  return environment;
}

async function runCanary(
  context: CommandContext,
  values: Record<string, unknown>,
  act: (options: CanaryOptions) => Promise<CanaryResult>,
  environment: string,
): Promise<number> {
  const options = await promotionContext(values as never, context);
  const { result, stoppedBy } = await stoppable(context, STOPPING, (signal) => act({ ...options, environment, signal }));
  return print(result, stoppedBy, context);
}

const startCommand: Command = {
  name: "start",
  summary: "Start a canary rollout: the candidate into the canary slot with the first step's traffic",
  usage: "<ENV> <REF> [--config F] [--store S]",
  options: { ...promotionOptions },
  optionHelp: { ...promotionOptionHelp },
  async run({ values, positionals }, context) {
    const [environment, ref, extra] = positionals;
    if (!environment || !ref) throw new UsageError("expected <ENV> <REF>");
    if (extra) throw new UsageError(`unexpected argument ${extra}`);
    return runCanary(context, values, (options) => canaryStart({ ...options, ref }), environment);
  },
};

const advanceCommand: Command = {
  name: "advance",
  summary: "Analyse the live metrics and hold, move to the next step, complete or roll back (run it on a schedule)",
  usage: "<ENV> [--config F] [--store S]",
  options: { ...promotionOptions },
  optionHelp: { ...promotionOptionHelp },
  async run({ values, positionals }, context) {
    return runCanary(context, values, canaryAdvance, oneEnvironment(positionals));
  },
};

const analyzeCommand: Command = {
  name: "analyze",
  summary: "Show what advance would decide now, with every metric's numbers; change and record nothing",
  usage: "<ENV> [--config F] [--store S]",
  options: { ...promotionOptions },
  optionHelp: { ...promotionOptionHelp },
  async run({ values, positionals }, context) {
    return runCanary(context, values, canaryAnalyze, oneEnvironment(positionals));
  },
};

const abortCommand: Command = {
  name: "abort",
  summary: "Stop a rollout: all traffic back to stable, the canary slot undone, recorded and notified",
  usage: "<ENV> [--reason TEXT] [--config F] [--store S]",
  options: { reason: { type: "string" }, ...promotionOptions },
  optionHelp: { reason: "why, recorded and shown in the alert", ...promotionOptionHelp },
  async run({ values, positionals }, context) {
    const reason = optionalString(values.reason);
    return runCanary(context, values, (options) => canaryAbort({ ...options, reason }), oneEnvironment(positionals));
  },
};

export const canaryCommand: Command = {
  name: "canary",
  summary: "Canary rollouts on live traffic: start, advance (analyse and act), analyze (look only), abort",
  usage: "start|advance|analyze|abort <ENV> ...",
  options: {},
  subcommands: [startCommand, advanceCommand, analyzeCommand, abortCommand],
  async run({ positionals }) {
    throw new UsageError(
      positionals[0]
        ? `unknown canary command "${positionals[0]}" (expected start, advance, analyze or abort)`
        : "expected start, advance, analyze or abort",
    );
  },
};
