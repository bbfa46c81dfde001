import { UsageError } from "@llmops/core";
import { defaultBranchFromEvent, githubPromotionSeams } from "@llmops/github/promotion";
import {
  describePromotion,
  type GitHubSeams,
  type PromotionContextOptions,
  type PromotionResult,
  promote,
  renderStatus,
  rollback,
  status,
} from "@llmops/promote";
import { type CommandContext, optionalString, type ParsedArgs, printJson, SIGNAL_EXIT, stoppable } from "../command.ts";
import { openCommandStore } from "../command-store.ts";

// The commands (names, usage, options, help) are defined in promote.def.ts, whose runs load this module.
export { promoteCommand, rollbackCommand, statusCommand } from "./promote.def.ts";

/**
 * GitHub deployments, approvals and alert issues when the environment names a repository and a
 * token (as in Actions, or any CI that exports them); gitops targets read their own `tokenEnv`.
 */
function seams(values: ParsedArgs["values"], context: CommandContext): GitHubSeams {
  const token = values["no-github"] === true ? undefined : optionalString(context.env.GITHUB_TOKEN);
  const defaultBranch = defaultBranchFromEvent(context.env);
  return githubPromotionSeams({ token, env: context.env, logger: context.logger, ...(defaultBranch ? { defaultBranch } : {}) });
}

/** What promote, rollback and the canary commands act with: the store, the config, GitHub. */
export async function promotionContext(values: ParsedArgs["values"], context: CommandContext): Promise<PromotionContextOptions> {
  const config = optionalString(values.config);
  return {
    store: await openCommandStore(values, context, config),
    cwd: context.cwd,
    config,
    env: context.env,
    logger: context.logger,
    github: seams(values, context),
  };
}

function report(result: PromotionResult, stoppedBy: NodeJS.Signals | undefined, context: CommandContext): number {
  if (context.json) printJson(context, result);
  else context.stdout.write(describePromotion(result));
  return stoppedBy && result.interrupted ? (SIGNAL_EXIT[stoppedBy] ?? 130) : result.exitCode;
}

/** What a stopped promotion does before it exits: undo, record, tell (the promote package's rule). */
const UNDOING = "undoing what this promotion applied and recording it";

/** `llmops promote`. */
export async function runPromote(args: ParsedArgs, context: CommandContext): Promise<number> {
  const [ref, extra, more] = args.positionals;
  const environment = optionalString(args.values.to);
  if (extra && !environment && !more) throw new UsageError(`unexpected argument ${extra}; did you mean --to ${extra}?`);
  if (!ref || !environment) throw new UsageError("expected <REF> --to <ENV>");
  if (extra) throw new UsageError(`unexpected argument ${extra}`);
  const options = await promotionContext(args.values, context);
  const dryRun = args.values["dry-run"] === true;
  const { result, stoppedBy } = await stoppable(context, UNDOING, (signal) => promote({ ...options, ref, environment, dryRun, signal }));
  return report(result, stoppedBy, context);
}

/** `llmops rollback`. */
export async function runRollback(args: ParsedArgs, context: CommandContext): Promise<number> {
  const [environment, extra] = args.positionals;
  if (!environment) throw new UsageError("expected <ENV>");
  if (extra) throw new UsageError(`unexpected argument ${extra}`);
  const options = await promotionContext(args.values, context);
  const { result, stoppedBy } = await stoppable(context, UNDOING, (signal) =>
    rollback({
      ...options,
      environment,
      to: optionalString(args.values.to),
      force: args.values.force === true,
      dryRun: args.values["dry-run"] === true,
      signal,
    }),
  );
  return report(result, stoppedBy, context);
}

/** `llmops status`. */
export async function runStatus(args: ParsedArgs, context: CommandContext): Promise<number> {
  const [environment, extra] = args.positionals;
  if (extra) throw new UsageError(`unexpected argument ${extra}`);
  const config = optionalString(args.values.config);
  const result = await status({
    store: await openCommandStore(args.values, context, config),
    cwd: context.cwd,
    config,
    logger: context.logger,
    environment,
  });
  if (context.json) printJson(context, result);
  else context.stdout.write(renderStatus(result));
  return 0;
}
