import * as core from "@actions/core";
import { oneLine } from "@llmops/core";
import { parseActionInputs } from "@llmops/github/action-inputs";
import { evalActionInputsSchema, runEvalAction } from "@llmops/github/eval-action";

function readInputs() {
  const raw = {
    config: core.getInput("config") || "llmops.yaml",
    suites: core.getInput("suites"),
    model: core.getInput("model"),
    baseUrl: core.getInput("base-url"),
    modelName: core.getInput("model-name"),
    store: core.getInput("store"),
    record: core.getInput("record") || "false",
    cache: core.getInput("cache") || "true",
    shard: core.getInput("shard"),
    merge: core.getInput("merge"),
    out: core.getInput("out") || ".llmops/results",
    failOnGate: core.getInput("fail-on-gate") || "true",
    uploadResults: core.getInput("upload-results") || "false",
    token: core.getInput("token"),
  };
  return parseActionInputs(evalActionInputsSchema, raw);
}

Promise.resolve()
  .then(() => runEvalAction(readInputs()))
  .catch((error: unknown) => core.setFailed(oneLine(error)));
