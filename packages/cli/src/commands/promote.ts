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
import {
  type Command,
  type CommandContext,
  openCommandStore,
  optionalString,
  type ParsedArgs,
  SIGNAL_EXIT,
  stoppable,
  storeOptionHelp,
  storeOptions,
} from "../command.ts";
import { printJson } from "./version.ts";

const configOption = { config: { type: "string" } } as const;
const configHelp = { config: "path of llmops.yaml (default: llmops.yaml in the working directory)" };

const githubOption = { "no-github": { type: "boolean" } } as const;
const githubHelp = {
  "no-github":
    "record nothing on GitHub even when GITHUB_TOKEN and GITHUB_REPOSITORY are set (default: a deployment with statuses, the run's approvers, the alert issue)",
};

/**
 * GitHub deployments, approvals and alert issues when the environment names a repository and a
 * token (as in Actions, or any CI that exports them); gitops targets read their own `tokenEnv`.
 */
function seams(values: ParsedArgs["values"], context: CommandContext): GitHubSeams {
  const token = values["no-github"] === true ? undefined : optionalString(context.env.GITHUB_TOKEN);
  const defaultBranch = defaultBranchFromEvent(context.env);
  return githubPromotionSeams({ token, env: context.env, logger: context.logger, ...(defaultBranch ? { defaultBranch } : {}) });
}

/** The options every command that acts on an environment takes. */
export const promotionOptions = { ...configOption, ...githubOption, ...storeOptions } as const;
export const promotionOptionHelp = { ...configHelp, ...githubHelp, ...storeOptionHelp };

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

export const promoteCommand: Command = {
  name: "promote",
  summary: "Promote a version to an environment: requirements, deployment, targets, alias move, smoke eval, rollback",
  usage: "<REF> --to <ENV> [--dry-run] [--config F] [--store S]",
  options: { to: { type: "string" }, "dry-run": { type: "boolean" }, ...configOption, ...githubOption, ...storeOptions },
  optionHelp: {
    to: "the environment (a key of `environments:` in llmops.yaml)",
    "dry-run": "check the requirements and show what would happen; change nothing",
    ...configHelp,
    ...githubHelp,
    ...storeOptionHelp,
  },
  async run(args, context) {
    const [ref, extra, more] = args.positionals;
    const environment = optionalString(args.values.to);
    if (extra && !environment && !more) throw new UsageError(`unexpected argument ${extra}; did you mean --to ${extra}?`);
    if (!ref || !environment) throw new UsageError("expected <REF> --to <ENV>");
    if (extra) throw new UsageError(`unexpected argument ${extra}`);
    const options = await promotionContext(args.values, context);
    const dryRun = args.values["dry-run"] === true;
    const { result, stoppedBy } = await stoppable(context, UNDOING, (signal) => promote({ ...options, ref, environment, dryRun, signal }));
    return report(result, stoppedBy, context);
  },
};

export const rollbackCommand: Command = {
  name: "rollback",
  summary: "Put an environment back on the version it served before (or --to a version it served)",
  usage: "<ENV> [--to REF] [--force] [--dry-run] [--config F] [--store S]",
  options: {
    to: { type: "string" },
    force: { type: "boolean" },
    "dry-run": { type: "boolean" },
    ...configOption,
    ...githubOption,
    ...storeOptions,
  },
  optionHelp: {
    to: "the version to go back to (default: the one the environment's alias pointed at before its latest move)",
    force: "allow --to a version that was never in the environment",
    "dry-run": "show what would happen; change nothing",
    ...configHelp,
    ...githubHelp,
    ...storeOptionHelp,
  },
  async run(args, context) {
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
  },
};

export const statusCommand: Command = {
  name: "status",
  summary: "What each environment serves, since when, moved by whom, approved by whom, on which evidence",
  usage: "[ENV] [--config F] [--store S]",
  options: { ...configOption, ...storeOptions },
  optionHelp: { ...configHelp, ...storeOptionHelp },
  async run(args, context) {
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
  },
};
