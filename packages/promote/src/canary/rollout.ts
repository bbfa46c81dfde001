import {
  type CanaryDecision,
  type CanaryMetricConfig,
  type CanaryState,
  type CanaryStrategyConfig,
  ExitCode,
  oneLine,
  type PromotionEvent,
  type ResolvedVersion,
  type RouterConfig,
  UsageError,
} from "@llmops/core";
import { AliasConflictError } from "@llmops/store";
import { currentAlias, shortDigest } from "../environment.ts";
import { failureExitCode, PromotionConflictError, PromotionInterruptedError } from "../errors.ts";
import type { DeploymentHandle, DeploymentState } from "../github-seams.ts";
import { evidenceOf, unmetReasons } from "../requirements.ts";
import {
  applyTargets,
  compareAndSwapAlias,
  label,
  notify,
  openSession,
  type PromotionContextOptions,
  type RecordFields,
  record,
  requirementsOf,
  resolveNotice,
  rollbackTargets,
  type Session,
  setDeploymentStatus,
  startDeployment,
  TargetsFailed,
  targetVersion,
  undoTarget,
} from "../session.ts";
import type { TargetResult } from "../target.ts";
import { createTarget } from "../targets/index.ts";
import { type Analysis, analyzeRollout } from "./analysis.ts";
import type { MetricSource } from "./metric-source.ts";
import { createMetricSource } from "./metrics/index.ts";
import type { CanaryResult } from "./result.ts";
import { type Router, type RouterContext, RouterError, type RouterReading } from "./router.ts";
import { createRouter } from "./routers/index.ts";
import { canaryAlias, type RolloutRecords, readRollout, rolloutInProgress } from "./state.ts";

/**
 * Canary rollouts: `start` deploys the candidate to the canary slot and gives it the first step's
 * traffic; each `advance` (a cron, a manual run) analyses the live metrics and holds, moves to the
 * next step, completes (promotes: the environment's targets, the alias) or rolls back; `abort`
 * stops by hand. The state lives in the store as promotion records on the candidate, found through
 * the `<alias>-canary` tag, so any runner can continue a rollout another one started.
 */

export interface CanaryOptions extends PromotionContextOptions {
  environment: string;
  /** Builds the router (default the registry); tests pass their own. */
  routers?: ((config: RouterConfig) => Router) | undefined;
  /** Builds a metric's source (default the registry). */
  metricSources?: ((metric: CanaryMetricConfig) => MetricSource) | undefined;
}

/** A rollout as its newest record left it, with the stable version resolved. */
interface Rollout extends RolloutRecords {
  stable: ResolvedVersion;
}

interface CanarySession {
  session: Session;
  strategy: CanaryStrategyConfig;
  router: Router;
  routerContext: RouterContext;
  result: CanaryResult;
}

async function openCanary(options: CanaryOptions, command: CanaryResult["command"], ref?: string): Promise<CanarySession> {
  const session = await openSession(options, options.environment, ref);
  const strategy = session.environment.config.strategy?.canary;
  if (!strategy) {
    throw new UsageError(
      `environment ${session.environment.name} has no strategy.canary in llmops.yaml; promote directly (llmops promote REF --to ${session.environment.name}) or add one`,
    );
  }
  const router = (options.routers ?? createRouter)(strategy.router);
  const routerContext: RouterContext = {
    environment: session.environment.name,
    rolloutId: session.id,
    configDir: session.loaded.dir,
    env: session.env,
    logger: session.logger,
    github: session.github,
    ...(options.signal ? { signal: options.signal } : {}),
  };
  const result: CanaryResult = {
    schemaVersion: 1,
    command,
    outcome: "failed",
    exitCode: ExitCode.External,
    message: "",
    id: session.id,
    environment: session.environment.name,
    name: session.environment.artifact,
    alias: session.environment.alias,
    candidate: { digest: "sha256:".padEnd(71, "0") },
    stable: null,
    steps: strategy.steps,
    percent: 0,
    metrics: [],
    reasons: [],
    requirements: [],
    evidence: [],
    targets: [],
    records: [],
    notifications: [],
  };
  return { session, strategy, router, routerContext, result };
}

function versionField(version: ResolvedVersion): { digest: string; version?: string } {
  return { digest: version.digest, ...(version.version ? { version: version.version } : {}) };
}

async function findRollout(session: Session): Promise<Rollout | null> {
  const { store, environment, logger } = session;
  const found = await readRollout(store, { name: environment.artifact, alias: environment.alias, environment: environment.name }, logger);
  if (!found) return null;
  return { ...found, stable: await store.resolve(`${environment.artifact}@${found.state.stable}`) };
}

const inProgress = rolloutInProgress;

/** Adopts a running rollout's id, so every record, webhook and deployment status of it shares one. */
function adopt(c: CanarySession, rollout: Rollout): void {
  c.session.id = rollout.head.record.id;
  c.routerContext.rolloutId = rollout.head.record.id;
  c.result.id = rollout.head.record.id;
  c.result.candidate = versionField(rollout.candidate);
  c.result.stable = versionField(rollout.stable);
  c.result.steps = rollout.state.steps;
  c.result.step = rollout.state.step;
  c.result.percent = rollout.state.percent;
  c.result.startedAt = rollout.state.startedAt;
  if (rollout.start?.record.deployment) c.result.deployment = rollout.start.record.deployment;
}

/** `llmops canary start <ENV> <REF>`. */
export async function canaryStart(options: CanaryOptions & { ref: string }): Promise<CanaryResult> {
  const c = await openCanary(options, "start", options.ref);
  const { session, strategy, router, routerContext, result } = c;
  const { store, environment, logger } = session;
  const candidate = await store.resolve(options.ref);
  result.candidate = versionField(candidate);
  const stableDigest = await currentAlias(store, environment.artifact, environment.alias);
  if (!stableDigest) {
    throw new UsageError(
      `${environment.artifact}:${environment.alias} names nothing yet: a canary needs a stable version to compare with; promote the first one directly (llmops promote ${options.ref} --to ${environment.name})`,
    );
  }
  const stable = await store.resolve(`${environment.artifact}@${stableDigest}`);
  result.stable = versionField(stable);
  if (stable.digest === candidate.digest) {
    return finish(result, "completed", ExitCode.Success, `${environment.name} already serves ${label(candidate)}; nothing to roll out`);
  }
  const previous = await findRollout(session);
  if (previous && inProgress(previous)) {
    return finish(
      result,
      "conflict",
      ExitCode.GateFailed,
      `a rollout of ${label(previous.candidate)} is in progress in ${environment.name} (step ${previous.state.step + 1}, ${previous.state.percent}%): advance it to its end or abort it first (llmops canary abort ${environment.name})`,
    );
  }
  const checks = await requirementsOf(session, candidate);
  result.requirements = checks;
  result.evidence = evidenceOf(checks);
  const unmet = unmetReasons(checks);
  if (unmet.length > 0) {
    finish(result, "refused", ExitCode.GateFailed, `canary of ${label(candidate)} in ${environment.name} refused: ${unmet.join("; ")}`);
    await write(c, candidate, "refused", {
      from: stable.digest,
      to: candidate.digest,
      evidence: result.evidence,
      reason: unmet.join("; "),
    });
    await alert(c, candidate, "refused", result.message, unmet, stable.digest);
    return result;
  }
  if (metricsNeedCounts(strategy) && router.type !== "haproxy") {
    throw new UsageError(
      `environment ${environment.name}: minRequests needs request counts, but router ${router.type} does not count requests and no metric has counts; add a prometheus {events, total} or feedback metric`,
    );
  }

  // The candidate goes into the canary slot only while that slot gets no traffic: after a rollback
  // whose router call failed, or a change by hand, it may still carry some.
  const versions = { stable: targetVersion(stable), candidate: targetVersion(candidate) };
  let idle: RouterReading | undefined;
  try {
    idle = await router.read(versions, routerContext);
  } catch (error) {
    if (!(error instanceof RouterError)) throw error;
    fail(result, error, `canary of ${label(candidate)} in ${environment.name} not started: ${oneLine(error)}; nothing was changed`);
    return result;
  }
  if (idle && idle.canaryPercent > 0) {
    return finish(
      result,
      "conflict",
      ExitCode.GateFailed,
      `the canary slot of ${environment.name} still gets ${idle.canaryPercent}% of the traffic (${idle.summary}); a candidate is deployed only into an idle slot: llmops canary abort ${environment.name} sends all traffic to stable`,
    );
  }

  // Claim the rollout first: two `start`s racing for one environment leave one winner.
  try {
    // Expect what the tag names now, not what the last readable rollout says: a start that failed
    // before recording anything left the tag on its candidate.
    const claimed = await currentAlias(store, environment.artifact, canaryAlias(environment.alias));
    await store.tag(`${environment.artifact}@${candidate.digest}`, canaryAlias(environment.alias), {
      expect: claimed,
      ...(session.actor ? { actor: session.actor } : {}),
      ...(session.runUrl ? { runUrl: session.runUrl } : {}),
    });
  } catch (error) {
    if (error instanceof AliasConflictError) {
      return finish(result, "conflict", ExitCode.GateFailed, `another rollout in ${environment.name} started meanwhile; nothing was done`);
    }
    throw error;
  }

  const deployment = await startDeploymentFor(c, candidate, `canary of ${label(candidate)}: deploying to the canary slot`);
  // The candidate into the canary slot (the stable slot keeps serving the alias' version).
  const canarySession = canarySlot(c);
  result.targets = canarySession.targets.map(({ target }) => ({ type: target.type, status: "not-run", summary: "", details: {} }));
  let applied: TargetResult[] = [];
  try {
    applied = await applyTargets(canarySession, targetVersion(candidate), async () => ({ version: null, moved: false }), result.targets);
    if (applied.some((r) => r.pending)) {
      throw new UsageError(
        "a canary target only proposed its change (a pull request): canary targets must apply at once (gitops mode: commit)",
      );
    }
  } catch (error) {
    const cause = error instanceof TargetsFailed ? error.error : error;
    if (!(error instanceof TargetsFailed)) {
      await rollbackTargets(
        canarySession,
        applied.map((r, index) => ({ index, result: r })),
        null,
        result.targets,
      );
    }
    fail(result, cause, `canary of ${label(candidate)} in ${environment.name} failed: deploying to the canary slot: ${oneLine(cause)}`);
    await setStatus(c, deployment, "failure", "deploying to the canary slot failed");
    await write(c, candidate, "failed", { from: stable.digest, to: candidate.digest, evidence: result.evidence, reason: result.message });
    await alert(c, candidate, "failed", result.message, [oneLine(cause)], stable.digest);
    return result;
  }

  // Recorded before any traffic moves: a runner that dies now leaves a rollout at its first step
  // with the router at 0%, which `advance` holds at (it never raises traffic it finds lowered);
  // `abort`, then `start` again, retries it.
  const startedAt = session.now().toISOString();
  const percent = strategy.steps[0]!;
  const state: CanaryState = {
    decision: "start",
    step: 0,
    steps: strategy.steps,
    percent,
    stable: stable.digest,
    candidate: candidate.digest,
    startedAt,
    stepStartedAt: startedAt,
    counter: router.type === "haproxy" && idle?.requests ? "router" : "metrics",
    baseline: router.type === "haproxy" && idle?.requests ? idle.requests : { stable: 0, canary: 0 },
    metrics: [],
    reasons: [`started: ${percent}% of traffic to ${label(candidate)}`],
    // A new rollout of the same candidate continues its chain of records (see state.ts).
    ...(previous && previous.candidate.digest === candidate.digest ? { previous: previous.head.digest } : {}),
  };
  const undoSlot = () =>
    rollbackTargets(
      canarySession,
      applied.map((r, index) => ({ index, result: r })),
      null,
      result.targets,
    );
  try {
    await write(c, candidate, "canary-started", {
      from: stable.digest,
      to: candidate.digest,
      evidence: result.evidence,
      targets: applied,
      ...(result.deployment ? { deployment: result.deployment } : {}),
      canary: state,
    });
  } catch (error) {
    await undoSlot();
    fail(
      result,
      error,
      `canary of ${label(candidate)} in ${environment.name} not started: recording it failed: ${oneLine(error)}; no traffic was routed to it`,
    );
    await setStatus(c, deployment, "error", "recording the rollout failed");
    return result;
  }
  applyState(result, state);
  let reading: RouterReading;
  try {
    reading = await router.setCanaryPercent(percent, versions, routerContext);
  } catch (error) {
    const why = `routing ${percent}% to it failed: ${oneLine(error)}`;
    await safeZero(c, stable, candidate);
    const startRecord = result.records.at(-1)?.digest;
    const stopped: CanaryState = {
      ...state,
      decision: "rollback",
      percent: 0,
      reasons: [why],
      ...(startRecord ? { previous: startRecord } : {}),
    };
    await write(c, candidate, "rolled-back", {
      from: candidate.digest,
      to: stable.digest,
      evidence: result.evidence,
      ...(result.deployment ? { deployment: result.deployment } : {}),
      canary: stopped,
    }).catch((e: unknown) => logger.error(`the rollback of the failed start was not recorded: ${oneLine(e)}`));
    await undoSlot();
    applyState(result, stopped);
    fail(result, error, `canary of ${label(candidate)} in ${environment.name} failed: ${why}; traffic left with stable`);
    await setStatus(c, deployment, "failure", "router failed");
    await alert(c, candidate, "failed", result.message, [oneLine(error)], stable.digest);
    return result;
  }
  result.router = reading.summary;
  const message = `canary of ${label(candidate)} in ${environment.name} started: ${percent}% of traffic (step 1 of ${strategy.steps.length})`;
  await setStatus(c, deployment, "in_progress", `step 1/${strategy.steps.length}: ${percent}%`);
  logger.info(message);
  return finish(result, "started", ExitCode.Success, message);
}

/** `llmops canary advance <ENV>`: analyse, then hold, advance, complete or roll back, and record it. */
export async function canaryAdvance(options: CanaryOptions): Promise<CanaryResult> {
  const c = await openCanary(options, "advance");
  const rollout = await runningRollout(c);
  const { session, router, routerContext, result } = c;
  const { environment, logger } = session;
  const versions = { stable: targetVersion(rollout.stable), candidate: targetVersion(rollout.candidate) };

  // Resume. The record is the truth, but the router is only ever lowered to it: above the record,
  // a runner died between raising it and recording the step; below it, someone lowered it (an
  // operator in an incident, a rollback whose record was lost, a start that died before routing),
  // and raising it back is not this run's call: it holds, and says so.
  let reading: RouterReading | undefined;
  try {
    reading = await router.read(versions, routerContext);
    if (reading && reading.canaryPercent > rollout.state.percent) {
      logger.warn(`router at ${reading.canaryPercent}% but the rollout's record says ${rollout.state.percent}%: lowering it to the record`);
      reading = await router.setCanaryPercent(rollout.state.percent, versions, routerContext);
    } else if (reading && reading.canaryPercent < rollout.state.percent) {
      return lowered(c, rollout, reading);
    }
  } catch (error) {
    if (!(error instanceof RouterError)) throw error;
    fail(
      result,
      error,
      `canary of ${label(rollout.candidate)} in ${environment.name}: ${oneLine(error)}; traffic left as it was (the rollout's record says ${rollout.state.percent}%); nothing decided`,
    );
    return result;
  }
  const analysis = await analyze(c, rollout, reading);
  result.decision = analysis.decision;
  result.metrics = analysis.metrics;
  result.reasons = analysis.reasons;
  if (analysis.requests) result.requests = analysis.requests;
  result.router = reading?.summary;
  if (await stale(c, rollout)) return result;
  switch (analysis.decision) {
    case "hold":
      return hold(c, rollout, analysis);
    case "advance":
      return advanceStep(c, rollout, analysis);
    case "complete":
      return complete(c, rollout, analysis);
    case "rollback":
      return rollBack(c, rollout, "rollback", analysis.reasons, analysis);
  }
}

/** `llmops canary analyze <ENV>`: what `advance` would decide now; changes and records nothing. */
export async function canaryAnalyze(options: CanaryOptions): Promise<CanaryResult> {
  const c = await openCanary(options, "analyze");
  const rollout = await runningRollout(c);
  const reading = await c.router.read(versionsOf(rollout), c.routerContext);
  const analysis = await analyze(c, rollout, reading);
  const { result } = c;
  result.decision = analysis.decision;
  result.metrics = analysis.metrics;
  result.reasons = analysis.reasons;
  if (analysis.requests) result.requests = analysis.requests;
  result.router = reading?.summary;
  return finish(
    result,
    "analyzed",
    ExitCode.Success,
    `canary of ${label(rollout.candidate)} in ${c.session.environment.name} at step ${rollout.state.step + 1} (${rollout.state.percent}%): advance would ${analysis.decision}`,
  );
}

/** `llmops canary abort <ENV>`: traffic back to stable, the canary slot undone, recorded. */
export async function canaryAbort(options: CanaryOptions & { reason?: string | undefined }): Promise<CanaryResult> {
  const c = await openCanary(options, "abort");
  const ended = await findRollout(c.session);
  if (ended && (ended.state.decision === "rollback" || ended.state.decision === "abort")) {
    // A runner that died while rolling back recorded the decision first: finish its job.
    adopt(c, ended);
    applyState(c.result, ended.state);
    const reading = await c.router.setCanaryPercent(0, versionsOf(ended), c.routerContext);
    c.result.router = reading.summary;
    return finish(
      c.result,
      "aborted",
      ExitCode.Success,
      `the rollout of ${label(ended.candidate)} in ${c.session.environment.name} had already ended (${ended.state.decision}); all traffic sent to stable again`,
    );
  }
  const rollout = await runningRollout(c);
  if (await stale(c, rollout)) return c.result;
  return rollBack(c, rollout, "abort", [options.reason ? `aborted: ${options.reason}` : "aborted by hand"]);
}

/**
 * What a scheduled workflow runs: advance the environment's rollout when one is in progress, else
 * start one of `ref` (when given and not already served).
 */
export async function canaryStartOrAdvance(options: CanaryOptions & { ref?: string | undefined }): Promise<CanaryResult> {
  const c = await openCanary(options, "advance", options.ref);
  const running = await findRollout(c.session);
  if (running && inProgress(running)) {
    if (options.ref) {
      const asked = await c.session.store.resolve(options.ref);
      if (asked.digest !== running.candidate.digest) {
        adopt(c, running);
        return finish(
          c.result,
          "conflict",
          ExitCode.GateFailed,
          `a rollout of ${label(running.candidate)} is in progress in ${options.environment}; ${label(asked)} can start once it has ended (advance it, or llmops canary abort ${options.environment})`,
        );
      }
    }
    return canaryAdvance(options);
  }
  if (!options.ref) {
    // A scheduled run between rollouts: nothing to do is not a failure.
    if (running) adopt(c, running);
    return finish(c.result, "idle", ExitCode.Success, `no canary rollout is in progress in ${options.environment}; nothing to do`);
  }
  return canaryStart({ ...options, ref: options.ref });
}

async function runningRollout(c: CanarySession): Promise<Rollout> {
  const rollout = await findRollout(c.session);
  if (!rollout || !inProgress(rollout)) {
    const last = rollout ? ` (the last one, of ${label(rollout.candidate)}, ended: ${rollout.state.decision})` : "";
    throw new UsageError(`no canary rollout is in progress in ${c.session.environment.name}${last}; start one with llmops canary start`);
  }
  adopt(c, rollout);
  return rollout;
}

async function analyze(c: CanarySession, rollout: Rollout, reading: RouterReading | undefined): Promise<Analysis> {
  const { session, strategy, router } = c;
  const build = c.session.options as CanaryOptions;
  const sources = strategy.metrics.map((config) => ({ config, source: (build.metricSources ?? createMetricSource)(config) }));
  return analyzeRollout({
    strategy,
    state: rollout.state,
    reading,
    sources,
    now: session.now(),
    context: {
      since: new Date(rollout.state.startedAt),
      now: session.now(),
      variants: {
        stable: { name: router.variantNames.stable, digest: rollout.stable.digest },
        canary: { name: router.variantNames.canary, digest: rollout.candidate.digest },
      },
      ...(strategy.prometheus ? { prometheusUrl: strategy.prometheus } : {}),
      configDir: session.loaded.dir,
      logger: session.logger,
      ...(session.options.signal ? { signal: session.options.signal } : {}),
    },
  });
}

/**
 * Two runners analysing one rollout: the one whose state is no longer the newest changes nothing
 * and ends `conflict`. (A workflow `concurrency` group per environment keeps them apart in the
 * first place; this catches the rest, up to the moment between this read and the next write.)
 */
async function stale(c: CanarySession, rollout: Rollout): Promise<boolean> {
  const now = await findRollout(c.session);
  if (now?.head.digest === rollout.head.digest) return false;
  const what = now
    ? `its newest record is now ${shortDigest(now.head.digest)} (${now.state.decision}, ${now.state.percent}%)`
    : "it is gone";
  finish(
    c.result,
    "conflict",
    ExitCode.GateFailed,
    `another runner decided on the rollout in ${c.session.environment.name} while this one analysed it: ${what}; nothing changed here`,
  );
  return true;
}

async function hold(c: CanarySession, rollout: Rollout, analysis: Analysis): Promise<CanaryResult> {
  const state = nextState(rollout, "hold", analysis, {});
  await write(c, rollout.candidate, "canary-analyzed", baseFields(rollout, state), rollout);
  applyState(c.result, state);
  const why = analysis.reasons[0] ?? "waiting";
  await setStatus(c, handle(c), "in_progress", `step ${state.step + 1}/${state.steps.length} (${state.percent}%): holding: ${why}`);
  return finish(
    c.result,
    "held",
    ExitCode.Success,
    `canary of ${label(rollout.candidate)} in ${c.session.environment.name} holds at ${state.percent}% (step ${state.step + 1} of ${state.steps.length}): ${analysis.reasons.join("; ")}`,
  );
}

async function advanceStep(c: CanarySession, rollout: Rollout, analysis: Analysis): Promise<CanaryResult> {
  const { router, routerContext, session } = c;
  const step = rollout.state.step + 1;
  const percent = rollout.state.steps[step]!;
  let reading: RouterReading;
  try {
    reading = await router.setCanaryPercent(percent, versionsOf(rollout), routerContext);
  } catch (error) {
    return routerFailed(c, rollout, analysis, error);
  }
  const at = session.now().toISOString();
  // Only the router's counters need a baseline; the metrics count the step's requests themselves.
  const counted = rollout.state.counter === "router" ? (reading.requests ?? analysis.counted) : { stable: 0, canary: 0 };
  const state = nextState(rollout, "advance", analysis, {
    step,
    percent,
    stepStartedAt: at,
    baseline: counted ?? rollout.state.baseline,
    router: reading.summary,
  });
  await write(c, rollout.candidate, "canary-analyzed", baseFields(rollout, state), rollout);
  applyState(c.result, state);
  c.result.router = reading.summary;
  await setStatus(c, handle(c), "in_progress", `step ${step + 1}/${state.steps.length}: ${percent}%`);
  return finish(
    c.result,
    "advanced",
    ExitCode.Success,
    `canary of ${label(rollout.candidate)} in ${session.environment.name} advanced to ${percent}% (step ${step + 1} of ${state.steps.length})`,
  );
}

/**
 * The last step passed: the environment's targets get the candidate (the stable slot), the alias
 * moves by compare-and-swap, and the router sends everything back to the stable slot, which now
 * serves the candidate. Without environment targets the canary slot keeps serving 100%.
 */
async function complete(c: CanarySession, rollout: Rollout, analysis: Analysis): Promise<CanaryResult> {
  const { session, router, routerContext, result } = c;
  const { environment } = session;
  const stable = targetVersion(rollout.stable);
  const candidate = targetVersion(rollout.candidate);
  result.targets = session.targets.map(({ target }) => ({ type: target.type, status: "not-run", summary: "", details: {} }));
  // The evidence that let it start must still hold (a run may have aged past maxAgeDays, or the
  // rollout's records may not be what started it): otherwise hold, and the timeout rolls it back.
  const unmet = unmetReasons(await requirementsOf(session, rollout.candidate));
  if (unmet.length > 0) {
    const why = `not completed: the requirements no longer hold: ${unmet.join("; ")}`;
    const state = nextState(rollout, "hold", analysis, { reasons: [why] });
    await write(c, rollout.candidate, "canary-analyzed", baseFields(rollout, state), rollout);
    applyState(result, state);
    result.decision = "hold";
    return finish(result, "held", ExitCode.Success, `canary of ${label(rollout.candidate)} in ${environment.name}: ${why}`);
  }
  let applied: TargetResult[] = [];
  try {
    applied = await applyTargets(session, candidate, () => undoTarget(session, rollout.stable.digest, stable), result.targets);
    if (applied.some((r) => r.pending)) {
      throw new UsageError(
        "an environment target only proposed its change (a pull request): a canary completes only with targets that apply at once",
      );
    }
    // A run that died after moving the alias left it on the candidate already: that is done.
    const names = await currentAlias(session.store, environment.artifact, environment.alias);
    if (names !== candidate.digest) await compareAndSwapAlias(session, candidate.digest, rollout.stable.digest);
  } catch (error) {
    const cause = error instanceof TargetsFailed ? error.error : error;
    if (!(error instanceof TargetsFailed) && applied.length > 0) {
      const undone = await undoTarget(session, rollout.stable.digest, stable);
      await rollbackTargets(
        session,
        applied.map((r, index) => ({ index, result: r })),
        undone.version,
        result.targets,
      );
    }
    const message = `completing the canary of ${label(rollout.candidate)} in ${environment.name} failed: ${oneLine(cause)}; traffic stays at ${rollout.state.percent}% to the canary slot, the rollout at its last step (advance again to retry)`;
    fail(result, cause, message);
    const state = nextState(rollout, "hold", analysis, { reasons: [message] });
    await write(c, rollout.candidate, "canary-analyzed", baseFields(rollout, state), rollout);
    applyState(result, state);
    await setStatus(c, handle(c), "in_progress", "completing failed; holding at the last step");
    await alert(
      c,
      rollout.candidate,
      result.outcome === "conflict" ? "conflict" : "failed",
      message,
      [oneLine(cause)],
      rollout.stable.digest,
    );
    return result;
  }
  let routerSummary: string | undefined;
  let percent = rollout.state.percent;
  if (session.targets.length > 0) {
    try {
      const reading = await router.setCanaryPercent(0, { stable: candidate, candidate }, routerContext);
      routerSummary = reading.summary;
      percent = 0;
    } catch (error) {
      routerSummary = `router not reset to the stable slot: ${oneLine(error)}`;
      session.logger.warn(routerSummary);
    }
  }
  const state = nextState(rollout, "complete", analysis, { percent, ...(routerSummary ? { router: routerSummary } : {}) });
  await write(c, rollout.candidate, "promoted", { ...baseFields(rollout, state), targets: applied }, rollout);
  applyState(result, state);
  result.router = routerSummary ?? result.router;
  const message = `canary of ${label(rollout.candidate)} in ${environment.name} completed: promoted (${environment.artifact}:${environment.alias} moved from ${shortDigest(rollout.stable.digest)})`;
  await setStatus(c, handle(c), "success", "canary completed; promoted");
  await resolveNotice(session, result, `Resolved: ${message}.`);
  return finish(result, "completed", ExitCode.Success, message);
}

/**
 * Traffic back to stable, then the canary slot undone. The decision is recorded first: a runner
 * that dies halfway leaves a record saying "rolled back", and the next run finishes the job
 * (abort on a finished rollout sends traffic to stable again) rather than raising the canary's
 * weight back to a step's.
 */
async function rollBack(
  c: CanarySession,
  rollout: Rollout,
  decision: "rollback" | "abort",
  reasons: string[],
  analysis?: Analysis,
): Promise<CanaryResult> {
  const { session, router, routerContext, result } = c;
  const { environment } = session;
  const state = nextState(rollout, decision, analysis, { percent: 0, reasons });
  const problems: string[] = [];
  try {
    await write(
      c,
      rollout.candidate,
      "rolled-back",
      { ...baseFields(rollout, state), from: rollout.candidate.digest, to: rollout.stable.digest },
      rollout,
    );
  } catch (error) {
    // Traffic goes to stable all the same; the next run finds the router below the record and
    // holds there (it never raises it back), and an abort ends the rollout.
    problems.push(`the ${decision} was not recorded: ${oneLine(error)}`);
  }
  applyState(result, state);
  result.reasons = reasons;
  try {
    const reading = await router.setCanaryPercent(0, versionsOf(rollout), routerContext);
    result.router = reading.summary;
  } catch (error) {
    problems.push(`${oneLine(error)}: traffic may still reach the canary slot`);
  }
  const canarySession = canarySlot(c);
  const appliedAtStart = rollout.start?.record.targets ?? [];
  if (canarySession.targets.length > 0 && appliedAtStart.length === canarySession.targets.length) {
    result.targets = canarySession.targets.map(({ target }) => ({ type: target.type, status: "applied", summary: "", details: {} }));
    problems.push(
      ...(await rollbackTargets(
        canarySession,
        appliedAtStart.map((r, index) => ({ index, result: r })),
        null,
        result.targets,
      )),
    );
  }
  const what = `canary of ${label(rollout.candidate)} in ${environment.name}`;
  const verb = decision === "abort" ? "aborted" : "rolled back";
  const traffic = problems.some((p) => p.includes("traffic may still reach")) ? "" : "; all traffic to stable";
  const message = `${what} ${verb} at step ${rollout.state.step + 1} (${rollout.state.percent}%): ${reasons.join("; ")}${traffic}${problems.length > 0 ? `; ${problems.join("; ")}` : ""}`;
  await setStatus(c, handle(c), decision === "abort" ? "inactive" : "failure", `${verb}: ${reasons[0] ?? ""}`);
  await alert(c, rollout.candidate, "rolled-back", message, [...reasons, ...problems], rollout.stable.digest);
  if (problems.length > 0) return finish(result, "failed", ExitCode.External, message);
  return decision === "abort"
    ? finish(result, "aborted", ExitCode.Success, message)
    : finish(result, "rolled-back", ExitCode.GateFailed, message);
}

/** The router gives the candidate less than the record says: held there, recorded, never raised back. */
async function lowered(c: CanarySession, rollout: Rollout, reading: RouterReading): Promise<CanaryResult> {
  const why = `the router gives the candidate ${reading.canaryPercent}%, less than the rollout's ${rollout.state.percent}% (lowered by hand, a rollback whose record was lost, or a start that stopped before routing): holding without raising it; llmops canary abort ${c.session.environment.name} ends the rollout`;
  c.result.router = reading.summary;
  if (await stale(c, rollout)) return c.result;
  const state = nextState(rollout, "hold", undefined, { reasons: [why] });
  await write(c, rollout.candidate, "canary-analyzed", baseFields(rollout, state), rollout);
  applyState(c.result, state);
  c.result.decision = "hold";
  c.result.router = reading.summary;
  return finish(c.result, "held", ExitCode.Success, `canary of ${label(rollout.candidate)} in ${c.session.environment.name}: ${why}`);
}

/** The router refused the next step: nothing moved; recorded as a hold with the reason. */
async function routerFailed(c: CanarySession, rollout: Rollout, analysis: Analysis, error: unknown): Promise<CanaryResult> {
  const message = `canary of ${label(rollout.candidate)} in ${c.session.environment.name}: ${oneLine(error)}; traffic left at ${rollout.state.percent}% (step ${rollout.state.step + 1})`;
  const state = nextState(rollout, "hold", analysis, { reasons: [message] });
  await write(c, rollout.candidate, "canary-analyzed", baseFields(rollout, state), rollout);
  applyState(c.result, state);
  fail(c.result, error, message);
  await alert(c, rollout.candidate, "failed", message, [oneLine(error)], rollout.stable.digest);
  return c.result;
}

function nextState(rollout: Rollout, decision: CanaryDecision, analysis: Analysis | undefined, changes: Partial<CanaryState>): CanaryState {
  return {
    ...rollout.state,
    decision,
    metrics: analysis?.metrics ?? [],
    reasons: analysis?.reasons ?? [],
    ...(analysis?.requests ? { requests: analysis.requests } : {}),
    previous: rollout.head.digest,
    ...changes,
  };
}

function baseFields(rollout: Rollout, state: CanaryState) {
  return {
    from: rollout.stable.digest,
    to: rollout.candidate.digest,
    evidence: rollout.head.record.evidence,
    ...(rollout.start?.record.deployment ? { deployment: rollout.start.record.deployment } : {}),
    canary: state,
  };
}

function applyState(result: CanaryResult, state: CanaryState): void {
  result.step = state.step;
  result.steps = state.steps;
  result.percent = state.percent;
  result.startedAt = state.startedAt;
  result.metrics = state.metrics;
  result.reasons = state.reasons;
  if (state.requests) result.requests = state.requests;
  if (state.router) result.router = state.router;
}

function versionsOf(rollout: Rollout) {
  return { stable: targetVersion(rollout.stable), candidate: targetVersion(rollout.candidate) };
}

function finish(result: CanaryResult, outcome: CanaryResult["outcome"], exitCode: number, message: string): CanaryResult {
  result.outcome = outcome;
  result.exitCode = exitCode;
  result.message = message;
  return result;
}

function fail(result: CanaryResult, error: unknown, message: string): void {
  result.outcome = error instanceof PromotionConflictError ? "conflict" : "failed";
  result.exitCode = failureExitCode(error);
  result.message = message;
  if (error instanceof PromotionInterruptedError) result.interrupted = true;
}

/** Whether `minRequests` can only be counted from metrics (no metric has counts → impossible). */
function metricsNeedCounts(strategy: CanaryStrategyConfig): boolean {
  const counted = strategy.metrics.some(
    (m) => m.feedback !== undefined || (m.prometheus !== undefined && typeof m.prometheus !== "string"),
  );
  return !counted;
}

/** The session with the canary slot's targets (strategy.canary.targets) in place of the environment's. */
function canarySlot(c: CanarySession): Session {
  const build = c.session.options.targets ?? createTarget;
  return { ...c.session, targets: c.strategy.targets.map((config) => ({ config, target: build(config) })) };
}

/** After a failed start: the canary slot gets nothing, whatever the router did. */
async function safeZero(c: CanarySession, stable: ResolvedVersion, candidate: ResolvedVersion): Promise<void> {
  try {
    await c.router.setCanaryPercent(0, { stable: targetVersion(stable), candidate: targetVersion(candidate) }, c.routerContext);
  } catch (error) {
    c.session.logger.warn(`router not set back to 0% canary: ${oneLine(error)}`);
  }
}

/** Records a decision; a rollout whose decision could not be recorded stops here (see record's `strict`). */
async function write(
  c: CanarySession,
  subject: ResolvedVersion,
  event: PromotionEvent,
  fields: RecordFields,
  follows?: Rollout,
): Promise<void> {
  await record(c.session, c.result, subject, event, fields, { strict: true, ...(follows ? { after: follows.head.record.at } : {}) });
}

async function alert(
  c: CanarySession,
  version: ResolvedVersion,
  event: string,
  summary: string,
  reasons: string[],
  serving: string | null,
): Promise<void> {
  await notify(c.session, c.result, {
    event,
    name: version.name,
    digest: version.digest,
    version: version.version,
    serving,
    summary,
    reasons,
  });
}

/** The rollout's GitHub deployment (in_progress until it completes or rolls back); a failure is logged. */
async function startDeploymentFor(c: CanarySession, version: ResolvedVersion, description: string): Promise<DeploymentHandle | undefined> {
  try {
    return await startDeployment(c.session, version, c.result, description, { strategy: "canary" });
  } catch (error) {
    c.session.logger.warn(`no GitHub deployment: ${oneLine(error)}`);
    return undefined;
  }
}

function handle(c: CanarySession): DeploymentHandle | undefined {
  return c.result.deployment;
}

async function setStatus(
  c: CanarySession,
  deployment: DeploymentHandle | undefined,
  state: DeploymentState,
  description: string,
): Promise<void> {
  await setDeploymentStatus(c.session, deployment, state, description);
}
