import { ExitCode, InputError, oneLine } from "@llmops/core";
import { currentAlias, shortDigest } from "./environment.ts";
import { PromotionConflictError, PromotionInterruptedError } from "./errors.ts";
import type { DeploymentHandle } from "./github-seams.ts";
import { sendWebhook, webhookPayload } from "./notify.ts";
import { stepsAsResults } from "./promote.ts";
import type { PromotionResult } from "./result.ts";
import { servedBefore } from "./served-before.ts";
import {
  applyTargets,
  approversOf,
  checkInterrupted,
  compareAndSwapAlias,
  draftResult,
  failResult,
  label,
  notify,
  openSession,
  type PromotionContextOptions,
  record,
  resolveNotice,
  rollbackTargets,
  setDeploymentStatus,
  startDeployment,
  TargetsFailed,
  targetVersion,
  undoTarget,
} from "./session.ts";
import type { TargetResult } from "./target.ts";

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
    const before = await servedBefore(store, { name, alias, environment: environment.name, current }, logger);
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
  const undo = () => undoTarget(session, current, servingVersion);
  let deployment: DeploymentHandle | undefined;
  let applied: TargetResult[] = [];
  let pending = false;
  try {
    checkInterrupted(session);
    deployment = await startDeployment(session, version, result, `rolling back to ${label(version)}`);
    applied = await applyTargets(session, targetVersion(version), undo, result.targets);
    pending = applied.some((r) => r.pending);
    if (!pending) {
      checkInterrupted(session);
      await compareAndSwapAlias(session, version.digest, current);
    }
  } catch (error) {
    const cause = error instanceof TargetsFailed ? error.error : error;
    const problems = error instanceof TargetsFailed ? error.rollbackErrors : [];
    let undone = error instanceof TargetsFailed ? error.undone : undefined;
    if (!(error instanceof TargetsFailed) && applied.length > 0) {
      undone = await undo();
      problems.push(
        ...(await rollbackTargets(
          session,
          applied.map((r, index) => ({ index, result: r })),
          undone.version,
          result.targets,
        )),
      );
    }
    const why = [oneLine(cause)];
    if (undone?.moved)
      why.push(`targets re-pointed at ${undone.version ? label(undone.version) : "nothing"}, what ${name}:${alias} names now`);
    why.push(...problems);
    failResult(result, cause, `rollback of ${what} failed: ${why.join("; ")}`);
    if (problems.length > 0) result.exitCode = ExitCode.External;
    if (undone?.moved) result.serving = undone.version?.digest ?? null;
    await setDeploymentStatus(
      session,
      deployment,
      cause instanceof PromotionInterruptedError ? "error" : "failure",
      cause instanceof PromotionConflictError
        ? "alias moved concurrently"
        : cause instanceof PromotionInterruptedError
          ? "interrupted"
          : "rollback failed",
    );
    await record(session, result, version, "failed", { ...base, targets: stepsAsResults(result), reason: why.join("; ") });
    await notify(session, result, {
      event: "failed",
      name: version.name,
      digest: version.digest,
      version: version.version,
      serving: result.serving,
      summary: result.message,
      reasons: why,
    });
    return result;
  }
  if (pending) {
    // A gitops pull request proposes the older version: nothing changed until it is merged.
    const where = applied.filter((r) => r.pending).map((r) => r.summary);
    result.outcome = "proposed";
    result.exitCode = ExitCode.Success;
    result.message = `proposed rolling back ${what}: merge ${where.join(", ")}, then run this rollback again to finish it (${name}:${alias} still names ${shortDigest(current)})`;
    await record(session, result, version, "proposed", {
      ...base,
      targets: applied,
      ...(result.deployment ? { deployment: result.deployment } : {}),
      reason: `awaiting merge of ${where.join(", ")}`,
    });
    await setDeploymentStatus(session, deployment, "queued", `awaiting merge of ${where.join(", ")}`);
    return result;
  }
  result.serving = version.digest;
  const reason = `rolled back from ${shortDigest(current)}${session.actor ? ` by ${session.actor}` : ""}`;
  await record(session, result, version, "rolled-back", {
    ...base,
    targets: applied,
    ...(result.deployment ? { deployment: result.deployment } : {}),
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
