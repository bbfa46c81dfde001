import { randomUUID } from "node:crypto";
import {
  ExitCode,
  type LoadedConfig,
  type Logger,
  loadConfig,
  oneLine,
  type ResolvedVersion,
  runUrlFromEnv,
  type TargetConfig,
} from "@llmops/core";
import { AliasConflictError, provenanceFromEnv, type Store } from "@llmops/store";
import { type ResolvedEnvironment, resolveEnvironment, shortDigest } from "./environment.ts";
import { failureExitCode, PromotionConflictError } from "./errors.ts";
import type { DeploymentHandle, DeploymentState, GitHubSeams } from "./github-seams.ts";
import { type Alert, type Notification, notifyAlert, resolveAlert } from "./notify.ts";
import { type ApproverRecord, type PromotionEvent, type PromotionRecordInput, recordTime, writePromotionRecord } from "./records.ts";
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
  result: PromotionResult,
  description: string,
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

export function targetContext(session: Session): TargetContext {
  return {
    store: session.store,
    environment: session.environment.name,
    promotionId: session.id,
    configDir: session.loaded.dir,
    env: session.env,
    logger: session.logger,
    github: session.github,
    ...(session.options.signal ? { signal: session.options.signal } : {}),
  };
}

/** A target failed; those before it were rolled back (or tried to be: `rollbackErrors`). */
export class TargetsFailed extends Error {
  readonly error: unknown;
  readonly rollbackErrors: string[];
  constructor(error: unknown, rollbackErrors: string[]) {
    super(oneLine(error));
    this.error = error;
    this.rollbackErrors = rollbackErrors;
  }
}

/**
 * Applies every target in order. When one fails, the ones already applied are rolled back in
 * reverse order to `previous` and TargetsFailed is thrown; `steps` says what happened to each.
 */
export async function applyTargets(
  session: Session,
  version: TargetVersion,
  previous: TargetVersion | null,
  steps: TargetStep[],
): Promise<TargetResult[]> {
  const context = targetContext(session);
  const applied: { index: number; result: TargetResult }[] = [];
  for (const [index, { target }] of session.targets.entries()) {
    try {
      session.logger.info(`target ${index + 1}/${session.targets.length} (${target.type}): applying ${label(version)}`);
      const result = await target.apply(version, context);
      applied.push({ index, result });
      steps[index] = { type: target.type, status: "applied", summary: result.summary, details: result.details };
    } catch (error) {
      steps[index] = { type: target.type, status: "failed", summary: `${target.type} failed`, details: {}, error: oneLine(error) };
      session.logger.error(`target ${target.type} failed: ${oneLine(error)}`);
      const rollbackErrors = await rollbackTargets(session, applied, previous, steps);
      throw new TargetsFailed(error, rollbackErrors);
    }
  }
  return applied.map((a) => a.result);
}

/** Rolls back applied targets in reverse order; returns what could not be rolled back. */
export async function rollbackTargets(
  session: Session,
  applied: { index: number; result: TargetResult }[],
  previous: TargetVersion | null,
  steps: TargetStep[],
): Promise<string[]> {
  const context = targetContext(session);
  const errors: string[] = [];
  for (const { index, result } of [...applied].reverse()) {
    const entry = session.targets[index]!;
    try {
      session.logger.info(`target ${entry.target.type}: rolling back to ${previous ? label(previous) : "nothing"}`);
      const undone = await entry.target.rollback(previous, result, context);
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

/** Writes a record; a failure to write is logged and leaves the outcome as it is. */
export async function record(
  session: Session,
  result: PromotionResult,
  subject: ResolvedVersion,
  event: PromotionEvent,
  fields: Omit<
    PromotionRecordInput,
    "schemaVersion" | "event" | "id" | "environment" | "name" | "alias" | "at" | "actor" | "runUrl" | "git"
  >,
): Promise<void> {
  try {
    const digest = await writePromotionRecord(session.store, subject, {
      schemaVersion: 1,
      event,
      id: session.id,
      environment: session.environment.name,
      name: session.environment.artifact,
      alias: session.environment.alias,
      at: recordTime(session.now),
      ...(session.actor ? { actor: session.actor } : {}),
      ...(session.runUrl ? { runUrl: session.runUrl } : {}),
      git: session.git,
      ...fields,
    });
    result.records.push({ event, digest });
  } catch (error) {
    session.logger.error(`promotion record (${event}) not written: ${oneLine(error)}`);
  }
}

export async function notify(
  session: Session,
  result: PromotionResult,
  alert: Omit<Alert, "environment" | "promotionId" | "actor" | "runUrl">,
): Promise<void> {
  const sent = await notifyAlert(
    { ...alert, environment: session.environment.name, promotionId: session.id, actor: session.actor, runUrl: session.runUrl },
    notifyOptions(session),
  );
  result.notifications.push(...sent);
}

export async function resolveNotice(session: Session, result: PromotionResult, comment: string): Promise<void> {
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
  return result;
}
