import { createWriteStream } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { ExternalError, type Logger } from "@llmops/core";
import { ArtifactTooLargeError, withGitHubErrors } from "./errors.ts";
import type { GitHubClient } from "./octokit.ts";
import { extractZipFile, type ZipLimits } from "./zip.ts";

const PERMISSION = "actions: read";

/** `text` in the characters artifact names keep: anything else becomes `_`. */
export function artifactSafe(text: string): string {
  return text.replace(/[^A-Za-z0-9_.-]/g, "_");
}

/** Name of the artifact that carries one suite's results between workflow runs. */
export function resultsArtifactName(suite: string): string {
  return `llmops-results-${artifactSafe(suite)}`;
}

export interface ArtifactLimits extends ZipLimits {
  /** Most bytes of zip downloaded. */
  maxZipBytes: number;
}

const MiB = 1024 * 1024;

/** Generous for eval results (a results.jsonl of many thousand cases), small next to a runner's disk. */
export const DEFAULT_ARTIFACT_LIMITS: ArtifactLimits = {
  maxZipBytes: 512 * MiB,
  maxEntryBytes: 1024 * MiB,
  maxTotalBytes: 2048 * MiB,
  maxEntries: 10_000,
};

async function withTempDir<T>(prefix: string, work: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(process.env.RUNNER_TEMP || tmpdir(), prefix));
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Extracts a zip held in memory into `dest` (replaced whole); entries escaping it are refused. */
export async function extractZip(zip: Uint8Array, dest: string, limits: Partial<ArtifactLimits> = {}): Promise<string[]> {
  return withTempDir("llmops-zip-", async (dir) => {
    const file = join(dir, "artifact.zip");
    await writeFile(file, zip);
    return extractZipFile(file, dest, { ...DEFAULT_ARTIFACT_LIMITS, ...limits });
  });
}

/** Stops a download once more than `max` bytes have come. */
function byteCap(max: number, what: string): Transform {
  let bytes = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      if (bytes > max) callback(new ArtifactTooLargeError(`${what} is over ${max} bytes`));
      else callback(null, chunk);
    },
  });
}

/**
 * Downloads an artifact's zip to `file`, streamed and capped. GitHub answers the download with a
 * redirect to a signed blob URL; the redirect is taken by hand so the token stays with GitHub
 * (the signed URL needs none) and the body goes to disk instead of into a buffer.
 */
async function downloadArtifactZip(options: {
  octokit: GitHubClient;
  owner: string;
  repo: string;
  artifactId: number;
  what: string;
  file: string;
  maxBytes: number;
}): Promise<void> {
  const { octokit, owner, repo, artifactId, what, maxBytes } = options;
  const response = await withGitHubErrors({ what: `download ${what}`, permission: PERMISSION }, () =>
    octokit.rest.actions.downloadArtifact({ owner, repo, artifact_id: artifactId, archive_format: "zip", request: { redirect: "manual" } }),
  );
  const status = response.status as number;
  const location = (response.headers as Record<string, string | undefined>).location;
  if (status < 300 || status >= 400 || !location) {
    // Not the documented redirect: a body that came inline was already read, so only its size can be checked.
    const data = response.data as unknown;
    if (!(data instanceof ArrayBuffer)) throw new ExternalError(`GitHub did not redirect the download of ${what} (${status})`);
    if (data.byteLength > maxBytes) throw new ArtifactTooLargeError(`${what} is over ${maxBytes} bytes`);
    await writeFile(options.file, new Uint8Array(data));
    return;
  }
  const url = new URL(location, octokit.request.endpoint.DEFAULTS.baseUrl);
  if (url.protocol !== "https:" && url.protocol !== "http:")
    throw new ExternalError(`GitHub redirected the download of ${what} to a ${url.protocol} URL`);
  // A stalled blob server must not hold the job until its own timeout.
  const blob = await fetch(url, { redirect: "follow", signal: AbortSignal.timeout(30 * 60_000) }).catch((error: unknown) => {
    throw new ExternalError(`downloading ${what} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  });
  if (!blob.ok || !blob.body) {
    await blob.body?.cancel();
    throw new ExternalError(`downloading ${what} failed (${blob.status})`);
  }
  const declared = Number(blob.headers.get("content-length") ?? Number.NaN);
  if (declared > maxBytes) {
    await blob.body.cancel();
    throw new ArtifactTooLargeError(`${what} is ${declared} bytes; at most ${maxBytes} are downloaded`);
  }
  await pipeline(Readable.fromWeb(blob.body), byteCap(maxBytes, what), createWriteStream(options.file));
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

/**
 * Downloads and extracts one artifact of a workflow run by name; undefined when the run has none
 * (or it expired). The zip is streamed to disk and extracted entry by entry within `limits`;
 * `include` picks the entries to extract (all by default).
 */
export async function downloadRunArtifact(options: {
  octokit: GitHubClient;
  owner: string;
  repo: string;
  runId: number;
  name: string;
  dest: string;
  limits?: Partial<ArtifactLimits>;
  include?: (path: string) => boolean;
}): Promise<{ artifactId: number; files: string[] } | undefined> {
  const { octokit, owner, repo, runId, name, dest } = options;
  const limits = { ...DEFAULT_ARTIFACT_LIMITS, ...options.limits };
  const { data } = await withGitHubErrors({ what: `list the artifacts of workflow run ${runId}`, permission: PERMISSION }, () =>
    octokit.rest.actions.listWorkflowRunArtifacts({ owner, repo, run_id: runId, name, per_page: 100 }),
  );
  const artifact = data.artifacts.find((a) => a.name === name && !a.expired);
  if (!artifact) return undefined;
  const what = `artifact ${name} of workflow run ${runId}`;
  // GitHub measured the zip when it was uploaded; no need to start a download that cannot be kept.
  if (artifact.size_in_bytes > limits.maxZipBytes)
    throw new ArtifactTooLargeError(`${what} is ${artifact.size_in_bytes} bytes; at most ${limits.maxZipBytes} are downloaded`);
  const files = await withTempDir("llmops-artifact-", async (dir) => {
    const file = join(dir, "artifact.zip");
    await downloadArtifactZip({ octokit, owner, repo, artifactId: artifact.id, what, file, maxBytes: limits.maxZipBytes });
    return extractZipFile(file, dest, limits, options.include);
  });
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
