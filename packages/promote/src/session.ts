import { randomUUID } from "node:crypto";
import {
  type ApproverRecord,
  ExitCode,
  type LoadedConfig,
  type Logger,
  loadConfig,
  oneLine,
  type PromotionEvent,
  type PromotionRecordInput,
  type ResolvedVersion,
  runUrlFromEnv,
  type TargetConfig,
} from "@llmops/core";
import { AliasConflictError, provenanceFromEnv, type Store } from "@llmops/store";
import { currentAlias, type ResolvedEnvironment, resolveEnvironment, shortDigest } from "./environment.ts";
import { failureExitCode, PromotionConflictError, PromotionInterruptedError } from "./errors.ts";
import type { DeploymentHandle, DeploymentState, GitHubSeams } from "./github-seams.ts";
import { type Alert, type Notification, notifyAlert, resolveAlert } from "./notify.ts";
import { recordTime, writePromotionRecord } from "./records.ts";
import { checkRequirements, type RequirementCheck } from "./requirements.ts";
import type { PromotionResult, TargetStep } from "./result.ts";
import type { Target, TargetContext, TargetResult, TargetVersion } from "./target.ts";

import { createTarget } from "./targets/index.ts";

/** What promote, rollback and status share: where the config, the store and GitHub are, and who acts. */
export interface PromotionContextOptions {
  store: Store;
  /** Directory the config path (and the CLI's relative paths) resolve from. */
  cwd: string;
  /** Path of llmops.yaml, relative to cwd (default `llmops.yaml`). */
  config?: string | undefined;
  /** The process environment (`{{env.NAME}}`, secrets, GITHUB_*); default process.env. */
  env?: NodeJS.ProcessEnv | undefined;
  logger: Logger;
  /** Deployments, approvals, alert issues, repository files; each optional (none outside GitHub). */
  github?: GitHubSeams | undefined;
  /** The commit and ref the workflow runs on; default GITHUB_SHA / GITHUB_REF. */
  git?: { commit?: string | undefined; ref?: string | undefined } | undefined;
  /** Default GITHUB_ACTOR (or USER). */
  actor?: string | undefined;
  /** The workflow run's URL; default from GITHUB_SERVER_URL, GITHUB_REPOSITORY and GITHUB_RUN_ID. */
  runUrl?: string | undefined;
  /** Builds a target from its config; default the registry of `./targets/index.ts`. */
  targets?: ((config: TargetConfig) => Target) | undefined;
  now?: (() => Date) | undefined;
  signal?: AbortSignal | undefined;
  /** Keep the smoke run's outputs here (default: a temporary directory, removed). */
  smokeOut?: string | undefined;
  /** Pause before the notification webhook's retry (default 1 s). */
  notifyRetryDelayMs?: number | undefined;
}

export interface Session {
  options: PromotionContextOptions;
  store: Store;
  loaded: LoadedConfig;
  environment: ResolvedEnvironment;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  github: GitHubSeams;
  id: string;
  actor: string | undefined;
  runUrl: string | undefined;
  git: { commit?: string; ref?: string };
  targets: { config: TargetConfig; target: Target }[];
  now: () => Date;
}

/** Loads the config, resolves the environment (checking `ref`'s artifact) and builds its targets. */
export async function openSession(options: PromotionContextOptions, environment: string, ref?: string): Promise<Session> {
  const env = options.env ?? process.env;
  const loaded = await loadConfig(options.config, { cwd: options.cwd });
  const resolved = resolveEnvironment(loaded.config, environment, ref);
  const build = options.targets ?? createTarget;
  const provenance = provenanceFromEnv(env);
  const git: { commit?: string; ref?: string } = {};
  const commit = options.git?.commit ?? provenance.git?.commit;
  const gitRef = options.git?.ref ?? provenance.git?.ref;
  if (commit) git.commit = commit;
  if (gitRef) git.ref = gitRef;
  return {
    options,
    store: options.store,
    loaded,
    environment: resolved,
    env,
    logger: options.logger,
    github: options.github ?? {},
    id: randomUUID(),
    actor: options.actor ?? provenance.actor,
    runUrl: options.runUrl ?? runUrlFromEnv(env),
    git,
    targets: resolved.config.targets.map((config) => ({ config, target: build(config) })),
    now: options.now ?? (() => new Date()),
  };
}

/** The environment's requirements checked for `version` against the store, as promote and canary start do. */
export async function requirementsOf(session: Session, version: ResolvedVersion): Promise<RequirementCheck[]> {
  return checkRequirements({
    store: session.store,
    config: session.loaded.config,
    environment: session.environment.name,
    version,
    ...(session.github.defaultBranch ? { defaultBranch: session.github.defaultBranch } : {}),
    now: session.now(),
    logger: session.logger,
  });
}

/** A fresh result, filled in as the promotion proceeds. */
export function draftResult(
  session: Session,
  command: PromotionResult["command"],
  version: ResolvedVersion,
  from: string | null,
): PromotionResult {
  return {
    schemaVersion: 1,
    command,
    outcome: "failed",
    exitCode: ExitCode.External,
    message: "",
    id: session.id,
    environment: session.environment.name,
    name: version.name,
    alias: session.environment.alias,
    digest: version.digest,
    ...(version.version ? { version: version.version } : {}),
    from,
    serving: from,
    requirements: [],
    evidence: [],
    approvers: [],
    targets: session.targets.map(({ target }) => ({ type: target.type, status: "not-run", summary: "", details: {} })),
    records: [],
    notifications: [],
    dryRun: false,
  };
}

export function targetVersion(version: ResolvedVersion): TargetVersion {
  return { name: version.name, digest: version.digest, ...(version.version ? { version: version.version } : {}) };
}

/** `name v3 (sha256:…)` or `name@sha256:…`. */
export function label(version: { name: string; digest: string; version?: string | undefined }): string {
  return version.version
    ? `${version.name} ${version.version} (${shortDigest(version.digest)})`
    : `${version.name}@${shortDigest(version.digest)}`;
}

export async function approversOf(session: Session): Promise<ApproverRecord[]> {
  if (!session.github.approvals) return [];
  try {
    const approvers = await session.github.approvals.forCurrentRun();
    return approvers
      .filter((a) => a.environments.length === 0 || a.environments.includes(session.environment.name))
      .map((a) => ({ login: a.login, state: a.state, ...(a.comment ? { comment: a.comment } : {}) }));
  } catch (error) {
    session.logger.warn(`approvals of this run not read: ${oneLine(error)}`);
    return [];
  }
}

/** Creates the GitHub deployment (in_progress) when the seam is there; undefined otherwise. */
export async function startDeployment(
  session: Session,
  version: ResolvedVersion,
  result: Pick<PromotionResult, "evidence" | "deployment">,
  description: string,
  payload: Record<string, unknown> = {},
): Promise<DeploymentHandle | undefined> {
  const deployments = session.github.deployments;
  if (!deployments) return undefined;
  const ref = session.git.commit ?? session.git.ref;
  if (!ref) {
    session.logger.warn("no GitHub deployment: the commit is unknown (GITHUB_SHA is not set)");
    return undefined;
  }
  const handle = await deployments.create({
    environment: session.environment.name,
    ref,
    description,
    payload: {
      model: version.name,
      digest: version.digest,
      ...(version.version ? { version: version.version } : {}),
      evidence: result.evidence.map((e) => e.digest),
      promotionId: session.id,
      ...payload,
    },
    productionEnvironment: session.environment.production,
    transientEnvironment: session.environment.config.transient,
  });
  result.deployment = { id: handle.id, url: handle.url };
  await setDeploymentStatus(session, handle, "in_progress", description);
  return handle;
}

/** Sets a deployment status; a failure is logged, never thrown (the promotion's outcome stands). */
export async function setDeploymentStatus(
  session: Session,
  handle: DeploymentHandle | undefined,
  state: DeploymentState,
  description: string,
): Promise<void> {
  if (!handle || !session.github.deployments) return;
  try {
    await session.github.deployments.setStatus(handle, state, {
      // GitHub caps a status description at 140 characters.
      description: description.length > 140 ? `${description.slice(0, 139)}…` : description,
      ...(session.environment.config.url ? { environmentUrl: session.environment.config.url } : {}),
      ...(session.runUrl ? { logUrl: session.runUrl } : {}),
    });
  } catch (error) {
    session.logger.warn(`deployment ${handle.id}: status ${state} not set: ${oneLine(error)}`);
  }
}

/** What targets get: with the caller's signal for apply; without it for rollback, which must finish even after an interruption. */
export function targetContext(session: Session, options: { signal?: boolean } = {}): TargetContext {
  const signal = options.signal !== false ? session.options.signal : undefined;
  return {
    store: session.store,
    environment: session.environment.name,
    promotionId: session.id,
    configDir: session.loaded.dir,
    env: session.env,
    logger: session.logger,
    github: session.github,
    ...(signal ? { signal } : {}),
  };
}

/** Whether the caller's signal aborted (SIGINT/SIGTERM, a cancelled job). */
export function interrupted(session: Session): boolean {
  return session.options.signal?.aborted === true;
}

/** Throws PromotionInterruptedError when the caller's signal aborted. */
export function checkInterrupted(session: Session): void {
  if (interrupted(session)) throw new PromotionInterruptedError(session.options.signal?.reason);
}

/**
 * What targets go back to when a promotion is undone: what the alias names now. That is
 * `previous` (the version at `from`) unless the alias moved meanwhile (a concurrent promotion won
 * the compare-and-swap): then the version it names now, so the targets serve what the alias says,
 * not what it said when this promotion started. `moved` says which; null: undo apply.
 */
export async function undoTarget(session: Session, from: string | null, previous: TargetVersion | null): Promise<Undone> {
  const { store, environment } = session;
  try {
    const now = await currentAlias(store, environment.artifact, environment.alias);
    if (now === from) return { version: previous, moved: false };
    return { version: now ? targetVersion(await store.resolve(`${environment.artifact}@${now}`)) : null, moved: true };
  } catch (error) {
    session.logger.warn(
      `${environment.artifact}:${environment.alias} not read again (${oneLine(error)}); undoing to the version it named before`,
    );
    return { version: previous, moved: false };
  }
}

/** Where undoing sent the targets; `moved`: the alias moved on meanwhile (see undoTarget). */
export interface Undone {
  version: TargetVersion | null;
  moved: boolean;
}

/** A target failed; those before it were rolled back (or tried to be: `rollbackErrors`) to `undone`. */
export class TargetsFailed extends Error {
  readonly error: unknown;
  readonly rollbackErrors: string[];
  readonly undone: Undone | undefined;
  constructor(error: unknown, rollbackErrors: string[], undone?: Undone) {
    super(oneLine(error));
    this.error = error;
    this.rollbackErrors = rollbackErrors;
    this.undone = undone;
  }
}

/**
 * Applies the targets in order. A `pending` result (a pull request to merge) stops there: later
 * targets stay `not-run` and the caller ends the promotion `proposed`. When one fails, or the
 * caller's signal aborts, the ones already applied are rolled back in reverse order to
 * `undo()` (what the alias names by then) and TargetsFailed is thrown (its error a
 * PromotionInterruptedError for an abort); `steps` says what happened to each.
 */
export async function applyTargets(
  session: Session,
  version: TargetVersion,
  undo: () => Promise<Undone>,
  steps: TargetStep[],
): Promise<TargetResult[]> {
  const context = targetContext(session);
  const applied: { index: number; result: TargetResult }[] = [];
  const fail = async (error: unknown): Promise<never> => {
    const undone = await undo();
    const rollbackErrors = await rollbackTargets(session, applied, undone.version, steps);
    throw new TargetsFailed(error, rollbackErrors, undone);
  };
  for (const [index, { target }] of session.targets.entries()) {
    if (interrupted(session)) break;
    try {
      session.logger.info(`target ${index + 1}/${session.targets.length} (${target.type}): applying ${label(version)}`);
      const result = await target.apply(version, context);
      applied.push({ index, result });
      const status = result.pending ? "pending" : "applied";
      steps[index] = { type: target.type, status, summary: result.summary, details: result.details };
      if (result.pending) {
        session.logger.info(`target ${target.type}: ${result.summary} is pending; later targets wait until it is in place`);
        break;
      }
    } catch (error) {
      const stopped = interrupted(session);
      steps[index] = {
        type: target.type,
        status: "failed",
        summary: `${target.type} failed`,
        details: {},
        error: stopped ? "interrupted" : oneLine(error),
      };
      session.logger.error(`target ${target.type} ${stopped ? "interrupted" : `failed: ${oneLine(error)}`}`);
      await fail(stopped ? new PromotionInterruptedError(session.options.signal?.reason) : error);
    }
  }
  if (interrupted(session)) {
    session.logger.error("interrupted: undoing the targets applied");
    await fail(new PromotionInterruptedError(session.options.signal?.reason));
  }
  return applied.map((a) => a.result);
}

/**
 * Rolls back applied targets in reverse order to `to` (null: undo apply); returns what could not
 * be rolled back. Targets get no abort signal here: an interruption is what this cleans up after.
 */
export async function rollbackTargets(
  session: Session,
  applied: { index: number; result: TargetResult }[],
  to: TargetVersion | null,
  steps: TargetStep[],
): Promise<string[]> {
  const context = targetContext(session, { signal: false });
  const errors: string[] = [];
  for (const { index, result } of [...applied].reverse()) {
    const entry = session.targets[index]!;
    try {
      session.logger.info(`target ${entry.target.type}: rolling back to ${to ? label(to) : "nothing"}`);
      const undone = await entry.target.rollback(to, result, context);
      steps[index] = { type: entry.target.type, status: "rolled-back", summary: undone.summary, details: undone.details };
    } catch (error) {
      const message = `rollback of target ${entry.target.type} failed: ${oneLine(error)}`;
      session.logger.error(message);
      errors.push(message);
      const step = steps[index];
      if (step) step.error = oneLine(error);
    }
  }
  return errors;
}

/** Moves `name:alias` to `digest` only if it still points at `expected` (null: does not exist yet). */
export async function compareAndSwapAlias(session: Session, digest: string, expected: string | null): Promise<void> {
  const { store } = session;
  const { artifact: name, alias, name: environment } = session.environment;
  const who = { ...(session.actor ? { actor: session.actor } : {}), ...(session.runUrl ? { runUrl: session.runUrl } : {}) };
  try {
    await store.tag(`${name}@${digest}`, alias, { expect: expected, ...who });
  } catch (error) {
    if (error instanceof AliasConflictError) throw new PromotionConflictError(environment, expected, error.found);
    throw error;
  }
}

/** What a caller puts in a record; the session fills in the rest. */
export type RecordFields = Omit<
  PromotionRecordInput,
  "schemaVersion" | "event" | "id" | "environment" | "name" | "alias" | "at" | "actor" | "runUrl" | "git"
>;

/**
 * Writes a record; a failure to write is logged and leaves the outcome as it is, unless `strict`
 * (a canary's state: a rollout whose decision was not recorded must not look as if it went on).
 */
export async function record(
  session: Session,
  result: Pick<PromotionResult, "records">,
  subject: ResolvedVersion,
  event: PromotionEvent,
  fields: RecordFields,
  options: { strict?: boolean; after?: string } = {},
): Promise<void> {
  try {
    // Later than `after` (the record it follows, which another runner's clock may have stamped).
    let at = recordTime(session.now);
    if (options.after !== undefined && at <= options.after) at = new Date(Date.parse(options.after) + 1).toISOString();
    const digest = await writePromotionRecord(session.store, subject, {
      schemaVersion: 1,
      event,
      id: session.id,
      environment: session.environment.name,
      name: session.environment.artifact,
      alias: session.environment.alias,
      at,
      ...(session.actor ? { actor: session.actor } : {}),
      ...(session.runUrl ? { runUrl: session.runUrl } : {}),
      git: session.git,
      ...fields,
    });
    result.records.push({ event, digest });
  } catch (error) {
    if (options.strict) throw error;
    session.logger.error(`promotion record (${event}) not written: ${oneLine(error)}`);
  }
}

export async function notify(
  session: Session,
  result: Pick<PromotionResult, "notifications">,
  alert: Omit<Alert, "environment" | "promotionId" | "actor" | "runUrl">,
): Promise<void> {
  const sent = await notifyAlert(
    { ...alert, environment: session.environment.name, promotionId: session.id, actor: session.actor, runUrl: session.runUrl },
    notifyOptions(session),
  );
  result.notifications.push(...sent);
}

export async function resolveNotice(session: Session, result: Pick<PromotionResult, "notifications">, comment: string): Promise<void> {
  const done: Notification[] = await resolveAlert(session.environment.name, comment, notifyOptions(session));
  result.notifications.push(...done);
}

function notifyOptions(session: Session) {
  return {
    config: session.loaded.config.notify,
    alerts: session.github.alerts,
    env: session.env,
    logger: session.logger,
    ...(session.options.notifyRetryDelayMs !== undefined ? { retryDelayMs: session.options.notifyRetryDelayMs } : {}),
  };
}

/** Ends a result as a failure: exit code from the error, message one line. */
export function failResult(result: PromotionResult, error: unknown, message: string): PromotionResult {
  result.outcome = error instanceof PromotionConflictError ? "conflict" : "failed";
  result.exitCode = failureExitCode(error);
  result.message = message;
  if (error instanceof PromotionInterruptedError) result.interrupted = true;
  return result;
}

export function deploymentField(result: PromotionResult): { deployment?: { id: number; url: string } } {
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

/** What promote and rollback deploy, and the texts and record fields that differ between them. */
export interface DeployPlan {
  version: ResolvedVersion;
  /** What the alias must still name for its compare-and-swap move. */
  expected: string | null;
  /** Where targets go back to when it fails (see undoTarget). */
  undo: () => Promise<Undone>;
  /** Fields every record of this run carries. */
  base: Pick<RecordFields, "from" | "to" | "evidence" | "approvers">;
  /** The deployment's description while it runs: `promoting …`. */
  starting: string;
  /** The failure message's start, `promotion of …`; ` failed: <why>` follows. */
  failed: string;
  /** The deployment status description for a failure that is neither a conflict nor an interruption. */
  failedStatus: string;
}

/** A version deployed: its targets applied (up to a pending one), and the alias moved unless `pending`. */
export interface Deployed {
  deployment: DeploymentHandle | undefined;
  applied: TargetResult[];
  pending: boolean;
}

/**
 * Starts the deployment, applies the targets and, unless one is pending, moves the alias by
 * compare-and-swap. On failure (or an abort) the applied targets are rolled back to `plan.undo()`
 * and `result` is finished as failed: deployment status, `failed` record, alert; null then.
 */
export async function deployVersion(session: Session, result: PromotionResult, plan: DeployPlan): Promise<Deployed | null> {
  const { environment } = session;
  const { version } = plan;
  let deployment: DeploymentHandle | undefined;
  let applied: TargetResult[] = [];
  try {
    checkInterrupted(session);
    deployment = await startDeployment(session, version, result, plan.starting);
    applied = await applyTargets(session, targetVersion(version), plan.undo, result.targets);
    const pending = applied.some((r) => r.pending);
    if (!pending) {
      checkInterrupted(session);
      await compareAndSwapAlias(session, version.digest, plan.expected);
    }
    return { deployment, applied, pending };
  } catch (error) {
    const cause = error instanceof TargetsFailed ? error.error : error;
    let rollbackErrors = error instanceof TargetsFailed ? error.rollbackErrors : [];
    let undone = error instanceof TargetsFailed ? error.undone : undefined;
    if (!(error instanceof TargetsFailed) && applied.length > 0) {
      // The alias move failed (or the run was interrupted) after every target was applied: put
      // them back to what the alias names now, which after a lost race is the winner's version.
      undone = await plan.undo();
      rollbackErrors = await rollbackTargets(
        session,
        applied.map((r, index) => ({ index, result: r })),
        undone.version,
        result.targets,
      );
    }
    const why = [oneLine(cause)];
    if (undone?.moved) {
      why.push(
        `targets re-pointed at ${undone.version ? label(undone.version) : "nothing"}, what ${environment.artifact}:${environment.alias} names now`,
      );
    }
    why.push(...rollbackErrors);
    failResult(result, cause, `${plan.failed} failed: ${why.join("; ")}`);
    if (rollbackErrors.length > 0) result.exitCode = ExitCode.External;
    if (undone?.moved) result.serving = undone.version?.digest ?? null;
    await setDeploymentStatus(
      session,
      deployment,
      cause instanceof PromotionInterruptedError ? "error" : "failure",
      cause instanceof PromotionConflictError
        ? "alias moved concurrently"
        : cause instanceof PromotionInterruptedError
          ? "interrupted"
          : plan.failedStatus,
    );
    await record(session, result, version, "failed", {
      ...plan.base,
      targets: stepsAsResults(result),
      ...deploymentField(result),
      reason: why.join("; "),
    });
    await notify(session, result, {
      event: result.outcome === "conflict" ? "conflict" : "failed",
      name: version.name,
      digest: version.digest,
      version: version.version,
      serving: result.serving,
      summary: result.message,
      reasons: why,
    });
    return null;
  }
}

/**
 * A target only proposed the change (a gitops pull request): nothing is in service, so the alias
 * stays and nothing is rolled back (targets after it did not run). Exit 0: merging is the next
 * step, and running the same command again then finishes it. `where` names each pending target's
 * change; `message` gets them joined.
 */
export async function propose(
  session: Session,
  result: PromotionResult,
  plan: Pick<DeployPlan, "version" | "base">,
  deployed: Deployed,
  where: (pending: TargetResult) => string,
  message: (where: string) => string,
): Promise<PromotionResult> {
  const places = deployed.applied
    .filter((r) => r.pending)
    .map(where)
    .join(", ");
  result.outcome = "proposed";
  result.exitCode = ExitCode.Success;
  result.message = message(places);
  session.logger.info(result.message);
  await record(session, result, plan.version, "proposed", {
    ...plan.base,
    targets: deployed.applied,
    ...deploymentField(result),
    reason: `awaiting merge of ${places}`,
  });
  await setDeploymentStatus(session, deployed.deployment, "queued", `awaiting merge of ${places}`);
  return result;
}
