import * as core from "@actions/core";
import { type Logger, oneLine } from "@llmops/core";
// The GitHub helpers by file, not the @llmops/github index: the index pulls octokit and eval into the bundle.
import { parseActionInputs } from "@llmops/github/action-inputs";
import { openActionStore } from "@llmops/github/ghcr";
import { renderVersionSummary, writeJobSummary } from "@llmops/github/job-summary";
import { provenanceFromEnv } from "@llmops/store";
import { z } from "zod";

const listInput = (raw: string) =>
  raw
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean);

const inputsSchema = z.object({
  path: z.string().min(1, "expected a file or directory"),
  name: z.string().min(1, "expected an artifact name"),
  kind: z.enum(["model", "dataset"], "expected model or dataset"),
  parents: z.array(z.string()),
  aliases: z.array(z.string()),
  labels: z.array(z.string().regex(/^[^=]+=/, "expected key=value")),
  store: z.string(),
  token: z.string(),
  username: z.string(),
});

const logger: Logger = { debug: core.debug, info: core.info, warn: core.warning, error: core.error };

function readInputs() {
  return parseActionInputs(inputsSchema, {
    path: core.getInput("path"),
    name: core.getInput("name"),
    kind: core.getInput("kind"),
    parents: listInput(core.getInput("parents")),
    aliases: listInput(core.getInput("aliases")),
    labels: core
      .getMultilineInput("labels")
      .map((l) => l.trim())
      .filter(Boolean),
    store: core.getInput("store"),
    token: core.getInput("token"),
    username: core.getInput("username"),
  });
}

async function run(): Promise<void> {
  const inputs = readInputs();
  const cwd = process.env.GITHUB_WORKSPACE || process.cwd();
  const { store, spec } = await openActionStore(inputs, { cwd, logger, env: process.env });
  const labels = Object.fromEntries(inputs.labels.map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
  const result = await store.version({
    path: inputs.path,
    name: inputs.name,
    kind: inputs.kind,
    parents: inputs.parents,
    aliases: inputs.aliases,
    labels,
    ...provenanceFromEnv(process.env),
  });
  core.setOutput("digest", result.digest);
  core.setOutput("version", result.version);
  core.setOutput("ref", result.ref);
  core.setOutput("uploaded-bytes", String(result.uploadedBytes));
  core.setOutput("reused-bytes", String(result.reusedBytes));
  core.setOutput("store", spec);
  await writeJobSummary(renderVersionSummary(result, spec));
}

run().catch((error: unknown) => core.setFailed(oneLine(error)));
