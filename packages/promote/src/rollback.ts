import { ExitCode, InputError } from "@llmops/core";
import { rolloutInTheWay } from "./canary/state.ts";
import { currentAlias, shortDigest } from "./environment.ts";
import { RolloutInProgressError } from "./errors.ts";
import { sendWebhook, webhookPayload } from "./notify.ts";
import type { PromotionResult } from "./result.ts";
import { servedBefore } from "./served-before.ts";
import {
  approversOf,
  type DeployPlan,
  deploymentField,
  deployVersion,
  draftResult,
  label,
  openSession,
  type PromotionContextOptions,
  propose,
  record,
  resolveNotice,
  setDeploymentStatus,
  targetVersion,
  undoTarget,
} from "./session.ts";

export interface RollbackOptions extends PromotionContextOptions {
  environment: string;
  /** The version to go back to; default the one the alias pointed at before its latest move. */
  to?: string | undefined;
  /** Allow `to` to be a version that was never in the environment. */
  force?: boolean | undefined;
  dryRun?: boolean | undefined;
}

/**
 * `llmops rollback <environment> [--to REF]`: a promotion of an older version without requirement
 * checks and without a smoke eval (there is nothing sensible to roll back to if it failed):
 * deployment, targets' apply for that version (rolled back to the serving one if one fails),
 * compare-and-swap alias move, a `rolled-back` record on the version now serving. On success the
 * environment's alert issue is closed and the webhook told; on failure the issue is raised. A
 * gitops pull request ends it `proposed` (alias unmoved) like a promotion; an abort of `signal`
 * undoes what was applied (`interrupted`). Exit 0 when it rolled back; otherwise as for promote.
 */
export async function rollback(options: RollbackOptions): Promise<PromotionResult> {
  const session = await openSession(options, options.environment, options.to);
  const { store, environment, logger } = session;
  const { artifact: name, alias } = environment;
  const current = await currentAlias(store, name, alias);
  const inTheWay = await rolloutInTheWay(store, { name, alias, environment: environment.name }, logger, "rolling back");
  if (inTheWay) throw new RolloutInProgressError(inTheWay);
  if (!current) throw new InputError(`${name}:${alias} does not exist; nothing to roll back in ${environment.name}`);
  const history = await store.history(name, alias);
  let targetRef: string;
  if (options.to) {
    const wanted = await store.resolve(options.to);
    if (!options.force && !history.some((m) => m.to === wanted.digest)) {
      throw new InputError(
        `ref ${options.to}: was never in ${environment.name} (${name}:${alias} history); pass --force to deploy it anyway`,
      );
    }
    targetRef = `${name}@${wanted.digest}`;
  } else {
    const before = await servedBefore(store, { name, alias, environment: environment.name, current, history }, logger);
    if (!before)
      throw new InputError(`${name}:${alias} has no earlier version in its history that was not rolled back; name one with --to`);
    targetRef = `${name}@${before}`;
  }
  const version = await store.resolve(targetRef);
  if (version.digest === current) throw new InputError(`${environment.name} already serves ${label(version)}`);
  const servingVersion = targetVersion(await store.resolve(`${name}@${current}`));
  const result = draftResult(session, "rollback", version, current);
  const what = `${environment.name} from ${label(servingVersion)} to ${label(version)}`;

  if (options.dryRun) {
    result.dryRun = true;
    result.outcome = "dry-run";
    result.exitCode = ExitCode.Success;
    result.targets = session.targets.map(({ target }) => ({ type: target.type, status: "planned", summary: target.type, details: {} }));
    result.message = `would roll back ${what}`;
    return result;
  }
  result.approvers = await approversOf(session);
  const base = { from: current, to: version.digest, approvers: result.approvers };
  const plan: DeployPlan = {
    version,
    expected: current,
    undo: () => undoTarget(session, current, servingVersion),
    base,
    starting: `rolling back to ${label(version)}`,
    failed: `rollback of ${what}`,
    failedStatus: "rollback failed",
  };
  const deployed = await deployVersion(session, result, plan);
  if (!deployed) return result;
  const { deployment, applied } = deployed;
  if (deployed.pending) {
    // A gitops pull request proposes the older version: nothing changed until it is merged.
    return propose(
      session,
      result,
      plan,
      deployed,
      (r) => r.summary,
      (where) =>
        `proposed rolling back ${what}: merge ${where}, then run this rollback again to finish it (${name}:${alias} still names ${shortDigest(current)})`,
    );
  }
  result.serving = version.digest;
  const reason = `rolled back from ${shortDigest(current)}${session.actor ? ` by ${session.actor}` : ""}`;
  await record(session, result, version, "rolled-back", {
    ...base,
    targets: applied,
    ...deploymentField(result),
    reason,
  });
  result.outcome = "rolled-back";
  result.exitCode = ExitCode.Success;
  result.message = `rolled back ${what}`;
  logger.info(result.message);
  await setDeploymentStatus(session, deployment, "success", result.message);
  await resolveNotice(session, result, `Resolved: ${result.message}.`);
  const webhook = session.loaded.config.notify?.webhook;
  if (webhook) {
    const payload = webhookPayload({
      event: "rolled-back",
      environment: environment.name,
      name,
      digest: version.digest,
      version: version.version,
      serving: version.digest,
      summary: result.message,
      reasons: [reason],
      promotionId: session.id,
      actor: session.actor,
      runUrl: session.runUrl,
    });
    result.notifications.push(
      await sendWebhook(payload, webhook, {
        env: session.env,
        logger,
        ...(options.notifyRetryDelayMs !== undefined ? { retryDelayMs: options.notifyRetryDelayMs } : {}),
      }),
    );
  }
  return result;
}
