/** `actions/version`: read the inputs, version the directory into the chosen store, write outputs and the job summary. */
import * as core from "@actions/core";
import { actionInput, readActionInputs } from "@llmops/github/action-inputs";
import { type ActionContext, chooseActionStore, openActionStore, storeInputs } from "@llmops/github/action-kit";
import { renderVersionSummary, writeJobSummary } from "@llmops/github/job-summary";
import { provenanceFromEnv, type VersionResult } from "@llmops/store";
import { z } from "zod";

export const versionInputsSchema = z.object({
  path: actionInput.required("a file or directory"),
  name: actionInput.required("an artifact name"),
  kind: z.enum(["model", "dataset"], "expected model or dataset"),
  parents: actionInput.list(),
  aliases: actionInput.list(),
  labels: actionInput.lines().pipe(z.array(z.string().regex(/^[^=]+=/, "expected key=value"))),
  ...storeInputs,
});

export type VersionInputs = z.output<typeof versionInputsSchema>;

export function readVersionInputs(getInput?: (name: string) => string): VersionInputs {
  return readActionInputs(versionInputsSchema, getInput);
}

export interface VersionActionResult {
  version: VersionResult;
  /** The store used (never holds credentials). */
  store: string;
}

export async function versionAction(inputs: VersionInputs, context: ActionContext): Promise<VersionActionResult> {
  const choice = await chooseActionStore(inputs, context);
  const store = openActionStore(choice, context);
  const labels = Object.fromEntries(inputs.labels.map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
  const version = await store.version({
    path: inputs.path,
    name: inputs.name,
    kind: inputs.kind,
    parents: inputs.parents,
    aliases: inputs.aliases,
    labels,
    ...provenanceFromEnv(context.env),
  });
  return { version, store: choice.spec };
}

export async function writeVersionOutputs(result: VersionActionResult): Promise<void> {
  const { version } = result;
  core.setOutput("digest", version.digest);
  core.setOutput("version", version.version);
  core.setOutput("ref", version.ref);
  core.setOutput("uploaded-bytes", String(version.uploadedBytes));
  core.setOutput("reused-bytes", String(version.reusedBytes));
  core.setOutput("store", result.store);
  await writeJobSummary(renderVersionSummary(version, result.store));
}
