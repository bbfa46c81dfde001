import { findScalarEntries, type Logger, oneLine } from "@llmops/core";
import { clip, escapeInline, stripControlChars } from "@llmops/report";
import { withGitHubErrors } from "./errors.ts";
import type { GitHubClient } from "./octokit.ts";

/** GitHub accepts at most this many annotations per check-run create/update request. */
export const ANNOTATIONS_PER_REQUEST = 50;
/** GitHub's limit for output.summary and output.text. */
const OUTPUT_LIMIT = 65_535;

export interface CheckAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: "notice" | "warning" | "failure";
  message: string;
  title?: string;
}

export type CheckConclusion = "success" | "failure" | "neutral";

const PERMISSION = "checks: write";

export function conclusionFromVerdict(verdict: "pass" | "fail" | "none"): CheckConclusion {
  return verdict === "pass" ? "success" : verdict === "fail" ? "failure" : "neutral";
}

export interface CreateCheckRunOptions {
  octokit: GitHubClient;
  owner: string;
  repo: string;
  name: string;
  headSha: string;
  detailsUrl?: string;
}

export async function createCheckRun(options: CreateCheckRunOptions): Promise<number> {
  const { octokit, owner, repo, name, headSha } = options;
  const { data } = await withGitHubErrors({ what: `create the check run "${name}"`, permission: PERMISSION }, () =>
    octokit.rest.checks.create({
      owner,
      repo,
      name,
      head_sha: headSha,
      status: "in_progress",
      ...(options.detailsUrl ? { details_url: options.detailsUrl } : {}),
    }),
  );
  return data.id;
}

/**
 * Ends a check run as `failure` with the error's message. A run left in progress shows as pending
 * on the pull request for good, and a required check would block merging; so every error after
 * creation ends here. A failure to say so is logged, and the original error stays the one thrown.
 */
async function failCheckRun(options: {
  octokit: GitHubClient;
  owner: string;
  repo: string;
  checkRunId: number;
  error: unknown;
  logger?: Logger;
}): Promise<void> {
  const message = oneLine(options.error);
  try {
    await completeCheckRun({
      ...options,
      conclusion: "failure",
      title: `llmops failed: ${message}`,
      summary: `The step failed before it could report: ${escapeInline(message)}`,
    });
  } catch (secondary) {
    options.logger?.warn(`could not mark check run ${options.checkRunId} as failed: ${oneLine(secondary)}`);
  }
}

/**
 * Creates a check run and runs `work` with its id. Whatever `work` throws ends the run as
 * `failure` with the message (see failCheckRun) before it is rethrown.
 */
export async function withCheckRun<T>(
  options: CreateCheckRunOptions & { logger?: Logger },
  work: (checkRunId: number) => Promise<T>,
): Promise<T> {
  const checkRunId = await createCheckRun(options);
  try {
    return await work(checkRunId);
  } catch (error) {
    await failCheckRun({ ...options, checkRunId, error });
    throw error;
  }
}

/**
 * Completes a check run with its output; annotations beyond the first 50 go out in further
 * updates of 50 each, which GitHub appends.
 */
export async function completeCheckRun(options: {
  octokit: GitHubClient;
  owner: string;
  repo: string;
  checkRunId: number;
  conclusion: CheckConclusion;
  title: string;
  summary: string;
  text?: string;
  annotations?: CheckAnnotation[];
}): Promise<{ requests: number }> {
  const { octokit, owner, repo, checkRunId } = options;
  const annotations = (options.annotations ?? []).map((a) => ({
    ...a,
    // Messages carry model output and case ids: no controls or bidi overrides; GitHub caps them at 64 KB, in bytes.
    message: clip(stripControlChars(a.message), 60_000, { unit: "bytes" }),
    ...(a.title ? { title: clip(stripControlChars(a.title), 255, { suffix: "…", lineWindow: 0 }) } : {}),
  }));
  const output = {
    title: clip(options.title, 255, { suffix: "…", lineWindow: 0 }),
    summary: clip(options.summary, OUTPUT_LIMIT),
    ...(options.text ? { text: clip(options.text, OUTPUT_LIMIT) } : {}),
  };
  const context = { what: `update the check run ${checkRunId}`, permission: PERMISSION };
  let requests = 0;
  const first = annotations.slice(0, ANNOTATIONS_PER_REQUEST);
  await withGitHubErrors(context, () =>
    octokit.rest.checks.update({
      owner,
      repo,
      check_run_id: checkRunId,
      status: "completed",
      conclusion: options.conclusion,
      completed_at: new Date().toISOString(),
      output: { ...output, ...(first.length > 0 ? { annotations: first } : {}) },
    }),
  );
  requests++;
  for (let at = ANNOTATIONS_PER_REQUEST; at < annotations.length; at += ANNOTATIONS_PER_REQUEST) {
    const batch = annotations.slice(at, at + ANNOTATIONS_PER_REQUEST);
    await withGitHubErrors(context, () =>
      octokit.rest.checks.update({
        owner,
        repo,
        check_run_id: checkRunId,
        output: { title: output.title, summary: output.summary, annotations: batch },
      }),
    );
    requests++;
  }
  return { requests };
}

/**
 * Lines where cases are declared in a config or cases file (`id: x` in YAML, `"id": "x"` in
 * JSON/JSONL), so annotations land on the case a reviewer would edit. Ids are read by the YAML
 * parser, so a quoted id with escapes (`"caf\xe9"`) is found as the id it stands for.
 */
export function locateCaseLines(text: string, ids: Iterable<string>): Map<string, number> {
  const wanted = new Set(ids);
  const found = new Map<string, number>();
  for (const entry of findScalarEntries(text, "id"))
    if (wanted.has(entry.value) && !found.has(entry.value)) found.set(entry.value, entry.line);
  return found;
}
