import type { Logger } from "@llmops/core";
import { httpStatus, withGitHubErrors } from "./errors.ts";
import type { GitHubClient } from "./octokit.ts";

/** GitHub rejects issue comments longer than this many characters. */
export const COMMENT_LIMIT = 65_536;

const MAIN = "<!-- llmops:main -->";
const EARLIER = "<!-- llmops:earlier -->";
const ENTRY = "<!-- llmops:entry -->";
const EARLIER_END = "<!-- llmops:earlier:end -->";

export interface StickyCommentOptions {
  octokit: GitHubClient;
  owner: string;
  repo: string;
  issueNumber: number;
  /** A hidden HTML comment that identifies the comment, e.g. `<!-- llmops:compare suite=qa -->`. */
  marker: string;
  body: string;
  /** Shown under the body so earlier runs can be told apart: a commit SHA, a run number. */
  runLabel?: string;
  /** Earlier runs kept folded in `<details>`; default 5. */
  keepEarlier?: number;
  logger?: Logger;
}

export interface StickyCommentResult {
  action: "created" | "updated";
  commentId: number;
  url: string;
}

interface IssueComment {
  id: number;
  body?: string | null;
  html_url: string;
}

/** The body's own copy of our structure markers is defused, so a crafted body cannot split into fake sections. */
function defuse(body: string, marker: string): string {
  const withoutMarker = body.startsWith(marker) ? body.slice(marker.length) : body;
  return withoutMarker.replace(/<!-- llmops:/g, "<!-- llmops-quoted:").trim();
}

/** Splits a comment we wrote into its main section and earlier-run entries. */
export function parseStickyBody(body: string): { main: string; earlier: string[] } {
  const mainStart = body.indexOf(MAIN);
  if (mainStart < 0) return { main: "", earlier: [] };
  const earlierStart = body.indexOf(EARLIER, mainStart);
  const main = body.slice(mainStart + MAIN.length, earlierStart < 0 ? undefined : earlierStart).trim();
  if (earlierStart < 0) return { main, earlier: [] };
  const endAt = body.indexOf(EARLIER_END, earlierStart);
  const section = body.slice(earlierStart + EARLIER.length, endAt < 0 ? undefined : endAt);
  const earlier = section
    .split(ENTRY)
    .slice(1)
    .map((entry) => entry.replace(/<\/details>\s*$/, "").trim())
    .filter((entry) => entry.length > 0);
  return { main, earlier };
}

/** Builds the comment: marker, the new main section, then earlier mains folded, oldest dropped first to fit. */
export function composeStickyBody(options: {
  marker: string;
  body: string;
  runLabel?: string;
  previous?: string;
  keepEarlier?: number;
}): string {
  const label = options.runLabel ? `\n\n<sub>${options.runLabel.replace(/[<>&]/g, "")}</sub>` : "";
  let main = `${defuse(options.body, options.marker)}${label}`;
  const previous = options.previous ? parseStickyBody(options.previous) : { main: "", earlier: [] };
  let entries = [previous.main, ...previous.earlier].filter((e) => e.length > 0).slice(0, options.keepEarlier ?? 5);
  const build = () => {
    const head = `${options.marker}\n${MAIN}\n${main}\n`;
    if (entries.length === 0) return head;
    const folded = entries.map((e) => `${ENTRY}\n${e}\n`).join("\n---\n\n");
    return `${head}\n${EARLIER}\n<details><summary>Earlier runs (${entries.length})</summary>\n\n${folded}\n</details>\n${EARLIER_END}\n`;
  };
  let text = build();
  while (text.length > COMMENT_LIMIT && entries.length > 0) {
    entries = entries.slice(0, -1);
    text = build();
  }
  if (text.length > COMMENT_LIMIT) {
    const note = "\n\n> [!NOTE]\n> Cut at GitHub's comment limit.";
    const room = COMMENT_LIMIT - (text.length - main.length) - note.length;
    main = `${main.slice(0, main.lastIndexOf("\n", room))}${note}`;
    text = build();
  }
  return text;
}

async function listMarked(options: StickyCommentOptions): Promise<IssueComment[]> {
  const { octokit, owner, repo, issueNumber, marker } = options;
  const comments = await withGitHubErrors(
    {
      what: `list comments of pull request #${issueNumber}`,
      permission: "pull-requests: read",
      pullRequest: { owner, repo, number: issueNumber },
    },
    () => octokit.paginate(octokit.rest.issues.listComments, { owner, repo, issue_number: issueNumber, per_page: 100 }),
  );
  return (comments as IssueComment[]).filter((c) => (c.body ?? "").startsWith(marker)).sort((a, b) => a.id - b.id);
}

/**
 * One comment per marker, updated in place. Concurrent jobs may each create one; every job
 * re-lists after creating and the oldest wins, so the PR ends with exactly one.
 */
export async function upsertStickyComment(options: StickyCommentOptions): Promise<StickyCommentResult> {
  const { octokit, owner, repo, issueNumber, marker } = options;
  const write = {
    what: `write the pull request comment on #${issueNumber}`,
    permission: "pull-requests: write",
    pullRequest: { owner, repo, number: issueNumber },
  };
  const remove = async (ids: number[]) => {
    for (const id of ids) {
      try {
        await octokit.rest.issues.deleteComment({ owner, repo, comment_id: id });
      } catch (error) {
        // Another job may have removed it first.
        if (httpStatus(error) !== 404) throw error;
      }
    }
  };
  const update = async (comment: IssueComment): Promise<StickyCommentResult> => {
    const body = composeStickyBody({ ...options, previous: comment.body ?? "" });
    const { data } = await withGitHubErrors(write, () => octokit.rest.issues.updateComment({ owner, repo, comment_id: comment.id, body }));
    return { action: "updated", commentId: data.id, url: data.html_url };
  };

  const existing = await listMarked(options);
  const [oldest, ...duplicates] = existing;
  if (oldest) {
    const result = await update(oldest);
    await withGitHubErrors(write, () => remove(duplicates.map((c) => c.id)));
    return result;
  }

  const body = composeStickyBody(options);
  const { data: created } = await withGitHubErrors(write, () =>
    octokit.rest.issues.createComment({ owner, repo, issue_number: issueNumber, body }),
  );
  const after = await listMarked(options);
  const winner = after[0];
  if (!winner || winner.id === created.id) {
    await withGitHubErrors(write, () => remove(after.slice(1).map((c) => c.id)));
    return { action: "created", commentId: created.id, url: created.html_url };
  }
  options.logger?.info(`another job created the ${marker} comment first; updating that one`);
  await withGitHubErrors(write, () => remove(after.slice(1).map((c) => c.id)));
  return update(winner);
}
