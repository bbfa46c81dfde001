/** `actions/promote`: read the inputs, promote (or roll back) through @llmops/promote with GitHub's seams, write outputs and the job summary. */
import * as core from "@actions/core";
import { UsageError } from "@llmops/core";
import { actionInput, readActionInputs } from "@llmops/github/action-inputs";
import { type ActionContext, chooseActionStore, failStep, openActionStore, storeInputs } from "@llmops/github/action-kit";
import { writeJobSummary } from "@llmops/github/job-summary";
import { defaultBranchFromEvent, githubPromotionSeams } from "@llmops/github/promotion";
import {
  type CanaryResult,
  canaryAbort,
  canaryAnalyze,
  canaryStartOrAdvance,
  describeCanary,
  describePromotion,
  type PromotionResult,
  promote,
  rollback,
} from "@llmops/promote";
import { codeBlock } from "@llmops/report";
import { z } from "zod";

export const promoteInputsSchema = z.object({
  model: actionInput.string(),
  environment: actionInput.required("an environment of llmops.yaml"),
  mode: z.enum(["promote", "rollback"], "expected promote or rollback"),
  strategy: z.enum(["direct", "canary"], "expected direct or canary"),
  dryRun: actionInput.boolean(),
  force: actionInput.boolean(),
  config: actionInput.required("the path of llmops.yaml"),
  githubToken: actionInput.string(),
  ...storeInputs,
});

export type PromoteInputs = z.output<typeof promoteInputsSchema>;

export function readPromoteInputs(getInput?: (name: string) => string): PromoteInputs {
  return readActionInputs(promoteInputsSchema, getInput);
}

export async function promoteAction(inputs: PromoteInputs, context: ActionContext): Promise<PromotionResult | CanaryResult> {
  if (inputs.githubToken) core.setSecret(inputs.githubToken);
  const store = openActionStore(await chooseActionStore(inputs, context, inputs.config), context);
  const defaultBranch = defaultBranchFromEvent(context.env);
  // A workflow_dispatch run can be started from any branch, and it runs that branch's llmops.yaml
  // (its requirements and targets): the environment's deployment branch policy is what stops that.
  if (defaultBranch && context.env.GITHUB_REF && context.env.GITHUB_REF !== `refs/heads/${defaultBranch}`) {
    context.logger.warn(
      `promoting from ${context.env.GITHUB_REF}, not the default branch ${defaultBranch}: its llmops.yaml decides the requirements and targets; restrict the environment's deployment branches to ${defaultBranch}`,
    );
  }
  // gitops targets read their token from the variable `tokenEnv` names (default GITHUB_TOKEN),
  // which the runner does not export: the step's github-token stands in for it.
  const seamEnv = inputs.githubToken && !context.env.GITHUB_TOKEN ? { ...context.env, GITHUB_TOKEN: inputs.githubToken } : context.env;
  const shared = {
    store,
    cwd: context.workspace,
    config: inputs.config,
    env: context.env,
    logger: context.logger,
    runUrl: context.runUrl,
    github: githubPromotionSeams({
      token: inputs.githubToken || undefined,
      env: seamEnv,
      logger: context.logger,
      ...(defaultBranch ? { defaultBranch } : {}),
    }),
  };
  if (inputs.mode === "promote" && !inputs.model && inputs.strategy === "direct")
    throw new UsageError("input model: expected the version to promote (name@sha256:..., name:vN or name:alias)");
  // A cancelled run gets SIGINT, then SIGTERM: stop, undo what was applied and record it, rather
  // than leave targets half-applied and the deployment in_progress.
  const controller = new AbortController();
  const stop = (signal: NodeJS.Signals) => {
    context.logger.warn(`${signal}: stopping; undoing what this promotion applied and recording it`);
    controller.abort(new Error(`interrupted by ${signal}`));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  try {
    const signal = controller.signal;
    if (inputs.strategy === "canary") {
      if (inputs.force) throw new UsageError("input force: only for mode rollback with strategy direct; a canary abort needs no force");
      // A dry run looks without acting: what the next analysis would decide.
      if (inputs.dryRun) return await canaryAnalyze({ ...shared, environment: inputs.environment, signal });
      // One step a run: advance the rollout in progress, else start one of `model`; rollback aborts it.
      if (inputs.mode === "rollback") return await canaryAbort({ ...shared, environment: inputs.environment, signal });
      return await canaryStartOrAdvance({ ...shared, environment: inputs.environment, ref: inputs.model || undefined, signal });
    }
    if (inputs.mode === "rollback") {
      const to = inputs.model || undefined;
      return await rollback({ ...shared, environment: inputs.environment, to, force: inputs.force, dryRun: inputs.dryRun, signal });
    }
    return await promote({ ...shared, ref: inputs.model, environment: inputs.environment, dryRun: inputs.dryRun, signal });
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
  }
}

export async function writePromoteOutputs(result: PromotionResult | CanaryResult): Promise<void> {
  if ("candidate" in result) return writeCanaryOutputs(result);
  core.setOutput("outcome", result.outcome);
  core.setOutput("digest", result.digest);
  core.setOutput("version", result.version ?? "");
  core.setOutput("previous", result.from ?? "");
  core.setOutput("serving", result.serving ?? "");
  core.setOutput("promotion-id", result.id);
  core.setOutput("deployment-id", result.deployment ? String(result.deployment.id) : "");
  core.setOutput("result", JSON.stringify(result));
  await writeJobSummary(`## llmops ${result.command}: ${result.environment}\n\n${codeBlock(describePromotion(result))}\n`);
  if (result.exitCode !== 0) failStep(result.message);
}

async function writeCanaryOutputs(result: CanaryResult): Promise<void> {
  core.setOutput("outcome", result.outcome);
  core.setOutput("digest", result.candidate.digest);
  core.setOutput("version", result.candidate.version ?? "");
  core.setOutput("previous", result.stable?.digest ?? "");
  core.setOutput("serving", result.outcome === "completed" ? result.candidate.digest : (result.stable?.digest ?? ""));
  core.setOutput("promotion-id", result.id);
  core.setOutput("deployment-id", result.deployment ? String(result.deployment.id) : "");
  core.setOutput("canary-percent", String(result.percent));
  core.setOutput("decision", result.decision ?? "");
  core.setOutput("result", JSON.stringify(result));
  await writeJobSummary(`## llmops canary ${result.command}: ${result.environment}\n\n${codeBlock(describeCanary(result))}\n`);
  if (result.exitCode !== 0) failStep(result.message);
}
