import { ExitCode, oneLine, type ResolvedVersion, type TargetConfig } from "@llmops/core";
import { currentAlias, describeVersion, shortDigest } from "./environment.ts";
import { PromotionConflictError } from "./errors.ts";
import type { DeploymentHandle } from "./github-seams.ts";
import { checkRequirements, evidenceOf, unmetReasons } from "./requirements.ts";
import type { PromotionResult } from "./result.ts";
import {
  applyTargets,
  approversOf,
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
  type Session,
  setDeploymentStatus,
  startDeployment,
  TargetsFailed,
  targetVersion,
} from "./session.ts";
import { planSmoke, runSmoke, type SmokePlan } from "./smoke.ts";
import type { TargetResult, TargetVersion } from "./target.ts";

export interface PromoteOptions extends PromotionContextOptions {
  /** `name:alias`, `name:v3` or `name@sha256:…`. */
  ref: string;
  environment: string;
  /** Resolve and check requirements, say what would happen; no deployment, targets, alias move or record. */
  dryRun?: boolean | undefined;
}

/**
 * `llmops promote <ref> <environment>`: requirements checked against the store → GitHub
 * deployment → targets in order → compare-and-swap alias move → promotion record → smoke eval →
 * keep, or roll back and notify. Returns a result for every outcome once the environment and
 * the version are known (`exitCode` says how to exit); throws (UsageError, InputError,
 * ConfigError: exit 2) for an unknown environment, a ref of another artifact, a bad config or ref.
 */
export async function promote(options: PromoteOptions): Promise<PromotionResult> {
  const session = await openSession(options, options.environment, options.ref);
  const { store, environment, logger } = session;
  const version = await store.resolve(options.ref);
  const smoke = environment.config.smoke
    ? planSmoke(session.loaded, { name: environment.name, url: environment.config.url }, environment.config.smoke, session.env)
    : undefined;
  const from = await currentAlias(store, environment.artifact, environment.alias);
  const result = draftResult(session, "promote", version, from);
  result.dryRun = options.dryRun === true;
  const what = `${label(version)} to ${environment.name}`;

  const checks = await checkRequirements({
    store,
    config: session.loaded.config,
    environment: environment.name,
    version,
    ...(session.github.defaultBranch ? { defaultBranch: session.github.defaultBranch } : {}),
    now: session.now(),
    logger,
  });
  result.requirements = checks;
  result.evidence = evidenceOf(checks);
  const unmet = unmetReasons(checks);
  if (unmet.length > 0) {
    result.outcome = "refused";
    result.exitCode = ExitCode.GateFailed;
    result.message = `promotion of ${what} refused: ${unmet.join("; ")}`;
    if (!result.dryRun) {
      await record(session, result, version, "refused", { from, to: version.digest, evidence: result.evidence, reason: unmet.join("; ") });
      await notify(session, result, {
        event: "refused",
        name: version.name,
        digest: version.digest,
        version: version.version,
        serving: from,
        summary: `promotion of ${what} refused: ${unmet.length} requirement${unmet.length === 1 ? "" : "s"} unmet`,
        reasons: unmet,
      });
    }
    return result;
  }
  if (from === version.digest) {
    result.outcome = "promoted";
    result.exitCode = ExitCode.Success;
    result.message = `${environment.name} already serves ${label(version)}; nothing to do`;
    result.targets = [];
    return result;
  }
  if (result.dryRun) {
    result.outcome = "dry-run";
    result.exitCode = ExitCode.Success;
    result.targets = session.targets.map(({ config, target }) => ({
      type: target.type,
      status: "planned",
      summary: plannedSummary(config),
      details: {},
    }));
    const targets = session.targets.length > 0 ? `; targets: ${result.targets.map((t) => t.summary).join(", ")}` : "; no targets";
    result.message = `would promote ${what} (${environment.artifact}:${environment.alias} now ${from ? shortDigest(from) : "unset"})${targets}${smoke ? `; smoke eval ${smoke.suite}` : ""}`;
    return result;
  }
  return run(session, result, version, from, smoke);
}

/** One line naming a target by its config, for dry runs. */
function plannedSummary(config: TargetConfig): string {
  switch (config.type) {
    case "model-repository":
      return `model-repository ${config.root}`;
    case "gitops":
      return `gitops ${config.repository ?? "(this repository)"}:${config.path} (${config.mode})`;
    case "webhook":
      return "webhook";
    case "command":
      return `command ${config.argv[0]}`;
  }
}

async function run(
  session: Session,
  result: PromotionResult,
  version: ResolvedVersion,
  from: string | null,
  smoke: SmokePlan | undefined,
): Promise<PromotionResult> {
  const { store, environment, logger } = session;
  const what = `${label(version)} to ${environment.name}`;
  const previous: TargetVersion | null = from ? targetVersion(await store.resolve(`${version.name}@${from}`)) : null;
  result.approvers = await approversOf(session);
  const base = { from, to: version.digest, evidence: result.evidence, approvers: result.approvers };
  let deployment: DeploymentHandle | undefined;
  let applied: TargetResult[] = [];
  try {
    deployment = await startDeployment(session, version, result, `promoting ${label(version)}`);
    applied = await applyTargets(session, targetVersion(version), previous, result.targets);
    await compareAndSwapAlias(session, version.digest, from);
  } catch (error) {
    const cause = error instanceof TargetsFailed ? error.error : error;
    let rollbackErrors = error instanceof TargetsFailed ? error.rollbackErrors : [];
    if (!(error instanceof TargetsFailed) && applied.length > 0) {
      // The alias move failed after every target was applied: put them all back.
      rollbackErrors = await rollbackTargets(
        session,
        applied.map((r, index) => ({ index, result: r })),
        previous,
        result.targets,
      );
    }
    const why = [oneLine(cause), ...rollbackErrors];
    failResult(result, cause, `promotion of ${what} failed: ${why.join("; ")}`);
    if (rollbackErrors.length > 0 && result.exitCode !== ExitCode.External) result.exitCode = ExitCode.External;
    await setDeploymentStatus(
      session,
      deployment,
      "failure",
      cause instanceof PromotionConflictError ? "alias moved concurrently" : "failed",
    );
    await record(session, result, version, "failed", {
      ...base,
      targets: stepsAsResults(result),
      ...deploymentField(result),
      reason: why.join("; "),
    });
    await notify(session, result, {
      event: result.outcome === "conflict" ? "conflict" : "failed",
      name: version.name,
      digest: version.digest,
      version: version.version,
      serving: from,
      summary: result.message,
      reasons: why,
    });
    return result;
  }
  result.serving = version.digest;
  logger.info(`${environment.artifact}:${environment.alias} -> ${describeVersion(version)}`);
  await record(session, result, version, "promoted", { ...base, targets: applied, ...deploymentField(result) });

  if (!smoke) return succeed(session, result, deployment, `promoted ${what}`);
  logger.info(`smoke eval ${smoke.suite} against ${environment.config.url ?? environment.name}`);
  const summary = await runSmoke({
    plan: smoke,
    configFile: session.loaded.file,
    cwd: session.loaded.dir,
    env: session.env,
    logger,
    store,
    model: `${version.name}@${version.digest}`,
    out: session.options.smokeOut,
    signal: session.options.signal,
  });
  result.smoke = summary;
  if (summary.passed) {
    await record(session, result, version, "smoke-passed", { ...base, targets: applied, ...deploymentField(result), smoke: summary });
    return succeed(session, result, deployment, `promoted ${what}; smoke eval ${smoke.suite} passed`);
  }
  const failure = `smoke eval ${smoke.suite} failed${summary.error ? ` (${summary.error})` : ""}`;
  await record(session, result, version, "smoke-failed", {
    ...base,
    targets: applied,
    ...deploymentField(result),
    smoke: summary,
    reason: failure,
  });
  if (environment.config.rollback === "manual") {
    result.outcome = "smoke-failed";
    result.exitCode = ExitCode.GateFailed;
    result.message = `promoted ${what}, but its ${failure}; left serving (rollback: manual)`;
    await setDeploymentStatus(session, deployment, "failure", failure);
    await notify(session, result, {
      event: "smoke-failed",
      name: version.name,
      digest: version.digest,
      version: version.version,
      serving: version.digest,
      summary: result.message,
      reasons: [failure],
    });
    return result;
  }
  return autoRollback(session, result, version, previous, applied, deployment, failure);
}

/** After a failed smoke eval with `rollback: auto`: targets back to `previous` in reverse, alias back by compare-and-swap. */
async function autoRollback(
  session: Session,
  result: PromotionResult,
  version: ResolvedVersion,
  previous: TargetVersion | null,
  applied: TargetResult[],
  deployment: DeploymentHandle | undefined,
  failure: string,
): Promise<PromotionResult> {
  const { environment } = session;
  const what = `${label(version)} to ${environment.name}`;
  const problems = await rollbackTargets(
    session,
    applied.map((r, index) => ({ index, result: r })),
    previous,
    result.targets,
  );
  if (previous) {
    try {
      await compareAndSwapAlias(session, previous.digest, version.digest);
      result.serving = previous.digest;
    } catch (error) {
      problems.push(`alias not moved back: ${oneLine(error)}`);
    }
  } else {
    // A store cannot delete a tag: the alias keeps naming the version, which no target serves any more.
    problems.push(
      `no earlier version to go back to: targets were undone, ${environment.artifact}:${environment.alias} still names ${shortDigest(version.digest)}`,
    );
  }
  const back = previous ? `rolled back to ${label(previous)}` : "targets undone";
  const reason = [failure, ...problems].join("; ");
  await record(session, result, version, "rolled-back", {
    from: version.digest,
    to: previous?.digest ?? version.digest,
    evidence: result.evidence,
    approvers: result.approvers,
    targets: stepsAsResults(result),
    ...deploymentField(result),
    ...(result.smoke ? { smoke: result.smoke } : {}),
    reason,
  });
  const clean = previous !== null && problems.length === 0;
  result.outcome = clean ? "rolled-back" : "failed";
  result.exitCode = clean ? ExitCode.GateFailed : ExitCode.External;
  result.message = `promotion of ${what}: ${failure}; ${back}${problems.length > 0 ? `; ${problems.join("; ")}` : ""}`;
  await setDeploymentStatus(session, deployment, "failure", `${failure}; ${back}`);
  await notify(session, result, {
    event: "rolled-back",
    name: version.name,
    digest: version.digest,
    version: version.version,
    serving: result.serving,
    summary: result.message,
    reasons: [failure, ...problems],
  });
  return result;
}

async function succeed(
  session: Session,
  result: PromotionResult,
  deployment: DeploymentHandle | undefined,
  message: string,
): Promise<PromotionResult> {
  result.outcome = "promoted";
  result.exitCode = ExitCode.Success;
  result.message = message;
  await setDeploymentStatus(session, deployment, "success", message);
  await resolveNotice(session, result, `Resolved: ${message}.`);
  return result;
}

function deploymentField(result: PromotionResult): { deployment?: { id: number; url: string } } {
  return result.deployment ? { deployment: result.deployment } : {};
}

/** What each target did, as TargetResults for the record (targets not run are left out). */
export function stepsAsResults(result: PromotionResult): TargetResult[] {
  return result.targets
    .filter((s) => s.status !== "not-run" && s.status !== "planned")
    .map((s) => ({
      type: s.type,
      summary: s.error ? `${s.summary} (${s.status}: ${s.error})` : `${s.summary} (${s.status})`,
      details: s.details,
    }));
}
