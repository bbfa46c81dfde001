/** `actions/fetch`: read the inputs, fetch the version from the chosen store (blob cache in the Actions cache), write outputs and the job summary. */
import * as core from "@actions/core";
import { actionInput, readActionInputs } from "@llmops/github/action-inputs";
import { type ActionContext, chooseActionStore, openActionStore, storeInputs } from "@llmops/github/action-kit";
import { actionsBlobCache } from "@llmops/github/blob-cache";
import { renderFetchSummary, writeJobSummary } from "@llmops/github/job-summary";
import { DestinationNotEmptyError, type FetchResult, includeMatcher } from "@llmops/store";
import { z } from "zod";

export const fetchInputsSchema = z.object({
  ref: actionInput.required("name:alias, name:vN or name@sha256:..."),
  path: actionInput.required("a directory"),
  /** Globs, one per line, as `llmops fetch --include`; empty fetches everything. */
  include: actionInput.lines(),
  replace: actionInput.boolean(),
  ...storeInputs,
  cache: actionInput.boolean(),
});

export type FetchInputs = z.output<typeof fetchInputsSchema>;

export function readFetchInputs(getInput?: (name: string) => string): FetchInputs {
  const inputs = readActionInputs(fetchInputsSchema, getInput);
  // Bad globs are refused before the store is opened, as the CLI refuses them.
  includeMatcher(inputs.include);
  return inputs;
}

export interface FetchActionResult {
  fetched: FetchResult;
  /** The store used (never holds credentials). */
  store: string;
}

export async function fetchAction(inputs: FetchInputs, context: ActionContext): Promise<FetchActionResult> {
  const choice = await chooseActionStore(inputs, context);
  const store = openActionStore(choice, context);
  const blobCache = inputs.cache ? { blobCache: actionsBlobCache(context.logger, context.env) } : {};
  try {
    const include = inputs.include.length ? { include: inputs.include } : {};
    const fetched = await store.fetch(inputs.ref, inputs.path, { ...blobCache, ...include, replace: inputs.replace });
    return { fetched, store: choice.spec };
  } catch (error) {
    // The store's message names the CLI flag; an action is asked through its input.
    if (error instanceof DestinationNotEmptyError)
      throw new DestinationNotEmptyError(error.destination, error.ref, "set the input replace: true");
    throw error;
  }
}

export async function writeFetchOutputs(result: FetchActionResult): Promise<void> {
  const { fetched } = result;
  core.setOutput("digest", fetched.digest);
  core.setOutput("version", fetched.version ?? "");
  core.setOutput("path", fetched.path);
  core.setOutput("downloaded-bytes", String(fetched.downloadedBytes));
  await writeJobSummary(renderFetchSummary(fetched, result.store));
}
