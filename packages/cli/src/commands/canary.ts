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
import { type CommandContext, optionalString, type ParsedArgs, printJson, SIGNAL_EXIT, stoppable } from "../command.ts";
import { promotionContext } from "./promote.ts";

// The command (name, usage, options, help) is defined in canary.def.ts, whose run loads this module.
export { canaryCommand } from "./canary.def.ts";

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

/** `llmops canary start`. */
export async function runStart({ values, positionals }: ParsedArgs, context: CommandContext): Promise<number> {
  const [environment, ref, extra] = positionals;
  if (!environment || !ref) throw new UsageError("expected <ENV> <REF>");
  if (extra) throw new UsageError(`unexpected argument ${extra}`);
  return runCanary(context, values, (options) => canaryStart({ ...options, ref }), environment);
}

/** `llmops canary advance`. */
export async function runAdvance({ values, positionals }: ParsedArgs, context: CommandContext): Promise<number> {
  return runCanary(context, values, canaryAdvance, oneEnvironment(positionals));
}

/** `llmops canary analyze`. */
export async function runAnalyze({ values, positionals }: ParsedArgs, context: CommandContext): Promise<number> {
  return runCanary(context, values, canaryAnalyze, oneEnvironment(positionals));
}

/** `llmops canary abort`. */
export async function runAbort({ values, positionals }: ParsedArgs, context: CommandContext): Promise<number> {
  const reason = optionalString(values.reason);
  return runCanary(context, values, (options) => canaryAbort({ ...options, reason }), oneEnvironment(positionals));
}
