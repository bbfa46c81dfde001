import * as core from "@actions/core";
import { type Logger, oneLine } from "@llmops/core";
// The GitHub helpers by file, not the @llmops/github index: the index pulls octokit and eval into the bundle.
import { parseActionInputs } from "@llmops/github/action-inputs";
import { actionsBlobCache } from "@llmops/github/blob-cache";
import { openActionStore } from "@llmops/github/ghcr";
import { renderFetchSummary, writeJobSummary } from "@llmops/github/job-summary";
import { z } from "zod";

const inputsSchema = z.object({
  ref: z.string().min(1, "expected name:alias, name:vN or name@sha256:..."),
  path: z.string().min(1, "expected a directory"),
  store: z.string(),
  token: z.string(),
  username: z.string(),
  cache: z.enum(["true", "false"], "expected true or false").transform((v) => v === "true"),
});

const logger: Logger = { debug: core.debug, info: core.info, warn: core.warning, error: core.error };

function readInputs() {
  return parseActionInputs(inputsSchema, {
    ref: core.getInput("ref"),
    path: core.getInput("path"),
    store: core.getInput("store"),
    token: core.getInput("token"),
    username: core.getInput("username"),
    cache: (core.getInput("cache") || "true").toLowerCase(),
  });
}

async function run(): Promise<void> {
  const inputs = readInputs();
  const cwd = process.env.GITHUB_WORKSPACE || process.cwd();
  const { store, spec } = await openActionStore(inputs, { cwd, logger, env: process.env });
  const result = await store.fetch(inputs.ref, inputs.path, inputs.cache ? { blobCache: actionsBlobCache(logger) } : {});
  core.setOutput("digest", result.digest);
  core.setOutput("version", result.version ?? "");
  core.setOutput("path", result.path);
  core.setOutput("downloaded-bytes", String(result.downloadedBytes));
  await writeJobSummary(renderFetchSummary(result, spec));
}

run().catch((error: unknown) => core.setFailed(oneLine(error)));
