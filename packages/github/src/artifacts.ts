import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { dirname, isAbsolute, join, normalize, resolve, sep } from "node:path";
import { InputError, type Logger } from "@llmops/core";
import { unzipSync } from "fflate";
import { withGitHubErrors } from "./errors.ts";
import type { GitHubClient } from "./octokit.ts";

const PERMISSION = "actions: read";

/** Name of the artifact that carries one suite's results between workflow runs. */
export function resultsArtifactName(suite: string): string {
  return `llmops-results-${suite.replace(/[^A-Za-z0-9_.-]/g, "_")}`;
}

/** Extracts a zip into `dest` (replaced whole, via a temp dir); entries escaping it are refused. */
export async function extractZip(zip: Uint8Array, dest: string): Promise<string[]> {
  const entries = unzipSync(zip);
  const temp = `${resolve(dest)}.tmp-${process.pid}-${Date.now()}`;
  await rm(temp, { recursive: true, force: true });
  await mkdir(temp, { recursive: true });
  const written: string[] = [];
  try {
    for (const [name, data] of Object.entries(entries)) {
      if (name.endsWith("/")) continue;
      const relative = normalize(name.replace(/\\/g, "/"));
      if (isAbsolute(relative) || relative.startsWith(`..${sep}`) || relative === "..") {
        throw new InputError(`artifact entry ${JSON.stringify(name)} points outside the extraction directory`);
      }
      const target = join(temp, relative);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, data);
      written.push(relative.split(sep).join("/"));
    }
    await rm(dest, { recursive: true, force: true });
    await mkdir(dirname(resolve(dest)), { recursive: true });
    await rename(temp, dest);
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
  return written.sort();
}

export interface FoundArtifact {
  runId: number;
  runUrl: string;
  headSha: string;
  artifactId: number;
  artifactName: string;
  /** Where the artifact was extracted. */
  dir: string;
  files: string[];
}

/** Downloads and extracts one artifact of a workflow run by name; undefined when the run has none (or it expired). */
export async function downloadRunArtifact(options: {
  octokit: GitHubClient;
  owner: string;
  repo: string;
  runId: number;
  name: string;
  dest: string;
}): Promise<{ artifactId: number; files: string[] } | undefined> {
  const { octokit, owner, repo, runId, name, dest } = options;
  const { data } = await withGitHubErrors({ what: `list the artifacts of workflow run ${runId}`, permission: PERMISSION }, () =>
    octokit.rest.actions.listWorkflowRunArtifacts({ owner, repo, run_id: runId, name, per_page: 100 }),
  );
  const artifact = data.artifacts.find((a) => a.name === name && !a.expired);
  if (!artifact) return undefined;
  const { data: zip } = await withGitHubErrors({ what: `download artifact ${name} of workflow run ${runId}`, permission: PERMISSION }, () =>
    octokit.rest.actions.downloadArtifact({ owner, repo, artifact_id: artifact.id, archive_format: "zip" }),
  );
  const files = await extractZip(new Uint8Array(zip as ArrayBuffer), dest);
  return { artifactId: artifact.id, files };
}

/**
 * The "branch" baseline: the newest successful push run on the base branch that uploaded the
 * suite's results artifact, downloaded into `dest`.
 */
export async function findBranchBaseline(options: {
  octokit: GitHubClient;
  owner: string;
  repo: string;
  branch: string;
  suite: string;
  dest: string;
  /** Restricts the search to one workflow (file name or id); default every workflow. */
  workflow?: string | number;
  /** How many recent runs to look through; default 20. */
  maxRuns?: number;
  logger: Logger;
}): Promise<FoundArtifact | undefined> {
  const { octokit, owner, repo, branch, suite } = options;
  const perPage = Math.min(100, options.maxRuns ?? 20);
  const filter = { owner, repo, branch, status: "success" as const, event: "push", per_page: perPage };
  const { data } = await withGitHubErrors({ what: `list workflow runs on ${branch}`, permission: PERMISSION }, () =>
    options.workflow === undefined
      ? octokit.rest.actions.listWorkflowRunsForRepo(filter)
      : octokit.rest.actions.listWorkflowRuns({ ...filter, workflow_id: options.workflow }),
  );
  const name = resultsArtifactName(suite);
  // The API sorts newest first; sort anyway so the choice does not depend on it.
  const runs = [...data.workflow_runs].sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at));
  for (const run of runs) {
    const found = await downloadRunArtifact({ octokit, owner, repo, runId: run.id, name, dest: options.dest });
    if (found) {
      options.logger.info(`baseline: artifact ${name} of run ${run.id} on ${branch} (${run.head_sha.slice(0, 7)})`);
      return {
        runId: run.id,
        runUrl: run.html_url,
        headSha: run.head_sha,
        artifactId: found.artifactId,
        artifactName: name,
        dir: options.dest,
        files: found.files,
      };
    }
  }
  options.logger.info(`baseline: no successful push run on ${branch} among the last ${runs.length} has an artifact named ${name}`);
  return undefined;
}
