/** `actions/version`: read the inputs, version the path (or every declared artifact) into the chosen store, write outputs and the job summary. */
import { resolve } from "node:path";
import * as core from "@actions/core";
import { type LlmopsConfig, loadConfig, oneLine } from "@llmops/core";
import { actionInput, readActionInputs } from "@llmops/github/action-inputs";
import { type ActionContext, chooseActionStore, openActionStore, storeInputs } from "@llmops/github/action-kit";
import { renderVersionSummary, writeJobSummary } from "@llmops/github/job-summary";
import type { CheckedVersion } from "@llmops/operate";
import { provenanceFromEnv, type VersionOptions, versionDeclared } from "@llmops/store";
import { z } from "zod";

export const versionInputsSchema = z.object({
  path: actionInput.string(),
  name: actionInput.string(),
  kind: z.enum(["", "model", "dataset"], "expected model or dataset"),
  parents: actionInput.list(),
  aliases: actionInput.list(),
  labels: actionInput.lines().pipe(z.array(z.string().regex(/^[^=]+=/, "expected key=value"))),
  artifacts: actionInput.list(),
  config: actionInput.required("a config path"),
  check: actionInput.optionalBoolean(),
  ...storeInputs,
});

export type VersionInputs = z.output<typeof versionInputsSchema>;

export function readVersionInputs(getInput?: (name: string) => string): VersionInputs {
  return readActionInputs(versionInputsSchema, getInput);
}

export interface VersionActionResult {
  /** One version per artifact: the path's, or each declared artifact's in dependency order; with the check that gated it. */
  versions: CheckedVersion[];
  /** The store used (never holds credentials). */
  store: string;
}

/**
 * The check code (MinHash, PII patterns, JSON Schema) nearly doubles the bundle every version job
 * loads, and most repositories declare no checks: it is loaded only when a check will run.
 */
const loadOperate = () => import("@llmops/operate");

/**
 * With `path`: that file or directory as `name` (checked first with `check: true`, by the
 * `checks:` llmops.yaml declares for it). Without: every artifact llmops.yaml declares (or those in
 * `artifacts`), each dataset with `checks:` checked first unless `check: false`. A failed check
 * stores nothing: its report goes to the job summary and the step fails (the same gate as
 * `llmops version`).
 */
export async function versionAction(inputs: VersionInputs, context: ActionContext): Promise<VersionActionResult> {
  const provenance = provenanceFromEnv(context.env);
  const gate = (loaded: { config: LlmopsConfig; dir: string; file: string }) => ({
    loaded,
    cwd: context.workspace,
    logger: context.logger,
  });
  if (!inputs.path) {
    for (const key of ["name", "kind", "parents", "aliases", "labels"] as const) {
      if (inputs[key].length > 0) throw new Error(`input ${key}: needs a path; declared artifacts take theirs from ${inputs.config}`);
    }
    const { config, dir, file } = await loadConfig(resolve(context.workspace, inputs.config));
    const choice = await chooseActionStore(inputs, context, file);
    const store = openActionStore(choice, context);
    // Which datasets get checked is operate's rule; this only spares loading it when none declares checks.
    const anyChecks = Object.values(config.artifacts).some((artifact) => artifact.kind === "dataset" && artifact.checks);
    if (inputs.check === false || !anyChecks) {
      const versions = await versionDeclared(store, {
        artifacts: config.artifacts,
        configDir: dir,
        only: inputs.artifacts,
        common: provenance,
      });
      return { versions, store: choice.spec };
    }
    const operate = await loadOperate();
    const versions = await reportFailedChecks(context, operate, () =>
      operate.versionDeclaredChecked(store, gate({ config, dir, file }), { only: inputs.artifacts, check: true, common: provenance }),
    );
    return { versions, store: choice.spec };
  }
  if (inputs.artifacts.length > 0) throw new Error("input artifacts: applies only without a path (it names declared artifacts)");
  if (!inputs.name) throw new Error("input name: expected an artifact name with a path");
  if (!inputs.kind) throw new Error("input kind: expected model or dataset with a path");
  const choice = await chooseActionStore(inputs, context, inputs.config);
  const store = openActionStore(choice, context);
  const labels = Object.fromEntries(inputs.labels.map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
  const options: VersionOptions = {
    // Relative to the workspace, where the store is opened: errors name the path as the workflow wrote it.
    path: inputs.path,
    name: inputs.name,
    kind: inputs.kind,
    parents: inputs.parents,
    aliases: inputs.aliases,
    labels,
    ...provenance,
  };
  if (inputs.check !== true) return { versions: [await store.version(options)], store: choice.spec };
  const loaded = await loadConfig(resolve(context.workspace, inputs.config));
  const operate = await loadOperate();
  const version = await reportFailedChecks(context, operate, () => operate.versionChecked(store, gate(loaded), options));
  return { versions: [version], store: choice.spec };
}

/** A refused check gate: each failed report in the job summary, then the step fails with the one-line reasons. */
async function reportFailedChecks<T>(
  context: ActionContext,
  { DatasetChecksFailedError, renderCheckMarkdown }: Awaited<ReturnType<typeof loadOperate>>,
  step: () => Promise<T>,
): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof DatasetChecksFailedError) {
      // The refusal itself must reach the step's failure even where no job summary can be written.
      await writeJobSummary(error.failures.map(({ result }) => renderCheckMarkdown(result)).join("\n")).catch((e: unknown) =>
        context.logger.warn(`job summary: ${oneLine(e)}`),
      );
    }
    throw error;
  }
}

export async function writeVersionOutputs(result: VersionActionResult): Promise<void> {
  const { versions } = result;
  // The single-version outputs name the one version; with several, `versions` lists them all.
  const only = versions.length === 1 ? versions[0] : undefined;
  core.setOutput("digest", only?.digest ?? "");
  core.setOutput("version", only?.version ?? "");
  core.setOutput("ref", only?.ref ?? "");
  core.setOutput(
    "versions",
    JSON.stringify(
      versions.map((v) => ({
        name: v.name,
        ref: v.ref,
        digest: v.digest,
        unchanged: v.unchanged ?? false,
        ...(v.check ? { check: { passed: v.check.passed, ...(v.check.record ? { record: v.check.record } : {}) } } : {}),
      })),
    ),
  );
  core.setOutput("uploaded-bytes", String(versions.reduce((sum, v) => sum + v.uploadedBytes, 0)));
  core.setOutput("reused-bytes", String(versions.reduce((sum, v) => sum + v.reusedBytes, 0)));
  core.setOutput("store", result.store);
  // Only a checked version needs the check's renderer (and the code loaded with it).
  const renderCheck = versions.some((v) => v.check) ? (await loadOperate()).renderCheckMarkdown : undefined;
  await writeJobSummary(
    versions
      .map((v) => [renderVersionSummary(v, result.store), ...(v.check && renderCheck ? [renderCheck(v.check.result)] : [])].join("\n"))
      .join("\n"),
  );
}
