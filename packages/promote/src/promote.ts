import { ExitCode, oneLine, type ResolvedVersion, type TargetConfig } from "@llmops/core";
import { rolloutInTheWay } from "./canary/state.ts";
import { currentAlias, describeVersion, shortDigest } from "./environment.ts";
import type { DeploymentHandle } from "./github-seams.ts";
import { clip } from "./records.ts";
import { evidenceOf, unmetReasons } from "./requirements.ts";
import type { PromotionResult } from "./result.ts";
import { servesNow } from "./served-before.ts";
import {
  approversOf,
  compareAndSwapAlias,
  type DeployPlan,
  deploymentField,
  deployVersion,
  draftResult,
  interrupted,
  label,
  notify,
  openSession,
  type PromotionContextOptions,
  propose,
  record,
  requirementsOf,
  resolveNotice,
  rollbackTargets,
  type Session,
  setDeploymentStatus,
  stepsAsResults,
  targetVersion,
  undoTarget,
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
 * `llmops promote <ref> --to <environment>`: requirements checked against the store → GitHub
 * deployment → targets in order → compare-and-swap alias move → promotion record → smoke eval →
 * keep, or roll back and notify. A target that only proposes the change (a gitops pull request)
 * ends it `proposed` before the alias move; running it again once merged finishes it. When
 * `signal` aborts during the targets or the smoke eval, what was applied is undone and the result
 * is `failed` with `interrupted: true`. Returns a result for every outcome once the environment
 * and the version are known (`exitCode` says how to exit); throws (UsageError, InputError,
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

  if (environment.config.strategy?.canary) {
    const place = { name: environment.artifact, alias: environment.alias, environment: environment.name };
    const inTheWay = await rolloutInTheWay(store, place, logger, "promoting directly");
    if (inTheWay) {
      result.outcome = "conflict";
      result.exitCode = ExitCode.GateFailed;
      result.message = inTheWay;
      return result;
    }
    logger.warn(
      `${environment.name} rolls out by canary (strategy.canary); promoting ${label(version)} directly, all traffic at once (llmops canary start ${environment.name} ${options.ref} for a gradual rollout)`,
    );
  }
  const checks = await requirementsOf(session, version);
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
    // The alias names it; whether anything serves it is what the records say (a first promotion
    // whose smoke eval failed leaves the alias on it with its targets undone: run them again).
    const place = { name: environment.artifact, alias: environment.alias, environment: environment.name };
    if (await servesNow(store, place, version.digest, logger)) {
      result.outcome = "promoted";
      result.exitCode = ExitCode.Success;
      result.message = `${environment.name} already serves ${label(version)}; nothing to do`;
      result.targets = [];
      return result;
    }
    logger.info(
      `${environment.artifact}:${environment.alias} names ${label(version)}, but no promotion record says it serves ${environment.name}; applying its targets again`,
    );
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
  // What the targets served before: the version at `from`, unless that is this version (its
  // targets were undone by an earlier run): then undoing means undoing apply.
  const previous: TargetVersion | null =
    from && from !== version.digest ? targetVersion(await store.resolve(`${version.name}@${from}`)) : null;
  const undo = () => undoTarget(session, from, previous);
  result.approvers = await approversOf(session);
  const base = { from, to: version.digest, evidence: result.evidence, approvers: result.approvers };
  const plan: DeployPlan = {
    version,
    expected: from,
    undo,
    base,
    starting: `promoting ${label(version)}`,
    failed: `promotion of ${what}`,
    failedStatus: "failed",
  };
  const deployed = await deployVersion(session, result, plan);
  if (!deployed) return result;
  const { deployment, applied } = deployed;
  if (deployed.pending) {
    // Nothing is in service yet: no smoke eval; running the same promotion again once merged finishes it.
    const waiting = result.targets.filter((t) => t.status === "not-run").length;
    return propose(
      session,
      result,
      plan,
      deployed,
      (r) => pullRequestUrl(r) ?? r.summary,
      (where) =>
        `proposed ${label(version)} for ${environment.name}: merge ${where}, then run this promotion again to finish it ` +
        `(${environment.artifact}:${environment.alias} still names ${from ? shortDigest(from) : "nothing"}; no smoke eval yet` +
        `${waiting > 0 ? `; ${waiting} later target${waiting === 1 ? "" : "s"} not run` : ""})`,
    );
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
  if (interrupted(session)) {
    // Not a verdict on the version: it is undone as after a failed smoke eval, whatever `rollback` says.
    return undoPromotion(session, result, version, previous, applied, deployment, "interrupted during the smoke eval", {
      interrupted: true,
    });
  }
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
  return undoPromotion(session, result, version, previous, applied, deployment, failure, { interrupted: false });
}

/** The pull request URL a pending gitops result names, if any. */
function pullRequestUrl(result: TargetResult): string | undefined {
  const pr = result.details.pullRequest as { url?: unknown } | undefined;
  return typeof pr?.url === "string" ? pr.url : undefined;
}

/**
 * After the alias moved, undoes the promotion: after a failed smoke eval with `rollback: auto`, or
 * an interruption during the smoke eval. Targets go back in reverse to `previous` (or, when the
 * alias moved on meanwhile, to what it names now), the alias back by compare-and-swap. For a first
 * promotion (no previous) the targets are undone and the alias keeps naming the version: a store
 * cannot delete a tag; promoting it again runs its targets again (see servesNow).
 */
async function undoPromotion(
  session: Session,
  result: PromotionResult,
  version: ResolvedVersion,
  previous: TargetVersion | null,
  applied: TargetResult[],
  deployment: DeploymentHandle | undefined,
  failure: string,
  how: { interrupted: boolean },
): Promise<PromotionResult> {
  const { environment } = session;
  const aliasName = `${environment.artifact}:${environment.alias}`;
  const what = `${label(version)} to ${environment.name}`;
  const problems: string[] = [];
  const undone = await undoTarget(session, version.digest, previous);
  problems.push(
    ...(await rollbackTargets(
      session,
      applied.map((r, index) => ({ index, result: r })),
      undone.version,
      result.targets,
    )),
  );
  let back: string;
  if (undone.moved) {
    back = `${aliasName} moved on to ${undone.version ? label(undone.version) : "nothing"} meanwhile; targets re-pointed at it`;
    result.serving = undone.version?.digest ?? null;
  } else if (previous) {
    back = `rolled back to ${label(previous)}`;
    try {
      await compareAndSwapAlias(session, previous.digest, version.digest);
      result.serving = previous.digest;
    } catch (error) {
      problems.push(`alias not moved back: ${oneLine(error)}`);
    }
  } else {
    back = `targets undone; ${aliasName} still names ${shortDigest(version.digest)} (a tag cannot be deleted), which nothing serves now; promoting it again runs its targets again`;
  }
  const reason = clip([failure, back, ...problems].join("; "));
  await record(session, result, version, "rolled-back", {
    from: version.digest,
    to: undone.moved ? (undone.version?.digest ?? version.digest) : (previous?.digest ?? version.digest),
    evidence: result.evidence,
    approvers: result.approvers,
    targets: stepsAsResults(result),
    ...deploymentField(result),
    ...(result.smoke ? { smoke: result.smoke } : {}),
    reason,
  });
  if (how.interrupted) {
    result.outcome = "failed";
    result.exitCode = ExitCode.External;
    result.interrupted = true;
  } else {
    const clean = problems.length === 0;
    result.outcome = clean ? "rolled-back" : "failed";
    result.exitCode = clean ? ExitCode.GateFailed : ExitCode.External;
  }
  result.message = `promotion of ${what}: ${failure}; ${back}${problems.length > 0 ? `; ${problems.join("; ")}` : ""}`;
  await setDeploymentStatus(session, deployment, how.interrupted ? "error" : "failure", `${failure}; ${back}`);
  await notify(session, result, {
    event: how.interrupted ? "failed" : "rolled-back",
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
