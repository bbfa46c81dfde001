import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import {
  type ArtifactConfig,
  type ChecksConfigInput,
  InputError,
  type LlmopsConfig,
  type Logger,
  type ResolvedVersion,
  resolveInside,
  UsageError,
} from "@llmops/core";
import { parseRef, type Store } from "@llmops/store";
import type { AgainstSource } from "./against.ts";
import { checkDataset } from "./check-dataset.ts";
import { recordCheck } from "./record.ts";
import type { CheckResult, CheckSubject } from "./result.ts";

/** What `<REF|DIR>` names: a path that exists on disk is a directory (or a file); anything else is a ref. */
export type DatasetInput = { kind: "path"; path: string } | { kind: "version"; ref: string };

export function datasetInput(text: string, cwd: string): DatasetInput {
  if (existsSync(resolve(cwd, text))) return { kind: "path", path: resolve(cwd, text) };
  if (/[:@]/.test(text)) {
    parseRef(text); // an InputError naming what a ref looks like
    return { kind: "version", ref: text };
  }
  throw new InputError(`${text}: no such file or directory, and not a ref (name:alias, name:vN or name@sha256:…)`);
}

export interface RunCheckOptions {
  /** `<REF|DIR>`: a dataset version in the store, or a directory or case file. */
  target: string;
  /** `target` is a ref whatever is on disk (a gate checking what a suite will read from the store). */
  targetIsRef?: boolean;
  /** `--against` refs or paths; empty/absent: the artifact's `checks.contamination.against`. */
  against?: readonly string[];
  /** Opens the store; called only when a ref must be read or a record written. */
  openStore: () => Store;
  /** llmops.yaml, when there is one: the artifacts' `checks:` come from it. */
  loaded?: { config: LlmopsConfig; dir: string };
  /** The declared artifact a directory is (default: the one whose `path` it is). */
  artifact?: string;
  redactTo?: string;
  /** Attach the result to the dataset version as a check referrer. */
  record?: boolean;
  cwd: string;
  logger: Logger;
  signal?: AbortSignal;
  tempDir?: string;
}

export interface RunCheckOutcome {
  result: CheckResult;
  /** The version checked (for a ref). */
  version?: ResolvedVersion;
  /** Digest of the check referrer, with `record`. */
  record?: string;
}

/** The declared artifact for a ref's name, or for a directory: by name when given, else by its path. */
function artifactFor(
  input: DatasetInput,
  loaded: RunCheckOptions["loaded"],
  named: string | undefined,
): { name: string; config: ArtifactConfig } | undefined {
  const artifacts = loaded?.config.artifacts ?? {};
  if (named !== undefined) {
    const config = artifacts[named];
    if (!config) throw new InputError(`--artifact ${named}: llmops.yaml declares no such artifact`);
    return { name: named, config };
  }
  if (input.kind === "version") {
    const name = parseRef(input.ref).name;
    const config = artifacts[name];
    return config ? { name, config } : undefined;
  }
  for (const [name, config] of Object.entries(artifacts)) {
    if (loaded && resolve(loaded.dir, config.path) === input.path) return { name, config };
  }
  return undefined;
}

/**
 * `llmops check`: materializes refs from the store into a scratch directory (hard links from a
 * layout store, so nothing is copied), finds each artifact's `checks:` in llmops.yaml, runs
 * checkDataset, and with `record` attaches the result to the version checked. The scratch
 * directory is removed whatever happens.
 */
export async function runCheck(options: RunCheckOptions): Promise<RunCheckOutcome> {
  if (options.targetIsRef) parseRef(options.target); // an InputError naming what a ref looks like
  const target: DatasetInput = options.targetIsRef ? { kind: "version", ref: options.target } : datasetInput(options.target, options.cwd);
  if (options.record && target.kind !== "version") {
    throw new UsageError("--record needs a dataset version (a ref such as acme/train:v3) to attach the result to, not a directory");
  }
  const artifact = artifactFor(target, options.loaded, options.artifact);
  const checks: ChecksConfigInput = artifact?.config.checks ?? {};
  let store: Store | undefined;
  const getStore = () => {
    store ??= options.openStore();
    return store;
  };
  const scratch = await mkdtemp(join(options.tempDir ?? tmpdir(), "llmops-check-input-"));
  try {
    let n = 0;
    const materialize = async (ref: string): Promise<{ path: string; subject: CheckSubject; version: ResolvedVersion }> => {
      const version = await getStore().resolve(ref);
      const dir = join(scratch, `dataset-${n++}`);
      await getStore().materialize(`${version.name}@${version.digest}`, dir);
      return {
        path: dir,
        version,
        subject: { ref, name: version.name, digest: version.digest, ...(version.version ? { version: version.version } : {}) },
      };
    };

    let path: string;
    let subject: CheckSubject;
    let version: ResolvedVersion | undefined;
    if (target.kind === "version") {
      ({ path, subject, version } = await materialize(target.ref));
    } else {
      path = target.path;
      subject = { ref: options.target, name: artifact?.name ?? options.target };
    }

    const againstInputs = options.against && options.against.length > 0 ? options.against : (checks.contamination?.against ?? []);
    const against: AgainstSource[] = [];
    const fromCommandLine = options.against !== undefined && options.against.length > 0;
    for (const text of againstInputs) {
      // Command-line paths are the caller's own, relative to the working directory. Configured
      // ones come with llmops.yaml (a pull request can change it): relative to it, and never
      // outside its directory, or a check would read, and report on, any file of the machine.
      const base = fromCommandLine ? options.cwd : (options.loaded?.dir ?? options.cwd);
      let input = datasetInput(text, base);
      if (!fromCommandLine && input.kind === "path")
        input = { kind: "path", path: await resolveInside(text, base, "checks.contamination.against") };
      const declared = artifactFor(input, options.loaded, undefined)?.config.checks;
      const own = { ...(declared?.fields ? { fields: declared.fields } : {}), ...(declared?.files ? { files: declared.files } : {}) };
      if (input.kind === "version") {
        const fetched = await materialize(input.ref);
        against.push({ path: fetched.path, subject: fetched.subject, ...own });
      } else against.push({ path: input.path, subject: { ref: text, name: text }, ...own });
    }

    const result = await checkDataset({
      path,
      subject,
      config: checks,
      configDir: options.loaded?.dir ?? options.cwd,
      cwd: options.cwd,
      against,
      logger: options.logger,
      ...(options.redactTo ? { redactTo: resolve(options.cwd, options.redactTo) } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      tempDir: options.tempDir ?? tmpdir(),
    });
    const outcome: RunCheckOutcome = { result, ...(version ? { version } : {}) };
    if (options.record && version) outcome.record = await recordCheck(getStore(), version, result);
    return outcome;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
