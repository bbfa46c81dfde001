import { createHash } from "node:crypto";
import { copyFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Logger, oneLine, runUrlFromEnv } from "@llmops/core";
import { type HtmlReportInput, writeHtmlReport } from "@llmops/report";
import { z } from "zod";
import { artifactSafe } from "./artifacts.ts";

/**
 * The interactive HTML report of actions/eval and actions/compare: written beside their other
 * outputs, uploaded as a workflow artifact of its own — the file itself, not zipped, so the link
 * downloads a page that opens in the browser — and linked from the sticky comment and the job
 * summary. It is a convenience: a failure to write or upload it is a warning, never the step's
 * failure. The link's URL is built from the runner's variables and the id the artifact service
 * returned, never from anything the results say.
 */

export const HTML_REPORT_FILE = "report.html";

/**
 * The `html-report` input of actions/eval and actions/compare: true or false, empty (or absent, for
 * callers that build inputs themselves) meaning action.yml's default, true.
 */
export const htmlReportInput = () =>
  z
    .string()
    .optional()
    .transform((v) => (v ?? "").trim().toLowerCase())
    .pipe(z.enum(["", "true", "false"], "expected true or false"))
    .transform((v) => v !== "false");

/**
 * The `report-retention-days` input of actions/eval and actions/compare: days the HTML report's
 * artifact is kept; empty (or absent) for the repository's default (undefined).
 */
export const retentionDaysInput = () =>
  z
    .string()
    .optional()
    .transform((v) => (v ?? "").trim())
    .refine(
      (v) => v === "" || (/^\d+$/.test(v) && Number(v) >= 1),
      "expected a number of days (1 or more), or empty for the repository's default",
    )
    .transform((v) => (v === "" ? undefined : Number(v)));

/**
 * Uploads one file unzipped as an artifact named after the file, kept `retentionDays` (default the
 * repository's setting); the default loads @actions/artifact on demand.
 */
export type ArtifactUploader = (options: { file: string; retentionDays?: number }) => Promise<{ id: number | undefined }>;

/**
 * Name of the artifact (and file) holding one step's HTML report,
 * `llmops-report-<step>-<job>-<suites>-<hash>.html`, in the characters resultsArtifactName keeps
 * and short enough for the artifact service. Names must be unique within a workflow run, where
 * several jobs (GITHUB_JOB) and several steps of a job (GITHUB_ACTION: the step's id, or the
 * action's name with a sequence number) may report the same suites: the hash, of the step, the
 * suites, the job and the step's GITHUB_ACTION, tells them apart even when the readable part is
 * cut. Matrix legs of one job share all of these: give them different suites or run the report
 * in one leg.
 */
export function htmlReportArtifactName(step: "eval" | "compare", suites: readonly string[], env: NodeJS.ProcessEnv = {}): string {
  const label = suites.map(artifactSafe).join("-") || "none";
  const job = env.GITHUB_JOB ? `-${artifactSafe(env.GITHUB_JOB)}` : "";
  const hash = createHash("sha256")
    .update(JSON.stringify([step, suites, env.GITHUB_JOB ?? "", env.GITHUB_ACTION ?? ""]))
    .digest("hex")
    .slice(0, 8);
  return `${`llmops-report-${step}${job}-${label}`.slice(0, 106)}-${hash}.html`;
}

/**
 * The artifact's page: `${GITHUB_SERVER_URL}/${GITHUB_REPOSITORY}/actions/runs/${GITHUB_RUN_ID}/artifacts/${id}`,
 * from the runner's variables only; undefined when one of them is missing or malformed.
 */
export function artifactUrl(env: NodeJS.ProcessEnv, artifactId: number | undefined): string | undefined {
  if (artifactId === undefined || !Number.isSafeInteger(artifactId) || artifactId <= 0) return undefined;
  const server = env.GITHUB_SERVER_URL?.replace(/\/+$/, "");
  const repository = env.GITHUB_REPOSITORY;
  const runId = env.GITHUB_RUN_ID;
  if (!server || !/^https?:\/\/[A-Za-z0-9.-]+(:\d+)?$/.test(server)) return undefined;
  if (!repository || !/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(repository)) return undefined;
  if (!runId || !/^\d+$/.test(runId)) return undefined;
  return `${runUrlFromEnv(env)}/artifacts/${artifactId}`;
}

export interface PublishedHtmlReport {
  path: string;
  bytes: number;
  cases: number;
  /** Rows whose case text was cut short to keep the page within its budget. */
  trimmed: number;
  /** The artifact's name, id and page, when it was uploaded. */
  artifact?: string;
  artifactId?: number;
  url?: string;
}

/** @actions/artifact (with the Azure SDK) is most of a bundle: loaded only when a report is uploaded. */
const defaultUploader: ArtifactUploader = async (options) => (await import("./upload-results.ts")).uploadArtifactFile(options);

/**
 * Writes the report to `file` and uploads a copy named `name` as an artifact. Uploads happen on a
 * runner (ACTIONS_RUNTIME_TOKEN set) or with an explicit `upload`; `upload: false` only writes.
 * Returns undefined when the report could not be written; every failure is logged as a warning.
 */
export async function publishHtmlReport(options: {
  input: HtmlReportInput;
  file: string;
  name: string;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  upload?: ArtifactUploader | false;
  /** Days the artifact is kept; default the repository's setting. */
  retentionDays?: number;
}): Promise<PublishedHtmlReport | undefined> {
  const { logger } = options;
  let published: PublishedHtmlReport;
  try {
    published = await writeHtmlReport(
      { ...(options.env.GITHUB_SERVER_URL ? { serverUrl: options.env.GITHUB_SERVER_URL } : {}), ...options.input },
      options.file,
    );
    logger.info(`wrote the HTML report ${published.path} (${published.cases} case results, ${published.bytes} bytes)`);
    if (published.trimmed > 0)
      logger.warn(
        `the HTML report cut short the case text of ${published.trimmed} of ${published.cases} case results to stay within its size budget`,
      );
  } catch (error) {
    logger.warn(`the HTML report was not written: ${oneLine(error)}`);
    return undefined;
  }
  if (options.upload === false) return published;
  if (!options.upload && !options.env.ACTIONS_RUNTIME_TOKEN) {
    logger.info("the HTML report is not uploaded: no artifact service here (ACTIONS_RUNTIME_TOKEN is not set)");
    return published;
  }
  // The artifact is named after its file: a copy under the artifact's name, in a directory of its own.
  let scratch: string | undefined;
  try {
    scratch = await mkdtemp(join(options.env.RUNNER_TEMP || tmpdir(), "llmops-report-"));
    const copy = join(scratch, options.name);
    await copyFile(published.path, copy);
    const { id } = await (options.upload || defaultUploader)({
      file: copy,
      ...(options.retentionDays !== undefined ? { retentionDays: options.retentionDays } : {}),
    });
    published.artifact = options.name;
    if (id !== undefined) published.artifactId = id;
    const url = artifactUrl(options.env, id);
    if (url) published.url = url;
    logger.info(`uploaded the HTML report as artifact ${options.name}${url ? `: ${url}` : ""}`);
  } catch (error) {
    logger.warn(`the HTML report was not uploaded: ${oneLine(error)}`);
  } finally {
    if (scratch) await rm(scratch, { recursive: true, force: true }).catch(() => {});
  }
  return published;
}
