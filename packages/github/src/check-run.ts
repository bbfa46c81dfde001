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

function clip(text: string, limit: number): string {
  if (text.length <= limit) return text;
  const note = "\n\n… (cut at GitHub's limit)";
  return text.slice(0, text.lastIndexOf("\n", limit - note.length)) + note;
}

export async function createCheckRun(options: {
  octokit: GitHubClient;
  owner: string;
  repo: string;
  name: string;
  headSha: string;
  detailsUrl?: string;
}): Promise<number> {
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
    message: clip(a.message, 60_000),
    ...(a.title ? { title: a.title.slice(0, 255) } : {}),
  }));
  const output = {
    title: options.title.slice(0, 255),
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
 * JSON/JSONL), so annotations land on the case a reviewer would edit.
 */
export function locateCaseLines(text: string, ids: Iterable<string>): Map<string, number> {
  const wanted = new Set(ids);
  const found = new Map<string, number>();
  const lines = text.split(/\r?\n/);
  const pattern = /(?:^|[\s{,-])["']?id["']?\s*:\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^']|'')*)'|([^\s,#}]+))/;
  lines.forEach((line, i) => {
    const match = pattern.exec(line);
    if (!match) return;
    const raw = match[1] !== undefined ? JSON.parse(`"${match[1]}"`) : match[2] !== undefined ? match[2].replace(/''/g, "'") : match[3];
    if (typeof raw === "string" && wanted.has(raw) && !found.has(raw)) found.set(raw, i + 1);
  });
  return found;
}
