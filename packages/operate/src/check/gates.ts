import { existsSync } from "node:fs";
import { isAbsolute, relative, resolve } from "node:path";
import { ExitCode, type LlmopsConfig, LlmopsError, type Logger } from "@llmops/core";
import { parseRef, type Store, type VersionOptions, type VersionResult, versionDeclared } from "@llmops/store";
import { readCheckRecords, recordCheck } from "./record.ts";
import type { CheckResult } from "./result.ts";
import { runCheck } from "./run-check.ts";

/**
 * Dataset checks as gates: before `version` stores a dataset and before `eval` reads one. One home
 * for what is checked, what a failure stops and what is recorded, used by the CLI and the actions
 * alike (a gate that only one of them ran would let the other store unchecked data).
 */

/** A check gate refused: nothing was stored (version) or no suite ran (eval). A verdict, exit 1. */
export class DatasetChecksFailedError extends LlmopsError {
  /** Each failed result with what its failure stopped ("nothing stored", "read by suite x; no suite was run"). */
  readonly failures: { result: CheckResult; stopped: string }[];
  constructor(failures: { result: CheckResult; stopped: string }[]) {
    super(failures.map(({ result, stopped }) => describeFailure(result, stopped)).join("; "), ExitCode.GateFailed);
    this.failures = failures;
  }
}

/** One line: which dataset, why, and what that stopped. */
export function describeFailure(result: CheckResult, stopped: string): string {
  return `${result.dataset.name}: failed its checks (${result.reasons.join("; ")}); ${stopped}`;
}

export interface GateContext {
  /** llmops.yaml: the artifacts' `checks:`, where their paths are relative to, and its path (for messages). */
  loaded: { config: LlmopsConfig; dir: string; file?: string };
  /** Contamination refs are read from it; opened only when one is needed. */
  openStore: () => Store;
  cwd: string;
  logger: Logger;
  signal?: AbortSignal | undefined;
}

/** What a check gate adds to a version it let through. */
export interface VersionCheck {
  passed: boolean;
  /** Digest of the check referrer; absent when the unchanged version already had one. */
  record?: string | undefined;
  result: CheckResult;
}

export type CheckedVersion = VersionResult & { check?: VersionCheck };

async function checkDirectory(context: GateContext, artifact: string, path: string): Promise<CheckResult> {
  // Named relative to the working directory: reports and job summaries show `data`, not the runner's absolute path.
  const shown = relative(context.cwd, path);
  const { result } = await runCheck({
    target: shown && !shown.startsWith("..") && !isAbsolute(shown) ? shown : path,
    artifact,
    loaded: context.loaded,
    openStore: context.openStore,
    cwd: context.cwd,
    logger: context.logger,
    ...(context.signal ? { signal: context.signal } : {}),
  });
  return result;
}

/**
 * Attaches the check result to the version just stored, naming that version as what was checked.
 * A version `reuseUnchanged` kept that already has a passed check record gets no second one (a
 * failed, foreign or unreadable record does not count).
 */
async function recordOnVersion(store: Store, version: VersionResult, result: CheckResult, logger: Logger): Promise<VersionCheck> {
  const subject = { name: version.name, digest: version.digest, version: version.version };
  if (version.unchanged && (await readCheckRecords(store, subject, { logger })).some((record) => record.result.passed))
    return { passed: result.passed, result };
  const record = await recordCheck(store, subject, { ...result, dataset: { ref: version.ref, ...subject } });
  return { passed: result.passed, record, result };
}

/**
 * Versions every declared artifact (or `only` those) like versionDeclared, with each dataset that
 * declares `checks:` checked first (unless `check` is false): one failed check stores nothing
 * (DatasetChecksFailedError), and each result is recorded on the version it checked.
 */
export async function versionDeclaredChecked(
  store: Store,
  context: Omit<GateContext, "openStore">,
  options: { only?: string[]; check: boolean; common?: Parameters<typeof versionDeclared>[1]["common"] },
): Promise<CheckedVersion[]> {
  const checked = new Map<string, CheckResult>();
  const gate = { ...context, openStore: () => store };
  const results = await versionDeclared(store, {
    artifacts: context.loaded.config.artifacts,
    configDir: context.loaded.dir,
    ...(options.only ? { only: options.only } : {}),
    ...(options.common ? { common: options.common } : {}),
    beforeVersioning: async (plan) => {
      if (!options.check) return;
      for (const { name, artifact, path } of plan) {
        // A missing path is version's to report, after this.
        if (artifact.kind !== "dataset" || !artifact.checks || !existsSync(path)) continue;
        checked.set(name, await checkDirectory(gate, name, path));
      }
      const failed = [...checked.values()].filter((result) => !result.passed);
      if (failed.length > 0) throw new DatasetChecksFailedError(failed.map((result) => ({ result, stopped: "nothing stored" })));
    },
  });
  const out: CheckedVersion[] = [];
  for (const result of results) {
    const check = checked.get(result.name);
    out.push(check ? { ...result, check: await recordOnVersion(store, result, check, context.logger) } : result);
  }
  return out;
}

/**
 * `version <path>` gated by the `checks:` llmops.yaml declares for the dataset `version.name`:
 * the directory is checked, a failure stores nothing, and the result is recorded on the version.
 */
export async function versionChecked(
  store: Store,
  context: Omit<GateContext, "openStore">,
  version: VersionOptions,
): Promise<CheckedVersion> {
  const artifact = context.loaded.config.artifacts[version.name];
  if (version.kind !== "dataset" || !artifact?.checks) {
    const file = context.loaded.file !== undefined ? relative(context.cwd, context.loaded.file) || context.loaded.file : "llmops.yaml";
    throw new NoDeclaredChecksError(version.name, version.kind, file);
  }
  const result = await checkDirectory({ ...context, openStore: () => store }, version.name, resolve(context.cwd, version.path));
  if (!result.passed) throw new DatasetChecksFailedError([{ result, stopped: "nothing stored" }]);
  const stored = await store.version(version);
  return { ...stored, check: await recordOnVersion(store, stored, result, context.logger) };
}

/** A check was asked for a path whose artifact llmops.yaml does not declare as a dataset with `checks:`. */
export class NoDeclaredChecksError extends LlmopsError {
  constructor(name: string, kind: string, file: string) {
    super(
      kind !== "dataset"
        ? `checks apply to a dataset; ${name} is versioned as a ${kind} (version it without a check)`
        : `${file} declares no artifact ${name} with checks:; add checks: under artifacts.${name} there, or version it without a check`,
      ExitCode.Usage,
    );
  }
}

/**
 * The `checks:` of each dataset version the suites read their cases from (`casesFrom: { dataset }`,
 * by the dataset's name in `artifacts:`), run before any suite: a failure throws
 * DatasetChecksFailedError naming the suites that read it. A dataset without `checks:` is
 * warned about and not checked. Each ref is resolved once and the version checked by digest; the
 * returned digests are what eval must read (EvaluateOptions.datasetDigests), so an alias moved
 * between the check and the run cannot slip an unchecked version in.
 */
export async function checkSuiteDatasets(
  context: GateContext,
  suites: readonly string[],
): Promise<{ ref: string; digest: string; result: CheckResult }[]> {
  const { config } = context.loaded;
  const selected = suites.length ? config.suites.filter((suite) => suites.includes(suite.name)) : config.suites;
  const readers = new Map<string, string[]>();
  for (const suite of selected) {
    const ref = typeof suite.casesFrom === "object" ? suite.casesFrom.dataset : undefined;
    if (ref === undefined) continue;
    if (!config.artifacts[parseRef(ref).name]?.checks) {
      context.logger.warn(`check: suite ${suite.name}: llmops.yaml declares no checks: for dataset ${ref}; not checked`);
      continue;
    }
    readers.set(ref, [...(readers.get(ref) ?? []), suite.name]);
  }
  const out: { ref: string; digest: string; result: CheckResult }[] = [];
  for (const ref of readers.keys()) {
    const version = await context.openStore().resolve(ref);
    const { result } = await runCheck({
      // By digest, and as a ref even when a directory of that name exists: what the suite will read.
      target: `${version.name}@${version.digest}`,
      targetIsRef: true,
      openStore: context.openStore,
      loaded: context.loaded,
      cwd: context.cwd,
      logger: context.logger,
      ...(context.signal ? { signal: context.signal } : {}),
    });
    context.logger.info(`check: dataset ${ref} (${version.digest}): ${result.passed ? "passed" : "FAILED"}`);
    out.push({ ref, digest: version.digest, result: { ...result, dataset: { ...result.dataset, ref } } });
  }
  const failed = out.filter(({ result }) => !result.passed);
  if (failed.length > 0) {
    throw new DatasetChecksFailedError(
      failed.map(({ ref, result }) => ({ result, stopped: `read by suite ${(readers.get(ref) ?? []).join(", ")}; no suite was run` })),
    );
  }
  return out;
}
